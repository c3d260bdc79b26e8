// A parameter heatmap: a metric by two parameters, drawn as a table (rows: y, columns: x) whose cells
// carry the value as text and a colour for its sign and size, so it reads without colour, by screen
// reader and by keyboard. Colours go in through the CSSOM (the page's CSP refuses style attributes).
import { h } from "./dom.ts";

export interface HeatPoint {
  x: number;
  y: number;
  value: number;
}

export interface HeatAxis {
  /** cell centres (the value itself when not binned) */
  values: number[];
  labels: string[];
  index(v: number): number;
}

/** The distinct values when at most `k`, else k equal-width bins labelled by their range */
export function axisOf(values: readonly number[], k = 12): HeatAxis {
  const uniq = [...new Set(values)].sort((a, b) => a - b);
  if (uniq.length <= k) return { values: uniq, labels: uniq.map(String), index: (v) => uniq.indexOf(v) };
  const lo = uniq[0]!;
  const hi = uniq.at(-1)!;
  const w = (hi - lo) / k;
  const fmt = (v: number): string =>
    Number.isInteger(lo) && Number.isInteger(hi) ? String(Math.round(v)) : v.toPrecision(3);
  const ks = Array.from({ length: k }, (_, i) => i);
  return {
    values: ks.map((i) => lo + (i + 0.5) * w),
    labels: ks.map((i) => `${fmt(lo + i * w)}–${fmt(lo + (i + 1) * w)}`),
    index: (v) => Math.min(k - 1, Math.floor((v - lo) / w)),
  };
}

/** Mean of the points in each cell: z[j][i] for y j, x i (null: nothing tried there) */
export function cellsOf(points: readonly HeatPoint[], xa: HeatAxis, ya: HeatAxis): (number | null)[][] {
  const sum = ya.values.map(() => xa.values.map(() => 0));
  const cnt = ya.values.map(() => xa.values.map(() => 0));
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const i = xa.index(p.x);
    const j = ya.index(p.y);
    sum[j]![i]! += p.value;
    cnt[j]![i]! += 1;
  }
  return sum.map((row, j) => row.map((s, i) => (cnt[j]![i]! > 0 ? s / cnt[j]![i]! : null)));
}

/**
 * The heatmap's table. `higherIsBetter` false (a drawdown) flips the colours; the best cell is
 * outlined and named in the caption.
 */
export function heatmapTable(opts: {
  id: string;
  caption: string;
  xName: string;
  yName: string;
  points: readonly HeatPoint[];
  format: (v: number) => string;
  higherIsBetter?: boolean;
}): HTMLElement {
  const xa = axisOf(opts.points.map((p) => p.x));
  const ya = axisOf(opts.points.map((p) => p.y));
  const z = cellsOf(opts.points, xa, ya);
  const up = opts.higherIsBetter !== false;
  let maxAbs = 0;
  let best: { i: number; j: number; v: number } | undefined;
  for (const [j, row] of z.entries())
    for (const [i, v] of row.entries()) {
      if (v === null) continue;
      maxAbs = Math.max(maxAbs, Math.abs(v));
      if (best === undefined || (up ? v > best.v : v < best.v)) best = { i, j, v };
    }
  const bestText =
    best === undefined
      ? "nothing to show"
      : `best ${opts.xName} ${xa.labels[best.i]}, ${opts.yName} ${ya.labels[best.j]}: ${opts.format(best.v)}`;
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, `${opts.yName} \\ ${opts.xName}`),
    ...xa.labels.map((l) => h("th", { scope: "col" }, l)),
  );
  // rows from the largest y down, as a chart's y axis reads
  const rows = ya.values
    .map((_, j) => j)
    .reverse()
    .map((j) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, ya.labels[j]!),
        ...z[j]!.map((v, i) => {
          const td = h(
            "td",
            { "data-x": xa.labels[i]!, "data-y": ya.labels[j]! },
            v === null ? "" : opts.format(v),
          );
          if (v === null) {
            td.className = "heat-empty";
            td.setAttribute("aria-label", "not tried");
          } else {
            // a diverging scale: green for good, red for bad, pale near zero; dark text on every shade
            const a = maxAbs > 0 ? Math.min(1, Math.abs(v) / maxAbs) : 0;
            const good = up ? v >= 0 : v <= 0;
            td.style.setProperty("background-color", `hsl(${good ? 135 : 0} 60% ${94 - 22 * a}%)`);
            td.style.setProperty("color", "#111");
            if (best !== undefined && best.i === i && best.j === j) td.classList.add("heat-best");
          }
          return td;
        }),
      ),
    );
  return h(
    "div",
    { class: "table-wrap heatmap", tabindex: 0, role: "region", "aria-label": opts.caption, id: opts.id },
    h(
      "table",
      {},
      h("caption", {}, `${opts.caption}; ${bestText}`),
      h("thead", {}, head),
      h("tbody", {}, ...rows),
    ),
  );
}
