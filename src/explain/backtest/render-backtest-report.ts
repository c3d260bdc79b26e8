/**
 * The self-contained HTML backtest report: metrics beside buy-and-hold, equity and drawdown charts,
 * trades on the price chart, trade breakdowns. The charting library comes in as a string and is
 * inlined, so the file opens from disk with no network.
 */
import type { LookaheadReport } from "../../backtest/lookahead.ts";
import type { TradeAnalysis, TradeGroup } from "../../backtest/trade-analysis.ts";
import type { BacktestResult, Metrics } from "../../backtest/types.ts";
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Fill } from "../../domain/fill.ts";
import { esc, fix, inlineScript, pct, scriptJson, table } from "../report/html.ts";

export interface BacktestReportInput {
  result: BacktestResult;
  analysis: TradeAnalysis;
  /** every traded symbol over the run (no warm-up), one price chart each */
  prices: readonly CandleSeries[];
  exchange: string;
  lookahead?: LookaheadReport;
  /** source of lightweight-charts' standalone build */
  chartLib: string;
  /** at most this many points per equity curve (default 4,000) */
  maxPoints?: number;
  /** at most this many candles per price chart; longer runs are merged into coarser candles (default 2,000) */
  maxCandles?: number;
  /** trades per page of the trades table (default 50) */
  pageSize?: number;
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

type Candle = { time: number; open: number; high: number; low: number; close: number };
type Marker = { time: number; position: string; color: string; shape: string; text: string };

/**
 * The candles of one series, k consecutive bars merged into one candle (first open, highest high,
 * lowest low, last close) so the whole run fits the chart; `bucketOf(ts)` gives the merged candle's time
 */
function mergedCandles(
  s: CandleSeries,
  maxCandles: number,
): { candles: Candle[]; barsPerCandle: number; bucketOf: (ts: number) => number } {
  const n = s.ts.length;
  const k = Math.max(1, Math.ceil(n / maxCandles));
  const candles: Candle[] = [];
  for (let i = 0; i < n; i += k) {
    const end = Math.min(n, i + k);
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (let j = i; j < end; j++) {
      if (s.high[j]! > hi) hi = s.high[j]!;
      if (s.low[j]! < lo) lo = s.low[j]!;
    }
    candles.push({ time: s.ts[i]! / 1000, open: s.open[i]!, high: hi, low: lo, close: s.close[end - 1]! });
  }
  const bucketOf = (ts: number): number => {
    // the last bar opening at or before ts (fills happen inside a bar of the series)
    let a = 0;
    let b = n - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (s.ts[m]! <= ts) a = m;
      else b = m - 1;
    }
    return s.ts[a - (a % k)]! / 1000;
  };
  return { candles, barsPerCandle: k, bucketOf };
}

/** How a fill is drawn: exits other than the strategy's own signal get their own colour and shape */
const EXIT_STYLES: Readonly<Record<string, { color: string; shape: string; label: string }>> = {
  "stop-loss": { color: "#ef6c00", shape: "circle", label: "stop-loss" },
  "take-profit": { color: "#00897b", shape: "circle", label: "take-profit" },
  "trailing-stop": { color: "#8e24aa", shape: "circle", label: "trailing stop" },
  liquidation: { color: "#000000", shape: "square", label: "liquidation" },
  "drawdown-stop": { color: "#6d4c41", shape: "square", label: "drawdown stop" },
  "end-of-data": { color: "#78909c", shape: "square", label: "end of data" },
};
const BUY = { color: "#2e7d32", shape: "arrowUp", label: "buy on the strategy's signal" };
const SELL = { color: "#c62828", shape: "arrowDown", label: "sell on the strategy's signal" };
const styleOf = (f: Fill): { color: string; shape: string; label: string } =>
  EXIT_STYLES[f.orderType] ?? EXIT_STYLES[f.reason] ?? (f.side === "buy" ? BUY : SELL);

/** Renders the whole page as one string */
export function renderBacktestReport(x: BacktestReportInput): string {
  const r = x.result;
  const m = r.metrics;
  const maxPoints = x.maxPoints ?? 4000;
  const pageSize = x.pageSize ?? 50;
  const used = new Map<string, { color: string; shape: string; label: string; count: number }>();
  const prices = x.prices.map((s) => {
    const mc = mergedCandles(s, x.maxCandles ?? 2000);
    const fills = r.fills.filter((f) => f.symbol === s.symbol);
    // markers carry no text: exit reasons are told by colour and shape (legend), so labels never overlap
    const markers: Marker[] = fills
      .map((f) => {
        const st = styleOf(f);
        const u = used.get(st.label) ?? { ...st, count: 0 };
        u.count++;
        used.set(st.label, u);
        return {
          time: mc.bucketOf(f.ts),
          position: f.side === "buy" ? "belowBar" : "aboveBar",
          color: st.color,
          shape: st.shape,
          text: "",
        };
      })
      .sort((a, b) => a.time - b.time);
    const trades = r.trades.filter((t) => t.symbol === s.symbol).length;
    return { symbol: s.symbol, candles: mc.candles, barsPerCandle: mc.barsPerCandle, markers, trades };
  });
  const dd = drawdown(r.equity);
  const holdDd = drawdown(r.buyAndHoldEquity);
  let worst = 0;
  for (let i = 0; i < dd.length; i++) worst = Math.min(worst, dd[i]!, holdDd[i]!);
  const data = {
    equity: curve(r.ts, r.equity, maxPoints),
    hold: curve(r.ts, r.buyAndHoldEquity, maxPoints),
    dd: curve(r.ts, dd, maxPoints),
    holdDd: curve(r.ts, holdDd, maxPoints),
    // the drawdown axis runs from 0 down to the worst drawdown shown (a little margin below)
    ddFloor: worst < 0 ? worst * 105 : -1,
    prices: prices.map((p) => ({ symbol: p.symbol, candles: p.candles, markers: p.markers })),
    pageSize,
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
    ["Funding", esc(fundingText(r))],
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
  // newest first: the trades a reader checks first are the latest
  const newestFirst = r.trades
    .map((t, k) => ({ t, k }))
    .sort((a, b) => b.t.exitTs - a.t.exitTs || b.t.entryTs - a.t.entryTs || b.k - a.k)
    .map((e) => e.t);
  const tradeRows = newestFirst.map((t) => [
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
  const legend = [...used.values()]
    .map(
      (u) =>
        `<span><i style="background:${u.color};border-radius:${u.shape === "circle" ? "50%" : "1px"}"></i>${esc(u.label)} (${u.count})</span>`,
    )
    .join(" ");
  const priceBlocks = prices
    .map(
      (p, k) =>
        `<h3>${esc(p.symbol)}: ${p.trades} trades${p.barsPerCandle > 1 ? ` <span class="legend">(each candle merges ${p.barsPerCandle} ${esc(r.timeframe)} bars so the whole run fits; zoom in for detail)</span>` : ""}</h3>
<div id="price-${k}" class="chart price" data-symbol="${esc(p.symbol)}"></div>`,
    )
    .join("\n");
  const a = x.analysis;
  const pages = Math.max(1, Math.ceil(newestFirst.length / pageSize));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kairos backtest: ${esc(r.strategy)} ${esc(r.symbols.join(", "))} ${esc(r.timeframe)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2733;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #e4e8ee;text-align:right}
td:first-child,th:first-child{text-align:left}.settings td{text-align:left}
.chart{height:320px;margin:8px 0}.small{height:200px}.price{height:280px}.ok{color:#2e7d32}.bad{color:#c62828;font-weight:600}
.legend{color:#59636e;font-size:12px;font-weight:normal}.legend span{margin-right:12px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:10px;vertical-align:middle;margin-right:4px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 32px}#pager button{margin:0 6px}
</style></head><body>
<h1>Backtest: ${esc(r.strategy)} on ${esc(r.symbols.join(", "))} ${esc(r.timeframe)}</h1>
${table("settings", ["", ""], settings)}
<h2>Figures</h2>
${table("metrics", ["", "Strategy", "Buy and hold"], metricRows(m))}
${lookahead}
<h2>Equity against buy-and-hold</h2>
<div class="legend">blue: strategy, grey: buy-and-hold, same starting equity, marked at each close; the whole run is shown</div>
<div id="equity" class="chart"></div>
<h2>Drawdown</h2>
<div class="legend">red area: the strategy's fall below its running peak, from 0; grey: buy-and-hold's; the axis ends at the worst drawdown (${pct(worst)})</div>
<div id="drawdown" class="chart small"></div>
<h2>Trades on the price chart${prices.length > 1 ? "s" : ""}</h2>
<div class="legend" id="marker-legend">${legend === "" ? "no fills" : legend}</div>
${priceBlocks}
<h2>Trade analysis</h2>
<p>${a.trades} trades, average ${fix(a.avgBars, 1)} bars, average MAE ${pct(a.avgMae, 2)}, MFE ${pct(a.avgMfe, 2)}, best ${pct(a.bestReturn, 2)}, worst ${pct(a.worstReturn, 2)}.</p>
<div class="grid"><div>${groupTable("By exit reason", a.byExitReason)}${groupTable("By weekday (entry)", a.byWeekday)}${groupTable("By symbol", a.bySymbol)}</div>
<div>${groupTable("By month (entry)", a.byMonth)}</div></div>
<h2>Trades, newest first (${r.trades.length})</h2>
<div id="pager" class="legend" data-pages="${pages}"></div>
${table("trades", ["Symbol", "Side", "Entry", "Price", "Exit", "Price", "P&L", "Return", "Bars", "Exit reason", "MAE", "MFE"], tradeRows)}
<script>${inlineScript(x.chartLib)}</script>
<script>
const D = ${scriptJson(data)};
const LC = window.LightweightCharts;
// a small minimum bar spacing lets fitContent show the whole run however many points it has
const opts = (el) => ({ width: el.clientWidth, height: el.clientHeight, timeScale: { timeVisible: true, minBarSpacing: 0.001 }, rightPriceScale: { borderVisible: false }, layout: { attributionLogo: false } });
function make(id) { const el = document.getElementById(id); const c = LC.createChart(el, opts(el)); window.addEventListener("resize", () => c.applyOptions({ width: el.clientWidth })); return c; }
const eq = make("equity");
eq.addSeries(LC.LineSeries, { color: "#9aa4ae", lineWidth: 1 }).setData(D.hold);
eq.addSeries(LC.LineSeries, { color: "#1f6feb", lineWidth: 2 }).setData(D.equity);
eq.timeScale().fitContent();
const dd = make("drawdown");
const pf = { type: "percent", precision: 1, minMove: 0.001 };
const ddRange = () => ({ priceRange: { minValue: D.ddFloor, maxValue: 0 } });
dd.addSeries(LC.LineSeries, { color: "#9aa4ae", lineWidth: 1, priceFormat: pf, autoscaleInfoProvider: ddRange }).setData(D.holdDd.map((p) => ({ time: p.time, value: p.value * 100 })));
dd.addSeries(LC.BaselineSeries, { baseValue: { type: "price", price: 0 }, topLineColor: "#c62828", bottomLineColor: "#c62828", topFillColor1: "rgba(0,0,0,0)", topFillColor2: "rgba(0,0,0,0)", bottomFillColor1: "rgba(198,40,40,0.15)", bottomFillColor2: "rgba(198,40,40,0.4)", lineWidth: 1, priceFormat: pf, autoscaleInfoProvider: ddRange }).setData(D.dd.map((p) => ({ time: p.time, value: p.value * 100 })));
dd.timeScale().fitContent();
const price = D.prices.map((p, k) => {
  const pc = make("price-" + k);
  const cs = pc.addSeries(LC.CandlestickSeries, {});
  cs.setData(p.candles);
  LC.createSeriesMarkers(cs, p.markers);
  pc.timeScale().fitContent();
  return pc;
});
window.kairosCharts = { equity: eq, drawdown: dd, price, markers: D.prices.map((p) => p.markers) };
// the trades table in pages of D.pageSize rows, newest first
const rows = Array.from(document.querySelectorAll("table.trades tbody tr"));
const pager = document.getElementById("pager");
let page = 0;
const pages = Math.max(1, Math.ceil(rows.length / D.pageSize));
function show(k) {
  page = Math.min(pages - 1, Math.max(0, k));
  rows.forEach((tr, i) => { tr.style.display = Math.floor(i / D.pageSize) === page ? "" : "none"; });
  pager.innerHTML = "";
  const btn = (label, to, off) => { const b = document.createElement("button"); b.textContent = label; b.disabled = off; b.onclick = () => show(to); pager.appendChild(b); };
  btn("newest", 0, page === 0); btn("newer", page - 1, page === 0);
  pager.appendChild(document.createTextNode("page " + (page + 1) + " of " + pages + " (" + D.pageSize + " trades a page)"));
  btn("older", page + 1, page === pages - 1); btn("oldest", pages - 1, page === pages - 1);
}
if (rows.length > 0) show(0);
window.kairosReportReady = true;
</script>
</body></html>
`;
}

/** What the run assumed about funding, in words */
function fundingText(r: BacktestResult): string {
  const c = r.config;
  if (c.market !== "perp") return "none (spot)";
  const stored = Object.keys(c.fundingHistory ?? {});
  const assumed = `${pct(c.fundingRate, 4)} per ${fix(c.fundingIntervalMs / 3_600_000, 0)}h assumed`;
  const missing = r.symbols.filter((s) => !stored.includes(s));
  if (missing.length === 0) return `stored history for ${stored.join(", ")}`;
  if (stored.length === 0) return `${assumed} (no stored history)`;
  return `stored history for ${stored.join(", ")}; ${assumed} for ${missing.join(", ")}`;
}
