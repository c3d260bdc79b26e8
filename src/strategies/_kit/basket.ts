import type { z } from "zod";
import type { Decision } from "../../domain/decision.ts";
import type { Timeframe } from "../../domain/timeframe.ts";
import type { Strategy, StrategyContext } from "../types.ts";

/**
 * Several symbols on one clock. Arrays hold NaN before a symbol's first bar (and in its gaps), so
 * a symbol joins the basket only from its first bar: no survivorship bias from later listings.
 */
export interface BasketData {
  readonly timeframe: Timeframe;
  readonly ts: Float64Array;
  readonly symbols: readonly string[];
  readonly open: readonly Float64Array[];
  readonly close: readonly Float64Array[];
  /** closes of the reference asset (BTC) on the same clock, when the family needs one */
  readonly reference?: Float64Array;
}

/** A family that allocates across a basket: one weight array per symbol, weights of a bar sum to <= 1 */
export interface BasketFamily<P extends Record<string, number | boolean>> {
  readonly kind: "basket";
  readonly name: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  readonly grid: { readonly [K in keyof P]?: readonly number[] };
  readonly needsReference: boolean;
  warmup(p: P): number;
  /** weights[k][t]: symbol k's target exposure decided at bar t's close; causal */
  weights(data: BasketData, p: P): Float64Array[];
  /** event form: the same weights handed out bar by bar */
  create(p: P, data: BasketData): Strategy;
}

/** Event form of a basket family over prepared basket data */
export function basketEventForm(id: string, warmup: number, data: BasketData, w: Float64Array[]): Strategy {
  return {
    id,
    warmup,
    onBar(ctx: StrategyContext): Decision | undefined {
      const targets: Record<string, number> = {};
      data.symbols.forEach((s, k) => {
        const v = w[k]?.[ctx.bar];
        targets[s] = v === undefined || Number.isNaN(v) ? 0 : v;
      });
      return { targets, reason: id };
    },
  };
}

/** Simple return over `lookback` bars ending at t, NaN when either end is missing */
export const lookbackReturn = (c: Float64Array, t: number, lookback: number): number => {
  if (t - lookback < 0) return Number.NaN;
  const a = c[t - lookback]!;
  const b = c[t]!;
  return a > 0 && b > 0 ? b / a - 1 : Number.NaN;
};
