import type { CandleSeries } from "../domain/candle-series.ts";
import type { Decision } from "../domain/decision.ts";
import { symbolShare } from "./_kit/event-form.ts";
import type { StrategyFamily } from "./family.ts";
import type { PreparedData, Strategy, StrategyContext } from "./types.ts";

/**
 * The event-driven form of a family: batch exposures and indicators computed once in `prepare`
 * (causal kernels, verified by the look-ahead check), read at the current bar in `onBar`.
 * With several symbols each gets an equal share (symbolShare: exposure / number of symbols).
 */
export function strategyFromFamily<P extends Record<string, number | boolean>>(
  family: StrategyFamily<P>,
  params: P,
): Strategy {
  let syms: string[] = [];
  let exp: Float64Array[] = [];
  let ind: [string, Float64Array][][] = [];
  let expKeys: string[] = [];
  // one decision object rewritten each bar: engines read it before the next bar (no per-bar garbage)
  const targets: Record<string, number> = {};
  const values: Record<string, number> = {};
  const decision: Decision = { targets, values };
  return {
    id: family.name,
    warmup: family.warmup(params),
    prepare(data: PreparedData): void {
      syms = Object.keys(data.series);
      const all: CandleSeries[] = syms.map((s) => data.series[s]!);
      exp = all.map((s) => family.exposures(s, params));
      ind = all.map((s, i) =>
        Object.entries(family.indicators?.(s, params) ?? {}).map(
          ([k, a]) => [`${syms[i]}:${k}`, a] as [string, Float64Array],
        ),
      );
      expKeys = syms.map((s) => `${s}:exposure`);
    },
    onBar(ctx: StrategyContext): Decision | undefined {
      const k = syms.length;
      for (let i = 0; i < k; i++) {
        const sym = syms[i]!;
        const e = exp[i]![ctx.bar]!;
        targets[sym] = symbolShare(e, k);
        values[expKeys[i]!] = e;
        for (const [key, arr] of ind[i]!) values[key] = arr[ctx.bar]!;
      }
      return decision;
    },
  };
}
