// Per-variant equity curves on one lightweight-charts chart: each variant backtested by the API
// (POST /v1/backtest with the variant's family, parameters, symbol and the run's bars), its realised
// equity drawn as a line, with a legend that names each colour in text
import type { IChartApi, UTCTimestamp } from "lightweight-charts";
import { followTheme, linesChart, toTime } from "../chart.ts";
import { h, messageOf, num, replace } from "../dom.ts";
import type { BacktestReport } from "../types.ts";
import type { ViewContext } from "../view.ts";

export interface CurveRequest {
  label: string;
  /** the backtest_run input */
  body: Record<string, unknown>;
}

interface CurveLine {
  title: string;
  data: { time: UTCTimestamp; value: number }[];
}

/**
 * Realised equity: the starting cash plus each closed trade's P&L at its exit (what the trades prove;
 * the close-marked curve is not in the API's backtest answer)
 */
export function realisedEquity(r: BacktestReport): { time: UTCTimestamp; value: number }[] {
  let eq = r.metrics.initialEquity;
  const points = [{ time: toTime(Date.parse(r.from)), value: eq }];
  for (const t of [...r.trades].sort((a, b) => a.exitTs - b.exitTs)) {
    if (!Number.isFinite(t.exitTs)) continue;
    eq += t.pnl;
    const time = toTime(t.exitTs);
    if (time <= points.at(-1)!.time) points.at(-1)!.value = eq;
    else points.push({ time, value: eq });
  }
  return points;
}

/** A card that, on request, backtests each variant and draws their equity curves together */
export function equityCurves(
  ctx: Pick<ViewContext, "api" | "onLeave">,
  id: string,
  title: string,
  note: string,
  requests: () => CurveRequest[],
): HTMLElement {
  const status = h("p", { class: "status", role: "status", id: `${id}-status` });
  const chartEl = h("div", { class: "chart small", id: `${id}-chart`, role: "img", "aria-label": title });
  chartEl.hidden = true;
  const legend = h("ul", { class: "curve-legend", id: `${id}-legend`, "aria-label": `${title}: legend` });
  let chart: IChartApi | undefined;
  let drawn: CurveLine[] = [];
  ctx.onLeave(() => chart?.remove());
  // read-only handle for tests: each drawn line's title, point count and last value
  const handles = ((window as unknown as { kairosCurves?: Record<string, unknown> }).kairosCurves ??= {});
  handles[id] = () => drawn.map((l) => ({ title: l.title, count: l.data.length, last: l.data.at(-1) }));
  const go = h(
    "button",
    {
      type: "button",
      id: `${id}-draw`,
      onclick: () => {
        const reqs = requests();
        go.disabled = true;
        void (async () => {
          const lines: CurveLine[] = [];
          for (const [i, r] of reqs.entries()) {
            status.textContent = `Backtesting ${i + 1} of ${reqs.length}: ${r.label}…`;
            const bt = await ctx.api.op<BacktestReport>("backtest_run", r.body);
            lines.push({ title: r.label, data: realisedEquity(bt) });
          }
          chart?.remove();
          chartEl.hidden = false;
          const made = linesChart(chartEl, lines);
          chart = made.chart;
          followTheme(chart, ctx.onLeave);
          drawn = lines;
          replace(
            legend,
            ...lines.map((l, i) => {
              const sw = h("span", { class: "swatch", "aria-hidden": "true" });
              sw.style.setProperty("background-color", made.colours[i]!);
              return h("li", {}, sw, `${l.title}: ${num(l.data.at(-1)?.value ?? Number.NaN)}`);
            }),
          );
          status.textContent = `${lines.length} curves drawn.`;
        })()
          .catch((e: unknown) => (status.textContent = `Not drawn: ${messageOf(e)}`))
          .finally(() => {
            go.disabled = false;
          });
      },
    },
    "Draw equity curves",
  );
  return h(
    "section",
    { class: "card", "aria-label": title, id },
    h("h3", {}, title),
    h("p", { class: "note" }, note),
    go,
    status,
    chartEl,
    legend,
  );
}
