// Small hand-written series and scripted strategies for the backtest tests

import type { CandleSeries } from "../../src/domain/candle-series.ts";
import type { Decision } from "../../src/domain/decision.ts";
import type { Timeframe } from "../../src/domain/timeframe.ts";
import { timeframeMs } from "../../src/domain/timeframe.ts";
import type { Trade } from "../../src/domain/trade.ts";
import type { Strategy, StrategyContext } from "../../src/strategies/types.ts";

export const T0 = Date.UTC(2024, 0, 1);

/** A series from columns; ts spaced by the timeframe from T0 */
export function seriesOf(
  cols: { o: number[]; h: number[]; l: number[]; c: number[]; v?: number[] },
  symbol = "BTC/USDT",
  timeframe: Timeframe = "1h",
  t0 = T0,
): CandleSeries {
  const n = cols.c.length;
  const step = timeframeMs(timeframe);
  return {
    exchange: "test",
    symbol,
    timeframe,
    ts: Float64Array.from({ length: n }, (_, i) => t0 + i * step),
    open: Float64Array.from(cols.o),
    high: Float64Array.from(cols.h),
    low: Float64Array.from(cols.l),
    close: Float64Array.from(cols.c),
    volume: Float64Array.from(cols.v ?? cols.c.map(() => 1000)),
  };
}

/** The 20-bar path written out in engine.test.ts */
export const TWENTY = {
  o: [100, 100, 100, 100, 104, 106, 108, 110, 112, 110, 108, 106, 104, 102, 100, 98, 100, 102, 104, 106],
  h: [101, 101, 101, 105, 107, 109, 111, 113, 113, 111, 109, 107, 105, 103, 101, 101, 103, 105, 107, 107],
  l: [99, 99, 99, 99, 103, 105, 107, 109, 109, 107, 105, 103, 101, 99, 97, 97, 99, 101, 103, 105],
  c: [100, 100, 100, 104, 106, 108, 110, 112, 110, 108, 106, 104, 102, 100, 98, 100, 102, 104, 106, 106],
};

/** A strategy that returns a fixed decision at given bars and nothing otherwise */
export function scripted(script: Record<number, Decision>, id = "scripted"): Strategy {
  return {
    id,
    warmup: 0,
    onBar: (ctx: StrategyContext) => script[ctx.bar],
  };
}

/** A closed long trade of one unit with `pnl`; `over` sets any other field */
export function tradeOf(pnl: number, over: Partial<Trade> = {}): Trade {
  return {
    symbol: "X",
    side: "long",
    entryTs: 0,
    entryPrice: 1,
    exitTs: 1,
    exitPrice: 1,
    qty: 1,
    fees: 0,
    funding: 0,
    pnl,
    returnPct: pnl / 100,
    bars: 1,
    entryReason: "signal",
    exitReason: "signal",
    mae: 0,
    mfe: 0,
    ...over,
  };
}
