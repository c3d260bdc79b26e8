/**
 * The worker side of a parallel sweep (kernel name SWEEP_KERNEL). The calling thread prepares the
 * series and indicator arrays once in SharedArrayBuffers; each thread rebuilds the same plan from
 * them (no recomputation for crossover plans) and writes its combinations' rows straight into the
 * shared results array, so results do not depend on which thread ran what.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import { getFamily } from "../../strategies/registry.ts";
import { type CacheEntry, IndicatorCache } from "./indicator-cache.ts";
import { buildPlan } from "./plan.ts";
import type { PreparedSeries } from "./prepared.ts";
import type { SimConfig } from "./simulate.ts";
import { runSweepRange, type SweepContext } from "./sweep.ts";

export const SWEEP_KERNEL = "sweep.range";

/** Sent once per run to every thread */
export interface SweepShared {
  family: string;
  params: Record<string, number | boolean>[];
  series: CandleSeries;
  prepared: PreparedSeries;
  cache: CacheEntry[];
  sim: SimConfig;
  dense: boolean;
  general: boolean;
  /** RESULT_STRIDE numbers per combination, SharedArrayBuffer-backed */
  out: Float64Array;
}

/** One task: combinations from, from + step, ... below `to` */
export interface SweepTask {
  from: number;
  to: number;
  step: number;
}

/**
 * One context per thread per sweep, for both kernels: the pool sends a sweep's shared value once for
 * its two runs (indicators, then the grid), so the plan is built once per thread and its deferred
 * cache both knows how to compute each entry and hands the computed arrays to the plan.
 */
const contexts = new WeakMap<SweepShared, { ctx: SweepContext; cache: IndicatorCache }>();

export const SWEEP_PREP_KERNEL = "sweep.prepare";

/**
 * Computes cache entries [from, to) (insertion order) into the shared arrays: the calling thread
 * only allocates them, so the threads split the indicator work before the sweep proper.
 */
export function sweepPrepareKernel(task: SweepTask, shared: SweepShared): number {
  const { cache } = contextOf(shared);
  for (let i = task.from; i < task.to; i += task.step) cache.computeAt(i);
  return 0;
}

function contextOf(s: SweepShared): { ctx: SweepContext; cache: IndicatorCache } {
  let c = contexts.get(s);
  if (c === undefined) {
    const family = getFamily(s.family);
    if (family === undefined) throw invalidInput(`sweep: unknown family ${s.family}`);
    // deferred: building the plan visits every key and so learns how to compute each entry
    const cache = IndicatorCache.fromSnapshot(s.prepared.n, s.cache, undefined, true);
    const plan = buildPlan(family, s.series, s.params, cache, s.dense ? { dense: true } : {});
    cache.computeMissesNow();
    c = { ctx: { prepared: s.prepared, cache, plan, sim: s.sim, combos: s.params.length }, cache };
    contexts.set(s, c);
  }
  return c;
}

/** Runs one task; returns the number of combinations done */
export function sweepRangeKernel(task: SweepTask, shared: SweepShared): number {
  runSweepRange(contextOf(shared).ctx, task.from, task.to, shared.out, {
    step: task.step,
    ...(shared.general ? { general: true } : {}),
  });
  return Math.ceil((task.to - task.from) / task.step);
}
