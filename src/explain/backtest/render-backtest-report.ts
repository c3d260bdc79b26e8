/**
 * The self-contained HTML backtest report: metrics beside buy-and-hold, equity and drawdown charts,
 * trades on the price chart, trade breakdowns. The charting library comes in as a string and is
 * inlined, so the file opens from disk with no network.
 */
import type { LookaheadReport } from "../../backtest/lookahead.ts";
import type { TradeAnalysis, TradeGroup } from "../../backtest/trade-analysis.ts";
import type { BacktestResult, Metrics } from "../../backtest/types.ts";
import type { CandleSeries } from "../../domain/candle-series.ts";
import { esc, fix, inlineScript, pct, scriptJson, table } from "../report/html.ts";

export interface BacktestReportInput {
  result: BacktestResult;
  analysis: TradeAnalysis;
  /** the first traded symbol over the run (no warm-up) */
  price: CandleSeries;
  exchange: string;
  lookahead?: LookaheadReport;
  /** source of lightweight-charts' standalone build */
  chartLib: string;
  /** at most this many points per equity curve (default 4,000) */
  maxPoints?: number;
}

const iso = (ts: number): string =>
  Number.isFinite(ts) ? new Date(ts).toISOString().replace(".000Z", "Z") : "n/a";
const money = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

/** Every k-th point plus the last, as {time (s), value} */
function curve(ts: Float64Array, v: Float64Array, maxPoints: number): { time: number; value: number }[] {
  const n = ts.length;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const out: { time: number; value: number }[] = [];
  for (let i = 0; i < n; i += step) out.push({ time: ts[i]! / 1000, value: v[i]! });
  if (n > 0 && (n - 1) % step !== 0) out.push({ time: ts[n - 1]! / 1000, value: v[n - 1]! });
  return out;
}

function drawdown(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! > peak) peak = v[i]!;
    out[i] = v[i]! / peak - 1;
  }
  return out;
}

function metricRows(m: Metrics): string[][] {
  const b = m.buyAndHold;
  return [
    ["Total return", pct(m.totalReturn), pct(b.totalReturn)],
    ["Annual return", pct(m.annualReturn), pct(b.annualReturn)],
    ["Volatility (annual)", pct(m.volatility), pct(b.volatility)],
    ["Sharpe", fix(m.sharpe), fix(b.sharpe)],
    ["Sortino", fix(m.sortino), ""],
    ["Calmar", fix(m.calmar), ""],
    ["Max drawdown", pct(m.maxDrawdown), pct(b.maxDrawdown)],
    ["Max drawdown duration", `${m.maxDrawdownBars} bars (${fix(m.maxDrawdownMs / 86_400_000, 1)} days)`, ""],
    ["Trades", String(m.trades), ""],
    ["Win rate", pct(m.winRate), ""],
    ["Profit factor", fix(m.profitFactor), ""],
    ["Expectancy (quote / trade)", money(m.expectancy), ""],
    ["Exposure", pct(m.exposure), "100.0%"],
    ["Turnover", fix(m.turnover, 1), ""],
    ["Fees paid", money(m.fees), ""],
    ["Funding paid", money(m.funding), ""],
    ["Alpha (annual) / beta vs BTC", `${pct(m.alpha)} / ${fix(m.beta)}`, ""],
    ["Information ratio vs BTC", fix(m.informationRatio), ""],
    ["Final equity", money(m.finalEquity), money(m.initialEquity * (1 + b.totalReturn))],
  ];
}

function groupTable(title: string, g: readonly TradeGroup[]): string {
  const rows = g.map((x) => [
    esc(x.key),
    String(x.trades),
    pct(x.winRate),
    money(x.pnl),
    pct(x.avgReturn, 2),
    fix(x.avgBars, 1),
    pct(x.avgMae, 2),
    pct(x.avgMfe, 2),
  ]);
  return `<h3>${esc(title)}</h3>${table("groups", ["", "Trades", "Win rate", "P&L", "Avg return", "Avg bars", "Avg MAE", "Avg MFE"], rows)}`;
}

/** Renders the whole page as one string */
export function renderBacktestReport(x: BacktestReportInput): string {
  const r = x.result;
  const m = r.metrics;
  const maxPoints = x.maxPoints ?? 4000;
  const sym = x.price.symbol;
  const candles: { time: number; open: number; high: number; low: number; close: number }[] = [];
  for (let i = 0; i < x.price.ts.length; i++)
    candles.push({
      time: x.price.ts[i]! / 1000,
      open: x.price.open[i]!,
      high: x.price.high[i]!,
      low: x.price.low[i]!,
      close: x.price.close[i]!,
    });
  const markers = r.fills
    .filter((f) => f.symbol === sym)
    .map((f) => ({
      time: f.ts / 1000,
      position: f.side === "buy" ? "belowBar" : "aboveBar",
      color: f.side === "buy" ? "#2e7d32" : "#c62828",
      shape: f.side === "buy" ? "arrowUp" : "arrowDown",
      text: f.reason === "signal" || f.reason === r.strategy ? "" : f.reason,
    }));
  const data = {
    equity: curve(r.ts, r.equity, maxPoints),
    hold: curve(r.ts, r.buyAndHoldEquity, maxPoints),
    dd: curve(r.ts, drawdown(r.equity), maxPoints),
    holdDd: curve(r.ts, drawdown(r.buyAndHoldEquity), maxPoints),
    candles,
    markers,
  };
  const params = Object.entries(r.params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  const c = r.config;
  const settings = [
    ["Strategy", `${esc(r.strategy)} ${esc(params)}`],
    [
      "Market",
      `${esc(x.exchange)} ${esc(r.symbols.join(", "))} ${esc(r.timeframe)} (${esc(c.market)}, leverage ${c.leverage})`,
    ],
    ["Period", `${iso(m.startTs)} to ${iso(m.endTs)} (${m.bars} bars after ${r.warmupBars} warm-up bars)`],
    [
      "Costs",
      `fee ${pct(c.fee, 3)} taker / ${pct(c.makerFee ?? c.fee, 3)} maker, slippage ${c.slippage.kind === "fixed" ? pct(c.slippage.rate, 3) : "volume model"}`,
    ],
    [
      "Fills",
      "decided at a bar's close, filled at the next bar's open; stops resolved pessimistically inside bars",
    ],
  ];
  const la = x.lookahead;
  const lookahead =
    la === undefined
      ? ""
      : `<h2>Look-ahead check</h2><p class="${la.ok ? "ok" : "bad"}">${la.ok ? "passed" : "FAILED"}: ${la.points} truncation points, ${la.valuesChecked} values compared, ${la.changes} changed.</p>`;
  const tradeRows = r.trades
    .slice(0, 1000)
    .map((t) => [
      esc(t.symbol),
      t.side,
      iso(t.entryTs),
      fix(t.entryPrice, 4),
      iso(t.exitTs),
      fix(t.exitPrice, 4),
      money(t.pnl),
      pct(t.returnPct, 2),
      String(t.bars),
      esc(t.exitReason),
      pct(t.mae, 2),
      pct(t.mfe, 2),
    ]);
  const a = x.analysis;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kairos backtest: ${esc(r.strategy)} ${esc(r.symbols.join(", "))} ${esc(r.timeframe)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2733;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #e4e8ee;text-align:right}
td:first-child,th:first-child{text-align:left}.settings td{text-align:left}
.chart{height:320px;margin:8px 0}.small{height:200px}.ok{color:#2e7d32}.bad{color:#c62828;font-weight:600}
.legend{color:#59636e;font-size:12px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 32px}
</style></head><body>
<h1>Backtest: ${esc(r.strategy)} on ${esc(r.symbols.join(", "))} ${esc(r.timeframe)}</h1>
${table("settings", ["", ""], settings)}
<h2>Figures</h2>
${table("metrics", ["", "Strategy", "Buy and hold"], metricRows(m))}
${lookahead}
<h2>Equity against buy-and-hold</h2>
<div class="legend">blue: strategy, grey: buy-and-hold, same starting equity, marked at each close</div>
<div id="equity" class="chart"></div>
<h2>Drawdown</h2>
<div id="drawdown" class="chart small"></div>
<h2>Trades on the ${esc(sym)} price chart</h2>
<div class="legend">green arrows: buys, red arrows: sells (labels name stop, take-profit and liquidation exits)</div>
<div id="price" class="chart"></div>
<h2>Trade analysis</h2>
<p>${a.trades} trades, average ${fix(a.avgBars, 1)} bars, average MAE ${pct(a.avgMae, 2)}, MFE ${pct(a.avgMfe, 2)}, best ${pct(a.bestReturn, 2)}, worst ${pct(a.worstReturn, 2)}.</p>
<div class="grid"><div>${groupTable("By exit reason", a.byExitReason)}${groupTable("By weekday (entry)", a.byWeekday)}${groupTable("By symbol", a.bySymbol)}</div>
<div>${groupTable("By month (entry)", a.byMonth)}</div></div>
<h2>Trades${r.trades.length > 1000 ? " (first 1,000)" : ""}</h2>
${table("trades", ["Symbol", "Side", "Entry", "Price", "Exit", "Price", "P&L", "Return", "Bars", "Exit reason", "MAE", "MFE"], tradeRows)}
<script>${inlineScript(x.chartLib)}</script>
<script>
const D = ${scriptJson(data)};
const LC = window.LightweightCharts;
const opts = (el) => ({ width: el.clientWidth, height: el.clientHeight, timeScale: { timeVisible: true }, rightPriceScale: { borderVisible: false }, layout: { attributionLogo: false } });
function make(id) { const el = document.getElementById(id); const c = LC.createChart(el, opts(el)); window.addEventListener("resize", () => c.applyOptions({ width: el.clientWidth })); return c; }
const eq = make("equity");
eq.addSeries(LC.LineSeries, { color: "#9aa4ae", lineWidth: 1 }).setData(D.hold);
eq.addSeries(LC.LineSeries, { color: "#1f6feb", lineWidth: 2 }).setData(D.equity);
eq.timeScale().fitContent();
const dd = make("drawdown");
const pf = { type: "percent", precision: 1, minMove: 0.001 };
dd.addSeries(LC.LineSeries, { color: "#9aa4ae", lineWidth: 1, priceFormat: pf }).setData(D.holdDd.map((p) => ({ time: p.time, value: p.value * 100 })));
dd.addSeries(LC.AreaSeries, { lineColor: "#c62828", topColor: "rgba(198,40,40,0.05)", bottomColor: "rgba(198,40,40,0.35)", lineWidth: 1, priceFormat: pf }).setData(D.dd.map((p) => ({ time: p.time, value: p.value * 100 })));
dd.timeScale().fitContent();
const pc = make("price");
const cs = pc.addSeries(LC.CandlestickSeries, {});
cs.setData(D.candles);
LC.createSeriesMarkers(cs, D.markers);
pc.timeScale().fitContent();
window.kairosReportReady = true;
</script>
</body></html>
`;
}
