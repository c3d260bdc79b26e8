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

const contexts = new WeakMap<SweepShared, SweepContext>();
const prepContexts = new WeakMap<SweepShared, IndicatorCache>();

export const SWEEP_PREP_KERNEL = "sweep.prepare";

/**
 * Computes cache entries [from, to) (insertion order) into the shared arrays: the calling thread
 * only allocates them, so the threads split the indicator work before the sweep proper.
 */
export function sweepPrepareKernel(task: SweepTask, shared: SweepShared): number {
  let cache = prepContexts.get(shared);
  if (cache === undefined) {
    const family = getFamily(shared.family);
    if (family === undefined) throw invalidInput(`sweep: unknown family ${shared.family}`);
    cache = IndicatorCache.fromSnapshot(shared.prepared.n, shared.cache, undefined, true);
    // building the plan visits every key and so learns how to compute each entry
    buildPlan(family, shared.series, shared.params, cache, shared.dense ? { dense: true } : {});
    prepContexts.set(shared, cache);
  }
  for (let i = task.from; i < task.to; i += task.step) cache.computeAt(i);
  return 0;
}

function contextOf(s: SweepShared): SweepContext {
  let ctx = contexts.get(s);
  if (ctx === undefined) {
    const family = getFamily(s.family);
    if (family === undefined) throw invalidInput(`sweep: unknown family ${s.family}`);
    const cache = IndicatorCache.fromSnapshot(s.prepared.n, s.cache);
    const plan = buildPlan(family, s.series, s.params, cache, s.dense ? { dense: true } : {});
    ctx = { prepared: s.prepared, cache, plan, sim: s.sim, combos: s.params.length };
    contexts.set(s, ctx);
  }
  return ctx;
}

/** Runs one task; returns the number of combinations done */
export function sweepRangeKernel(task: SweepTask, shared: SweepShared): number {
  runSweepRange(contextOf(shared), task.from, task.to, shared.out, {
    step: task.step,
    ...(shared.general ? { general: true } : {}),
  });
  return Math.ceil((task.to - task.from) / task.step);
}
