// Research: a parameter sweep of two parameters of a family as a job, shown as a heatmap of the chosen
// metric (Sharpe, return, drawdown, trades) with every combination's exact figure in its cell, and the
// equity curves of the best few combinations
import { field, h, messageOf, num, pct, replace } from "../dom.ts";
import { heatmapTable } from "../heatmap.ts";
import { type Job, progressText, runJob } from "../jobs.ts";
import type { SeriesSummary, StrategyInfo, StrategyParam } from "../types.ts";
import type { ViewContext } from "../view.ts";
import { equityCurves } from "./curves.ts";

export interface SweepRow {
  symbol: string;
  params: Record<string, number | boolean>;
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  finalEquity: number;
}

export interface SweepJson {
  family: string;
  timeframe: string;
  series: { exchange: string; symbol: string; bars: number; firstTs: number; lastTs: number }[];
  combinations: number;
  fee: number;
  initialCash: number;
  swept: string[];
  rows: SweepRow[];
  buyAndHold: SweepRow[];
}

const METRICS: readonly {
  key: "sharpe" | "totalReturn" | "maxDrawdown" | "trades";
  label: string;
  format: (v: number) => string;
  higherIsBetter: boolean;
}[] = [
  { key: "sharpe", label: "Sharpe (annualised)", format: num, higherIsBetter: true },
  { key: "totalReturn", label: "Total return", format: pct, higherIsBetter: true },
  { key: "maxDrawdown", label: "Max drawdown", format: pct, higherIsBetter: false },
  { key: "trades", label: "Trades", format: num, higherIsBetter: true },
];

const numeric = (p: StrategyParam): boolean => p.type === "integer" || p.type === "number";

/** A starting range around a parameter's default: about 8 steps, inside its bounds */
function defaultRange(p: StrategyParam): { from: number; to: number; step: number } {
  const d = typeof p.default === "number" ? p.default : 1;
  let from = d / 2;
  let to = d * 2;
  if (p.min !== null) from = Math.max(p.min, from);
  if (p.max !== null) to = Math.min(p.max, to);
  if (p.type === "integer") {
    from = Math.max(p.min ?? 1, Math.round(from));
    to = Math.max(from + 1, Math.round(to));
    return { from, to, step: Math.max(1, Math.round((to - from) / 7)) };
  }
  const step = Number(((to - from) / 7).toPrecision(2));
  return { from: Number(from.toPrecision(3)), to: Number(to.toPrecision(3)), step: step > 0 ? step : 1 };
}

function axisFields(
  axis: "x" | "y",
  params: StrategyParam[],
  pick: number,
): { el: HTMLElement; spec: () => { name: string; text: string } } {
  const sel = h(
    "select",
    { id: `sw-${axis}` },
    ...params.map((p, i) => h("option", { value: p.name, selected: i === pick }, p.name)),
  );
  const from = h("input", { id: `sw-${axis}-from`, type: "number", step: "any" });
  const to = h("input", { id: `sw-${axis}-to`, type: "number", step: "any" });
  const step = h("input", { id: `sw-${axis}-step`, type: "number", step: "any", min: 0 });
  const fill = (): void => {
    const p = params.find((x) => x.name === sel.value);
    if (p === undefined) return;
    const r = defaultRange(p);
    from.value = String(r.from);
    to.value = String(r.to);
    step.value = String(r.step);
  };
  sel.addEventListener("change", fill);
  fill();
  const name = axis === "x" ? "Across (x)" : "Down (y)";
  return {
    el: h(
      "div",
      { class: "fields" },
      field(`sw-${axis}`, `${name}: parameter`, sel),
      field(`sw-${axis}-from`, "from", from),
      field(`sw-${axis}-to`, "to", to),
      field(`sw-${axis}-step`, "step", step),
    ),
    spec: () => ({ name: sel.value, text: `${sel.value}=${from.value}..${to.value}:${step.value}` }),
  };
}

/** The heatmap of a sweep's result for one metric */
export function sweepHeatmap(r: SweepJson, metric: string): HTMLElement {
  const m = METRICS.find((x) => x.key === metric) ?? METRICS[0]!;
  const [xName, yName] = r.swept as [string, string];
  return heatmapTable({
    id: "sweep-heatmap",
    caption: `${m.label} of ${r.family} on ${r.series.map((s) => `${s.exchange} ${s.symbol}`).join(", ")} ${r.timeframe}, by ${xName} and ${yName}`,
    xName,
    yName,
    points: r.rows.map((row) => ({
      x: row.params[xName] as number,
      y: row.params[yName] as number,
      value: row[m.key],
    })),
    format: m.format,
    higherIsBetter: m.higherIsBetter,
  });
}

export function sweepSection(
  ctx: ViewContext,
  strategies: StrategyInfo[],
  series: SeriesSummary[],
): HTMLElement {
  const { api } = ctx;
  const families = strategies.filter(
    (s) => !s.optIn && s.kind === "single" && s.params.filter(numeric).length >= 2,
  );
  const fam = h(
    "select",
    { id: "sw-family" },
    ...families.map((s) => h("option", { value: s.name, selected: s.name === "sma-cross" }, s.name)),
  );
  const ser = h(
    "select",
    { id: "sw-series" },
    ...series.map((s) =>
      h(
        "option",
        { value: JSON.stringify([s.exchange, s.symbol, s.timeframe]) },
        `${s.exchange} ${s.symbol} ${s.timeframe}`,
      ),
    ),
  );
  const metric = h(
    "select",
    { id: "sw-metric" },
    ...METRICS.map((m) => h("option", { value: m.key }, m.label)),
  );
  const axes = h("div", {});
  let x = axisFields("x", [], 0);
  let y = axisFields("y", [], 1);
  const showAxes = (): void => {
    const params = families.find((f) => f.name === fam.value)?.params.filter(numeric) ?? [];
    x = axisFields("x", params, 0);
    y = axisFields("y", params, 1);
    replace(axes, x.el, y.el);
  };
  fam.addEventListener("change", showAxes);
  if (families.length > 0) showAxes();
  const status = h("p", { class: "status", role: "status", id: "sw-status" });
  const out = h("div", { id: "sw-out" });
  let last: SweepJson | undefined;
  const draw = (): void => {
    if (last === undefined) return;
    const r = last;
    const top = [...r.rows].sort((a, b) => b.sharpe - a.sharpe).slice(0, 5);
    const s0 = r.series[0]!;
    replace(
      out,
      sweepHeatmap(r, metric.value),
      h(
        "p",
        { class: "note" },
        `${num(r.combinations)} combinations; fee ${pct(r.fee)}, initial cash ${num(r.initialCash)}; buy and hold: Sharpe ${num(r.buyAndHold[0]?.sharpe ?? Number.NaN)}, return ${pct(r.buyAndHold[0]?.totalReturn ?? Number.NaN)}.`,
      ),
      equityCurves(
        ctx,
        "sweep-curves",
        "Equity curves of the five best combinations by Sharpe",
        "Each combination backtested again by the API over the same bars and costs; realised equity after each closed trade.",
        () =>
          top.map((row) => ({
            label: Object.entries(row.params)
              .filter(([k]) => r.swept.includes(k))
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
            body: {
              strategy: r.family,
              params: row.params,
              exchange: s0.exchange,
              symbols: [row.symbol],
              timeframe: r.timeframe,
              fee: r.fee,
              initialCash: r.initialCash,
            },
          })),
      ),
    );
  };
  metric.addEventListener("change", draw);
  const go = h("button", { type: "submit", class: "primary", id: "sw-start" }, "Run sweep");
  return h(
    "form",
    {
      class: "card",
      "aria-label": "Parameter sweep",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const [exchange, symbol, timeframe] = JSON.parse(ser.value) as [string, string, string];
        const xs = x.spec();
        const ys = y.spec();
        if (xs.name === ys.name) {
          status.textContent = "Choose two different parameters.";
          return;
        }
        go.disabled = true;
        const ac = new AbortController();
        ctx.onLeave(() => ac.abort());
        runJob<SweepJson>(
          api,
          "sweep_start",
          { family: fam.value, exchange, symbol, timeframe, params: [xs.text, ys.text] },
          (j: Job) => (status.textContent = progressText(j)),
          ac.signal,
        )
          .then((r) => {
            last = r;
            status.textContent = `Done: ${num(r.combinations)} combinations.`;
            draw();
          })
          .catch((err: unknown) => (status.textContent = `Sweep refused: ${messageOf(err)}`))
          .finally(() => {
            go.disabled = false;
          });
      },
    },
    h("h2", {}, "Parameter sweep and heatmap"),
    h(
      "p",
      { class: "note" },
      "Every combination of two parameters backtested by the vectorised sweep (the other parameters at their defaults); in sample, so a bright cell is a lead to validate with a screen, not a result.",
    ),
    h(
      "div",
      { class: "fields" },
      field("sw-family", "Strategy", fam),
      field("sw-series", "Series", ser),
      field("sw-metric", "Heatmap of", metric),
    ),
    axes,
    go,
    status,
    out,
  );
}
