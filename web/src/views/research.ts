// Research: a backtest form for any built-in strategy family with its report inline; screens once the
// API runs them as jobs
import type { IChartApi } from "lightweight-charts";
import { followTheme, lineChart } from "../chart.ts";
import { card, field, h, messageOf, notYet, num, pct, price, replace, table, utc } from "../dom.ts";
import type { BacktestReport, SeriesSummary, StrategyInfo } from "../types.ts";
import type { View, ViewContext } from "../view.ts";
import { realisedEquity } from "./curves.ts";
import { jobsCard } from "./jobs.ts";
import { screenSection } from "./screen.ts";
import { sweepSection } from "./sweep.ts";

function strategyFields(s: StrategyInfo): { el: HTMLElement; values: () => Record<string, unknown> } {
  const getters: (() => [string, unknown])[] = [];
  const fields = s.params.map((p) => {
    const id = `bt-param-${p.name}`;
    if (p.type === "boolean") {
      const box = h("input", { id, type: "checkbox", checked: p.default === true });
      getters.push(() => [p.name, box.checked]);
      return h("label", { class: "check", title: p.meaning }, box, ` ${p.name}: ${p.meaning}`);
    }
    const n = h("input", {
      id,
      type: "number",
      step: p.type === "integer" ? 1 : "any",
      min: p.min ?? undefined,
      max: p.max ?? undefined,
      value: String(p.default),
      "aria-describedby": `${id}-help`,
    });
    getters.push(() => [p.name, n.value === "" ? undefined : Number(n.value)]);
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, p.name),
      n,
      h("small", { id: `${id}-help` }, p.meaning),
    );
  });
  return {
    el: h("div", { class: "fields" }, ...fields),
    values: () => Object.fromEntries(getters.map((g) => g()).filter(([, v]) => v !== undefined)),
  };
}

const METRICS: readonly [string, string, (v: number) => string][] = [
  ["totalReturn", "Total return", pct],
  ["annualReturn", "Annual return", pct],
  ["sharpe", "Sharpe", num],
  ["sortino", "Sortino", num],
  ["maxDrawdown", "Max drawdown", pct],
  ["volatility", "Volatility (annual)", pct],
  ["trades", "Trades", num],
  ["winRate", "Win rate", pct],
  ["profitFactor", "Profit factor", num],
  ["exposure", "Exposure", pct],
  ["fees", "Fees paid", num],
  ["finalEquity", "Final equity", num],
];

/** The report of one backtest: metrics beside buy-and-hold, realised equity, trades */
export function backtestReport(r: BacktestReport, ctx: Pick<ViewContext, "onLeave">): HTMLElement {
  const m = r.metrics;
  const bh = m.buyAndHold ?? {};
  const rows = METRICS.map(([k, label, f]) => {
    const v = m[k];
    const b = bh[k];
    return [label, typeof v === "number" ? f(v) : "–", typeof b === "number" ? f(b) : ""];
  });
  const points = realisedEquity(r);
  const chartEl = h("div", {
    class: "chart small",
    id: "equity-chart",
    role: "img",
    "aria-label": "Realised equity",
  });
  const el = h(
    "section",
    { class: "card report", id: "backtest-report", "aria-label": "Backtest report" },
    h("h2", {}, `${r.strategy} on ${r.exchange} ${r.symbols.join(", ")} ${r.timeframe}`),
    h(
      "p",
      { class: "note" },
      `${utc(Date.parse(r.from))} to ${utc(Date.parse(r.to))}, ${num(r.bars)} bars; parameters ${JSON.stringify(r.params)}`,
    ),
    table("Metrics, with buy-and-hold of the same bars", ["Metric", "Strategy", "Buy and hold"], rows),
    h("h3", {}, "Realised equity (after each closed trade)"),
    chartEl,
    table(
      `Trades (${r.trades.length}${r.trades.length > 100 ? ", the last 100 shown" : ""})`,
      ["Side", "Entry", "Entry price", "Exit", "Exit price", "Return", "P&L", "Why in / out"],
      r.trades
        .slice(-100)
        .map((t) => [
          t.side,
          utc(t.entryTs),
          price(t.entryPrice),
          utc(t.exitTs),
          price(t.exitPrice),
          pct(t.returnPct),
          num(t.pnl),
          `${t.entryReason} / ${t.exitReason}`,
        ]),
    ),
  );
  let chart: IChartApi | undefined;
  // the chart needs its element in the page to size itself
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    chart = lineChart(chartEl, points, "equity");
    followTheme(chart, ctx.onLeave);
  });
  ctx.onLeave(() => chart?.remove());
  return el;
}

export const researchView: View = async (ctx) => {
  const { api, main } = ctx;
  const [strategies, list] = await Promise.all([
    api.op<StrategyInfo[]>("strategies_list"),
    api.op<{ series: SeriesSummary[] }>("data_list"),
  ]);
  const usable = strategies.filter((s) => !s.optIn);
  const stratSelect = h(
    "select",
    { id: "bt-strategy-form" },
    ...usable.map((s) => h("option", { value: s.name }, `${s.name}: ${s.description}`)),
  );
  const seriesSelect = h(
    "select",
    { id: "bt-series" },
    ...list.series.map((s) =>
      h(
        "option",
        { value: JSON.stringify([s.exchange, s.symbol, s.timeframe]) },
        `${s.exchange} ${s.symbol} ${s.timeframe}`,
      ),
    ),
  );
  const from = h("input", { id: "bt-from", type: "date" });
  const to = h("input", { id: "bt-to", type: "date" });
  const fee = h("input", { id: "bt-fee", type: "number", step: "any", min: 0, max: 0.1, value: "0.001" });
  const cash = h("input", { id: "bt-cash", type: "number", step: "any", min: 1, value: "10000" });
  const paramsBox = h("div", {});
  let fields = strategyFields(usable[0]!);
  const showFields = (): void => {
    fields = strategyFields(usable.find((s) => s.name === stratSelect.value)!);
    replace(paramsBox, fields.el);
  };
  stratSelect.addEventListener("change", showFields);
  showFields();
  const status = h("p", { class: "status", role: "status", id: "bt-status" });
  const out = h("div", { id: "bt-out" });
  const run = h("button", { type: "submit", class: "primary", id: "bt-run" }, "Run backtest");
  const form = h(
    "form",
    {
      class: "card",
      "aria-label": "Backtest",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const [exchange, symbol, timeframe] = JSON.parse(seriesSelect.value) as [string, string, string];
        run.disabled = true;
        status.textContent = "Running…";
        api
          .op<BacktestReport>("backtest_run", {
            strategy: stratSelect.value,
            params: fields.values(),
            exchange,
            symbols: [symbol],
            timeframe,
            ...(from.value === "" ? {} : { from: from.value }),
            ...(to.value === "" ? {} : { to: to.value }),
            fee: Number(fee.value),
            initialCash: Number(cash.value),
          })
          .then((r) => {
            status.textContent = `Done: ${r.trades.length} trades over ${num(r.bars)} bars.`;
            replace(out, backtestReport(r, ctx));
          })
          .catch((err: unknown) => {
            status.textContent = `Backtest refused: ${messageOf(err)}`;
          })
          .finally(() => {
            run.disabled = false;
          });
      },
    },
    h("h2", {}, "Backtest"),
    field("bt-strategy-form", "Strategy", stratSelect),
    paramsBox,
    field("bt-series", "Series", seriesSelect),
    h(
      "div",
      { class: "fields" },
      field("bt-from", "From (UTC, optional)", from),
      field("bt-to", "To (UTC, exclusive, optional)", to),
      field("bt-fee", "Fee (fraction of notional)", fee),
      field("bt-cash", "Initial cash", cash),
    ),
    run,
    status,
  );
  const screens =
    api.has("screen_start") && api.has("screen_list") && api.has("jobs_get")
      ? await screenSection(ctx, strategies, list.series)
      : card(
          "Screens",
          notYet(
            "Screens (start, progress, leaderboard)",
            "the screen routes run as jobs",
            "kairos screen --preset trend-follower",
          ),
        );
  const jobs = api.has("jobs_list") ? await jobsCard(api) : null;
  const sweep =
    api.has("sweep_start") && api.has("jobs_get") ? sweepSection(ctx, strategies, list.series) : null;
  replace(main, h("h1", {}, "Research"), screens, sweep, form, out, jobs);
};
