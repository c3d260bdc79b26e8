/**
 * Candles of a live session fetched over REST (the catch-up beside the kline streams): a market's
 * closed candles stored and returned, and the instants every market has closed, aligned
 */
import { allocColumns, type CandleSeries } from "../domain/candle-series.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import type { WindowBar } from "../execution/bar-window.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import type { SessionConfig, TradingDeps } from "./trade-runtime.ts";

/** Stores the exchange's closed candles of one market from `since` (the one in progress is left out) and returns them */
export async function pullClosed(
  deps: TradingDeps,
  market: MarketDataSource,
  cfg: SessionConfig,
  symbol: string,
  since: number,
  serverNow: number,
): Promise<WindowBar[]> {
  const tf = timeframeMs(cfg.timeframe);
  let from = since;
  const out: WindowBar[] = [];
  for (;;) {
    const page = await market.fetchCandles(symbol, cfg.timeframe, from, market.maxCandlesPerPage);
    let n = 0;
    while (n < page.ts.length && page.ts[n]! + tf <= serverNow) n++;
    if (n > 0) {
      const cols = allocColumns(n);
      for (const k of ["ts", "open", "high", "low", "close", "volume"] as const)
        cols[k].set(page[k].subarray(0, n));
      const series: CandleSeries = { exchange: cfg.exchange, symbol, timeframe: cfg.timeframe, ...cols };
      deps.store.upsert(series);
      for (let i = 0; i < n; i++)
        out.push({
          ts: cols.ts[i]!,
          open: cols.open[i]!,
          high: cols.high[i]!,
          low: cols.low[i]!,
          close: cols.close[i]!,
          volume: cols.volume[i]!,
        });
    }
    if (n < market.maxCandlesPerPage || n === 0) return out;
    from = page.ts[n - 1]! + tf;
  }
}

/**
 * The instants every market has closed, after `after`, as one bar per market in `symbols` order:
 * only up to the oldest market's newest bar (a market whose candle is late is waited for), and
 * only timestamps all of them have (a session acts on one clock, as loadSeries aligns)
 */
export function alignedAfter(
  pulled: readonly WindowBar[][],
  after: number,
): { ts: number; bars: WindowBar[] }[] {
  const upTo = Math.min(...pulled.map((p) => (p.length === 0 ? after : p[p.length - 1]!.ts)));
  const maps = pulled.map(
    (p) => new Map(p.filter((b) => b.ts > after && b.ts <= upTo).map((b) => [b.ts, b])),
  );
  const out: { ts: number; bars: WindowBar[] }[] = [];
  for (const ts of [...maps[0]!.keys()].sort((a, b) => a - b)) {
    const bars = maps.map((m) => m.get(ts));
    if (bars.every((b) => b !== undefined)) out.push({ ts, bars: bars as WindowBar[] });
  }
  return out;
}
