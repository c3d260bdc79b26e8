import { z } from "zod";
import type { Decision } from "../domain/decision.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import type { Strategy, StrategyContext } from "../strategies/types.ts";
import { decimalsOf, floorToStepNumber } from "./quantity.ts";

export const twapParams = z
  .object({
    /** the parent order's base quantity */
    qty: z.number().positive(),
    /** sell the parent (default: buy) */
    sell: z.boolean().default(false),
    /** duration in bars: one slice is decided at the close of each of them */
    bars: z.number().int().min(1).max(100_000),
    /** a slice is at most this fraction of the reference bar's traded volume */
    participation: z.number().gt(0).max(1).default(0.1),
    /** open time (epoch ms) of the first bar a slice is decided on */
    start: z.number().int().min(0),
    /** the market's quantity step: slices are floored to it */
    step: z.number().positive().default(0.00001),
    /** slices below this notional (quote) are not sent: the venue would refuse them */
    minNotional: z.number().min(0).default(0),
  })
  .strict();
export type TwapParams = z.infer<typeof twapParams>;

/** What one slice decision sees */
export interface SliceInput {
  /** parent quantity not yet filled nor in flight */
  remaining: number;
  /** bars of the schedule left, this one included (>= 1 inside the schedule) */
  slicesLeft: number;
  /** traded volume of the reference bar (the one that just closed) */
  volume: number;
  participation: number;
  step: number;
  /** reference price for the minimum notional */
  price: number;
  minNotional: number;
}

/**
 * One TWAP slice: the remaining quantity spread evenly over the bars left, never above the
 * participation cap of the reference bar's volume nor the remaining quantity, on the step. It counts
 * in whole steps (fills and orders are whole steps), so a backtest's float position and a session's
 * exact decimal one give the same slice. What a capped slice leaves is spread over the later bars;
 * the last bar sends what the cap allows (a schedule can end short when volume is thin, it never
 * exceeds the cap to catch up).
 */
export function twapSlice(i: SliceInput): number {
  if (!(i.remaining > 0) || i.slicesLeft < 1 || !(i.volume > 0)) return 0;
  const left = Math.round(i.remaining / i.step);
  let even = Math.floor(left / i.slicesLeft);
  while ((even + 1) * i.slicesLeft <= left) even++;
  while (even > 0 && even * i.slicesLeft > left) even--;
  const cap = Math.round(floorToStepNumber(i.participation * i.volume, i.step) / i.step);
  const steps = Math.min(even, cap, left);
  if (steps <= 0) return 0;
  const q = Number((steps * i.step).toFixed(decimalsOf(i.step)));
  return q * i.price >= i.minNotional ? q : 0;
}

/**
 * TWAP as an execution algorithm: at the close of each bar of the schedule it sends a market slice.
 * The state it needs is read back each bar, never kept: the quantity done is the position (a bot's
 * session starts flat) and what is in flight comes from `ctx.openOrders`, so a restarted bot
 * continues where it stopped and never sends a slice twice. The backtest and a trading session run
 * this same object.
 */
export function twapStrategy(p: TwapParams): Strategy {
  const side = p.sell ? "sell" : "buy";
  return {
    id: `twap(${p.qty},${side},${p.bars},${p.participation})`,
    warmup: 0,
    onBar(ctx: StrategyContext): Decision | undefined {
      if (ctx.warmingUp) return undefined;
      const k = Math.floor((ctx.ts - p.start) / timeframeMs(ctx.timeframe));
      if (k < 0 || k >= p.bars) return undefined;
      const symbol = ctx.symbols[0]!;
      const s = ctx.series(symbol);
      const last = s.close.length - 1;
      const pos = ctx.position(symbol);
      const done = p.sell ? -pos : pos;
      const inFlight = (ctx.openOrders?.(symbol) ?? [])
        .filter((o) => o.side === side)
        .reduce((a, o) => a + o.remaining, 0);
      const volume = s.volume[last]!;
      const qty = twapSlice({
        remaining: p.qty - done - inFlight,
        slicesLeft: p.bars - k,
        volume,
        participation: p.participation,
        step: p.step,
        price: s.close[last]!,
        minNotional: p.minNotional,
      });
      if (qty === 0) return undefined;
      return {
        orders: [{ symbol, side, type: "market", qty, tag: "twap" }],
        reason: `twap slice ${k + 1}/${p.bars}: ${side} ${qty} (cap ${p.participation} x volume ${volume})`,
      };
    },
  };
}
