import type { Heatmap } from "./types.ts";

/** Is the best cell of a heatmap on a plateau (its neighbours nearly as good) or a lone spike? */
export function plateauOf(h: Heatmap): {
  best: { x: number; y: number; value: number } | null;
  neighbourMean: number | null;
  verdict: "plateau" | "spike" | "n/a";
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
  if (bi < 0) return { best: null, neighbourMean: null, verdict: "n/a" };
  let s = 0;
  let k = 0;
  for (let dj = -1; dj <= 1; dj++)
    for (let di = -1; di <= 1; di++) {
      if (di === 0 && dj === 0) continue;
      const v = h.z[bj + dj]?.[bi + di];
      if (v !== undefined && v !== null) {
        s += v;
        k++;
      }
    }
  const best = { x: h.xs[bi]!, y: h.ys[bj]!, value: bv };
  // with fewer than three tried neighbours there is nothing to call a plateau or a spike
  if (k < 3) return { best, neighbourMean: k === 0 ? null : s / k, verdict: "n/a" };
  const mean = s / k;
  // a plateau keeps at least half the best figure on average around it; a spike falls away
  const verdict = bv > 0 && mean >= 0.5 * bv ? "plateau" : "spike";
  return { best, neighbourMean: mean, verdict };
}

/** A diverging colour for a cell: red below zero, green above, white at zero */
export function cellColour(v: number | null, maxAbs: number): string {
  if (v === null || maxAbs <= 0) return "#eeeeee";
  const a = Math.max(-1, Math.min(1, v / maxAbs));
  const c = Math.round(255 * (1 - Math.abs(a)));
  return a >= 0 ? `rgb(${c},${255 - Math.round(75 * Math.abs(a))},${c})` : `rgb(255,${c},${c})`;
}
