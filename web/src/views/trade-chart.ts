// Backtest, paper and live trades on one chart: the candles of a session's series, the fills of every
// session on that series (paper and live, from /v1/trade/fills, each with its exact time), and the
// entries and exits of a backtest of the chosen session's strategy and parameters over its bars
import type { SeriesMarker, Time } from "lightweight-charts";
import { fillBarOpen } from "../../../src/domain/fill-bar.ts";
import type { Api } from "../api.ts";
import { candleChart, followTheme, toTime } from "../chart.ts";
import { field, h, messageOf, num, replace, table, timeframeMs, utc } from "../dom.ts";
import type { BacktestReport, SessionEntry } from "../types.ts";
import type { ViewContext } from "../view.ts";
import { readCandles } from "./market.ts";

export interface FillsJson {
  id: string;
  mode: string;
  strategy: string;
  params: Record<string, number | boolean>;
  exchange: string;
  symbols: string[];
  timeframe: string;
  from: string;
  fills: {
    ts: number;
    time: string;
    symbol: string;
    side: "buy" | "sell";
    qty: string;
    price: string;
    fee: string;
    feeAsset: string;
    clientOrderId: string;
  }[];
  total: number;
  today: { day: string; startTs: number; equityAtStart: string; equity: string; pnl: string; fills: number };
}

/** What the test handle reports per marker */
interface MarkerNote {
  source: "backtest" | "paper" | "live";
  session?: string;
  time: number;
  at: number;
  side: string;
}

/** The fills table of one session (newest first, the last 50) */
export function fillsTable(f: FillsJson): HTMLElement {
  return table(
    `Fills of ${f.id} (${f.total}${f.total > 50 ? ", the newest 50 shown" : ""}), times in UTC`,
    ["Time", "Symbol", "Side", "Quantity", "Price", "Fee", "Client order id"],
    [...f.fills]
      .reverse()
      .slice(0, 50)
      .map((x) => [
        x.time.replace("T", " ").replace(/\.000Z$/, "Z"),
        x.symbol,
        x.side,
        x.qty,
        x.price,
        `${x.fee} ${x.feeAsset}`,
        x.clientOrderId,
      ]),
  );
}

export function tradeChartCard(ctx: ViewContext, sessions: SessionEntry[]): HTMLElement {
  const { api } = ctx;
  const pick = h(
    "select",
    { id: "tc-session" },
    ...[...sessions]
      .reverse()
      .map((s) =>
        h(
          "option",
          { value: s.id },
          `${s.id} · ${s.mode} · ${s.strategy} · ${s.symbols[0] ?? ""} ${s.timeframe}`,
        ),
      ),
  );
  const status = h("p", { class: "status", role: "status", id: "tc-status" });
  const chartEl = h("div", {
    class: "chart",
    id: "trade-chart",
    role: "img",
    "aria-label": "Candles with backtest, paper and live trades",
  });
  chartEl.hidden = true;
  const key = h("p", { class: "note", id: "tc-key" });
  let chart: ReturnType<typeof candleChart> | undefined;
  let notes: MarkerNote[] = [];
  ctx.onLeave(() => chart?.remove());
  (window as unknown as { kairosTradeChart?: unknown }).kairosTradeChart = {
    markers: () => notes,
    candles: () => chart?.candles.data().length ?? 0,
  };
  const draw = async (): Promise<void> => {
    const chosen = sessions.find((s) => s.id === pick.value);
    if (chosen === undefined) return;
    status.textContent = `Reading ${chosen.id}'s fills and backtesting ${chosen.strategy}…`;
    const mine = await api.op<FillsJson>("trade_fills", { id: chosen.id });
    const symbol = mine.symbols[0]!;
    // every session on the same series: paper and live side by side
    const same = sessions.filter(
      (s) => s.symbols[0] === symbol && s.timeframe === mine.timeframe && s.id !== chosen.id,
    );
    const others = await Promise.all(same.map((s) => api.op<FillsJson>("trade_fills", { id: s.id })));
    const all = [mine, ...others].filter((f) => f.exchange === mine.exchange);
    const tf = timeframeMs(mine.timeframe);
    const lastFill = Math.max(...all.flatMap((f) => f.fills.map((x) => x.ts)), Date.parse(mine.from));
    const [bars, bt] = await Promise.all([
      readCandles(api, { exchange: mine.exchange, symbol, timeframe: mine.timeframe }),
      api.op<BacktestReport>("backtest_run", {
        strategy: mine.strategy,
        params: mine.params,
        exchange: mine.exchange,
        symbols: [symbol],
        timeframe: mine.timeframe,
        from: mine.from,
        to: new Date(lastFill + 2 * tf).toISOString(),
      }),
    ]);
    const markers: SeriesMarker<Time>[] = [];
    const next: MarkerNote[] = [];
    // a backtest trade's entry and exit: a buy below its bar pointing up, a sell above it pointing down
    const backtestMark = (ts: number, side: "buy" | "sell"): void => {
      markers.push({
        time: toTime(ts),
        position: side === "buy" ? "belowBar" : "aboveBar",
        shape: side === "buy" ? "arrowUp" : "arrowDown",
        color: "#2f81f7",
        text: `BT ${side}`,
      });
      next.push({ source: "backtest", time: ts, at: ts, side });
    };
    for (const t of bt.trades) {
      const long = t.side !== "short";
      backtestMark(t.entryTs, long ? "buy" : "sell");
      if (Number.isFinite(t.exitTs)) backtestMark(t.exitTs, long ? "sell" : "buy");
    }
    for (const f of all) {
      const live = f.mode === "live";
      for (const x of f.fills) {
        const at = fillBarOpen(bars, x.ts, live);
        if (at === undefined) continue;
        markers.push({
          time: toTime(at),
          position: x.side === "buy" ? "belowBar" : "aboveBar",
          shape: "circle",
          color: live ? "#d29922" : "#a371f7",
          text: `${live ? "L" : "P"} ${x.side}`,
        });
        next.push({ source: live ? "live" : "paper", session: f.id, time: at, at: x.ts, side: x.side });
      }
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    chartEl.hidden = false;
    if (chart === undefined) {
      chart = candleChart(chartEl);
      followTheme(chart.chart, ctx.onLeave);
    }
    chart.setBars(bars);
    chart.setMarkers(markers);
    notes = next;
    // the session's period, a few bars either side
    const first = bars.findIndex((b) => b.ts >= Date.parse(mine.from));
    const lastAt = fillBarOpen(bars, lastFill, false) ?? bars.at(-1)!.ts;
    const last = bars.findIndex((b) => b.ts === lastAt);
    chart.chart
      .timeScale()
      .setVisibleLogicalRange({ from: Math.max(0, first - 5), to: Math.min(bars.length - 1, last + 5) });
    replace(
      key,
      `Blue arrows (BT): the backtest of ${mine.strategy} ${JSON.stringify(mine.params)} from ${utc(Date.parse(mine.from))} (${bt.trades.length} trades). Purple circles (P): paper fills; amber circles (L): live fills (${all.map((f) => `${f.id} ${f.mode} ${f.total}`).join(", ")}). Fills are placed on the candle they happened in; their exact times are in each session's fills table.`,
    );
    status.textContent = `${num(markers.length)} markers on ${mine.exchange} ${symbol} ${mine.timeframe}.`;
  };
  return h(
    "section",
    { class: "card", "aria-label": "Backtest, paper and live trades on one chart", id: "trade-chart-card" },
    h("h2", {}, "Backtest, paper and live trades on one chart"),
    h(
      "div",
      { class: "toolbar" },
      field("tc-session", "Session", pick),
      h(
        "button",
        {
          type: "button",
          id: "tc-draw",
          onclick: () => {
            draw().catch((e: unknown) => (status.textContent = `Not drawn: ${messageOf(e)}`));
          },
        },
        "Draw",
      ),
    ),
    status,
    chartEl,
    key,
  );
}

/** A session card's fills and P&L today, read on demand */
export async function sessionFills(api: Api, id: string): Promise<HTMLElement> {
  const f = await api.op<FillsJson>("trade_fills", { id });
  return h(
    "div",
    {},
    h(
      "p",
      { id: `pnl-today-${id}` },
      `P&L today (${f.today.day}, since 00:00 UTC): ${f.today.pnl}; ${f.today.fills} fills today.`,
    ),
    f.total === 0 ? h("p", {}, "No fills yet.") : fillsTable(f),
  );
}
