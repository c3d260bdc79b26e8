import type { Heatmap } from "./types.ts";

/** Is the best cell of a heatmap on a plateau (its neighbours nearly as good) or a lone spike? */
export function plateauOf(h: Heatmap): {
  best: { x: number; y: number; value: number } | null;
  /** the best cell's axis labels (ranges for binned integer parameters) */
  bestLabel?: { x: string; y: string };
  neighbourMean: number | null;
  /** tried cells the mean is taken over */
  neighbours: number;
  verdict: "plateau" | "spike" | "no-edge" | "n/a";
} {
  let bi = -1;
  let bj = -1;
  let bv = Number.NEGATIVE_INFINITY;
  h.z.forEach((row, j) => {
    row.forEach((v, i) => {
      if (v !== null && v > bv) {
        bv = v;
        bi = i;
        bj = j;
      }
    });
  });
  if (bi < 0) return { best: null, neighbourMean: null, neighbours: 0, verdict: "n/a" };
  // the ring of tried cells around the best: its 8 neighbours, widened until at least 3 were tried
  // (a sparse random search often leaves the best cell's direct neighbours empty)
  let s = 0;
  let k = 0;
  const rMax = Math.max(h.xs.length, h.ys.length);
  for (let r = 1; r <= rMax && k < 3; r++) {
    s = 0;
    k = 0;
    for (let dj = -r; dj <= r; dj++)
      for (let di = -r; di <= r; di++) {
        if (di === 0 && dj === 0) continue;
        const v = h.z[bj + dj]?.[bi + di];
        if (v !== undefined && v !== null) {
          s += v;
          k++;
        }
      }
  }
  const best = { x: h.xs[bi]!, y: h.ys[bj]!, value: bv };
  const bestLabel = { x: h.xLabels?.[bi] ?? String(h.xs[bi]), y: h.yLabels?.[bj] ?? String(h.ys[bj]) };
  // with fewer than three tried cells besides the best there is nothing to call a plateau or a spike
  if (k < 3) return { best, bestLabel, neighbourMean: k === 0 ? null : s / k, neighbours: k, verdict: "n/a" };
  const mean = s / k;
  if (bv <= 0) return { best, bestLabel, neighbourMean: mean, neighbours: k, verdict: "no-edge" };
  // a plateau keeps at least half the best figure on average around it; a spike falls away
  const verdict = mean >= 0.5 * bv ? "plateau" : "spike";
  return { best, bestLabel, neighbourMean: mean, neighbours: k, verdict };
}

/** The verdict of a heatmap in one sentence */
export function plateauText(h: Heatmap): string {
  const p = plateauOf(h);
  if (p.best === null) return "no variant was tried";
  const l = p.bestLabel!;
  const head = `best ${h.xName} ${l.x}, ${h.yName} ${l.y} at ${p.best.value.toFixed(2)}`;
  if (p.verdict === "n/a")
    return `${head}; fewer than 3 other cells were tried, too few to tell a plateau from a spike`;
  const around = `the ${p.neighbours} nearest tried cells average ${p.neighbourMean!.toFixed(2)}`;
  if (p.verdict === "no-edge")
    return `${head}; ${around}: no cell is positive, so there is no edge to be robust`;
  return p.verdict === "plateau"
    ? `${head}; ${around}, at least half of it: a plateau (robust)`
    : `${head}; ${around}, less than half of it: a spike (likely luck)`;
}

/** A diverging colour for a cell: red below zero, green above, white at zero */
export function cellColour(v: number | null, maxAbs: number): string {
  if (v === null || maxAbs <= 0) return "#eeeeee";
  const a = Math.max(-1, Math.min(1, v / maxAbs));
  const c = Math.round(255 * (1 - Math.abs(a)));
  return a >= 0 ? `rgb(${c},${255 - Math.round(75 * Math.abs(a))},${c})` : `rgb(255,${c},${c})`;
}
