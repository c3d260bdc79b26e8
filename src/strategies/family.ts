import type { z } from "zod";
import type { CandleSeries } from "../domain/candle-series.ts";
import type { CachedArray } from "../indicators/cache/block-summary.ts";
import type { IndicatorCache } from "../indicators/cache/indicator-cache.ts";
import type { Strategy } from "./types.ts";

/**
 * How the sweep engine runs a family over many parameter combinations. Indicator arrays come from
 * the shared cache (one array per indicator and parameters), so a combination does no indicator work.
 */
export interface SweepForm<P> {
  /** the same exposures as `StrategyFamily.exposures`, bit for bit, from cached arrays, into `out` */
  exposures(series: CandleSeries, p: P, cache: IndicatorCache, out: Float64Array): void;
  /**
   * For crossovers: the exposure is `on` while a[t] > b[t] (else 0) from bar `start` on. When
   * given, the engine runs the tiled per-trade kernel instead of the per-bar one.
   */
  cross?(
    series: CandleSeries,
    p: P,
    cache: IndicatorCache,
  ): { a: CachedArray; b: CachedArray; start: number; on: number } | undefined;
}

/** A built-in strategy family: params schema, event form and vectorised form agree bar for bar */
export interface StrategyFamily<P extends Record<string, number | boolean>> {
  readonly name: string;
  readonly description: string;
  /** zod schema with defaults and bounds; parse({}) gives the defaults */
  readonly params: z.ZodType<P>;
  /** a small default grid for sweeps and screening */
  readonly grid: { readonly [K in keyof P]?: readonly number[] };
  /** bars before the first valid exposure */
  warmup(p: P): number;
  /**
   * Target exposure decided at each bar's close (0 during warm-up), written into `out`.
   * Causal: out[t] depends only on bars [0, t]. The engines fill it at bar t+1's open.
   */
  exposures(series: CandleSeries, p: P, out?: Float64Array): Float64Array;
  /** the indicator arrays behind the exposures, by name (reported and checked for look-ahead) */
  indicators?(series: CandleSeries, p: P): Record<string, Float64Array>;
  /** the event-driven object (same numbers as `exposures`) */
  create(p: P): Strategy;
  /** the sweep engine's form; without it the sweep calls `exposures` per combination */
  readonly sweep?: SweepForm<P>;
}
