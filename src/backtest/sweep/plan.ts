import type { CandleSeries } from "../../domain/candle-series.ts";
import type { CachedArray } from "../../indicators/cache/block-summary.ts";
import type { IndicatorCache } from "../../indicators/cache/indicator-cache.ts";
import type { StrategyFamily } from "../../strategies/family.ts";
import { sweepFormOf } from "../../strategies/sweep-forms.ts";
import type { SweepPlan } from "./engine.ts";

/**
 * The plan of a family over parameter combinations: a crossover plan (tiled per-trade kernel) when
 * the family's sweep form describes every combination as one, else the dense per-bar plan.
 * Deterministic, so worker threads rebuild the same plan from the same cache.
 */
export function buildPlan(
  // biome-ignore lint/suspicious/noExplicitAny: any family; params were validated by its schema
  family: StrategyFamily<any>,
  series: CandleSeries,
  params: readonly Record<string, number | boolean>[],
  cache: IndicatorCache,
  options: { dense?: boolean } = {},
): SweepPlan {
  const form = sweepFormOf(family);
  const m = params.length;
  if (form.cross !== undefined && options.dense !== true) {
    const arrays: CachedArray[] = [];
    const slot = new Map<CachedArray, number>();
    const indexOf = (a: CachedArray): number => {
      let i = slot.get(a);
      if (i === undefined) {
        i = arrays.length;
        arrays.push(a);
        slot.set(a, i);
      }
      return i;
    };
    const a = new Int32Array(m);
    const b = new Int32Array(m);
    const start = new Int32Array(m);
    const on = new Float64Array(m);
    let ok = true;
    for (let j = 0; j < m && ok; j++) {
      const c = form.cross(series, params[j]!, cache);
      if (c === undefined) ok = false;
      else {
        a[j] = indexOf(c.a);
        b[j] = indexOf(c.b);
        start[j] = c.start;
        on[j] = c.on;
      }
    }
    if (ok) return { kind: "cross", arrays, a, b, start, on };
  }
  return {
    kind: "dense",
    count: m,
    exposures: (j, out) => form.exposures(series, params[j]!, cache, out),
  };
}
