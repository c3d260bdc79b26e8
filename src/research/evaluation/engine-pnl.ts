import { runEngine } from "../../backtest/engine.ts";
import { defaultExecution } from "../../backtest/types.ts";
import { type CandleSeries, sliceSeries } from "../../domain/candle-series.ts";
import type { Strategy } from "../../strategies/types.ts";
import type { SignalPnl } from "./signal-pnl.ts";

/**
 * P&L of trading a direction signal long/flat on spot through the backtest engine itself
 * (src/backtest/engine.ts): the target decided at sample t's close fills at t+1's open with the
 * taker fee, fills clamped into the bar, cash-capped buys; the run starts at the first sample and
 * ends at the bar after the last one, so the last decision can still fill.
 */
export function enginePnl(series: CandleSeries, samples: Int32Array, dir: Int8Array, fee: number): SignalPnl {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined)
    return { netReturnPct: Number.NaN, buyHoldPct: Number.NaN, trades: 0, feesPaid: 0 };
  const s = sliceSeries(series, 0, Math.min(series.close.length, last + 2));
  const symbol = series.symbol;
  const strategy: Strategy = {
    id: "forecast-signal",
    warmup: 0,
    onBar(ctx) {
      const i = ctx.bar - first;
      if (i < 0 || i >= dir.length) return undefined;
      return {
        targets: { [symbol]: dir[i]! > 0 ? 1 : 0 },
        reason: dir[i]! > 0 ? "forecast up" : "forecast not up",
      };
    },
  };
  const r = runEngine({ series: [s], strategy, config: defaultExecution({ fee }), start: first });
  const eq = r.equity;
  const bh = r.buyAndHoldEquity;
  let fees = 0;
  for (const f of r.fills) fees += f.fee;
  return {
    netReturnPct: 100 * (eq[eq.length - 1]! / eq[0]! - 1),
    buyHoldPct: 100 * (bh[bh.length - 1]! / bh[0]! - 1),
    trades: r.trades.length,
    feesPaid: fees / r.config.initialCash,
  };
}
