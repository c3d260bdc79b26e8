import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Decision } from "../../domain/decision.ts";
import type { PreparedData, Strategy, StrategyContext } from "../types.ts";

/**
 * How a single-symbol family's exposure becomes a target when one strategy trades several symbols:
 * each symbol gets an equal share, exposure / number of symbols, so the targets together never ask
 * more than the family's exposure of the whole equity (README "Several symbols"). The one rule for
 * every event form (eventFormOf, strategyFromFamily); one symbol trades the exposure as it is.
 */
export const symbolShare = (exposure: number, symbols: number): number => exposure / symbols;

/**
 * The event form of a vectorised family: `prepare` computes the causal exposure array once over the
 * loaded bars (exposures[t] reads only bars [0, t], which the look-ahead check verifies) and
 * `onBar` hands out the value of the bar that just closed, so both forms give the same targets
 * (with several symbols, each symbol's share of it: symbolShare).
 */
export function eventFormOf(
  id: string,
  warmup: number,
  exposures: (s: CandleSeries) => Float64Array,
): Strategy {
  const cache = new Map<string, Float64Array>();
  return {
    id,
    warmup,
    prepare(data: PreparedData): void {
      cache.clear();
      for (const [sym, s] of Object.entries(data.series)) cache.set(sym, exposures(s));
    },
    onBar(ctx: StrategyContext): Decision | undefined {
      const targets: Record<string, number> = {};
      for (const sym of ctx.symbols) {
        let e = cache.get(sym);
        // without prepare (a streaming host), compute over the bars seen so far: still causal
        if (e === undefined || e.length <= ctx.bar) e = exposures(ctx.series(sym));
        const v = e[ctx.bar];
        targets[sym] = v === undefined || Number.isNaN(v) ? 0 : symbolShare(v, ctx.symbols.length);
      }
      return { targets, reason: id };
    },
  };
}

/** Keeps only the sign of a long signal as 0/1, NaN (warm-up) as 0 */
export const longOnly = (x: number): number => (x > 0 ? 1 : 0);
