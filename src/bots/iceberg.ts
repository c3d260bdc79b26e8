import { z } from "zod";
import type { Decision } from "../domain/decision.ts";
import { AppError } from "../errors.ts";
import type { Strategy, StrategyContext } from "../strategies/types.ts";
import { decimalsOf, floorToStepNumber } from "./quantity.ts";

export const icebergParams = z
  .object({
    /** the parent order's base quantity */
    qty: z.number().positive(),
    sell: z.boolean().default(false),
    /** the limit price of every clip, on the market's tick */
    price: z.number().positive(),
    /** the visible quantity: one clip rests at a time */
    clip: z.number().positive(),
    step: z.number().positive().default(0.00001),
  })
  .strict();
export type IcebergParams = z.infer<typeof icebergParams>;

/**
 * Iceberg as an execution algorithm: one visible limit clip rests at the price; once it is filled
 * (no working order left) the next clip is placed, until the parent quantity is done. Like TWAP it
 * keeps no state of its own: done is the position, the resting clip is `ctx.openOrders`.
 */
export function icebergStrategy(p: IcebergParams): Strategy {
  const side = p.sell ? "sell" : "buy";
  return {
    id: `iceberg(${p.qty},${side},${p.price},${p.clip})`,
    warmup: 0,
    onBar(ctx: StrategyContext): Decision | undefined {
      if (ctx.warmingUp) return undefined;
      if (ctx.openOrders === undefined)
        throw new AppError("INTERNAL", "iceberg needs a host that reports working orders (ctx.openOrders)");
      const symbol = ctx.symbols[0]!;
      if (ctx.openOrders(symbol).some((o) => o.side === side)) return undefined;
      const pos = ctx.position(symbol);
      const remaining = p.qty - (p.sell ? -pos : pos);
      // whole steps, so a backtest's float position and a session's exact one give the same clip
      const steps = Math.min(
        Math.round(floorToStepNumber(p.clip, p.step) / p.step),
        Math.round(remaining / p.step),
      );
      if (steps <= 0) return undefined;
      const qty = Number((steps * p.step).toFixed(decimalsOf(p.step)));
      return {
        orders: [
          { symbol, side, type: "limit", qty, limitPrice: p.price, timeInForce: "gtc", tag: "iceberg" },
        ],
        reason: `iceberg clip: ${side} ${qty} at ${p.price} (${Math.max(0, remaining - qty)} hidden)`,
      };
    },
  };
}
