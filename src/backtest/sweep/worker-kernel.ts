/**
 * The worker side of a parallel sweep (kernel name SWEEP_KERNEL). The calling thread prepares the
 * series and indicator arrays once in SharedArrayBuffers; each thread rebuilds the same plan from
 * them (no recomputation for crossover plans) and writes its combinations' rows straight into the
 * shared results array, so results do not depend on which thread ran what.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import { IndicatorCache, type PackedCache } from "../../indicators/cache/indicator-cache.ts";
import { getFamily } from "../../strategies/registry.ts";
import { buildPlan } from "./plan.ts";
import type { PreparedSeries } from "./prepared.ts";
import type { SimConfig } from "./simulate.ts";
import { runSweepRange, type SweepContext } from "./sweep.ts";
import { type CrossWave, computeWaveEntries, runCrossWave } from "./wave.ts";

export const SWEEP_KERNEL = "sweep.range";

/**
 * A grid as columns: one number per combination and parameter (booleans as 0/1). Structured-cloning
 * 815 small objects cost ~1 ms per thread on the calling thread; this is one array.
 */
export interface PackedParams {
  names: string[];
  booleans: boolean[];
  /** combination j's parameter k at j * names.length + k */
  values: Float64Array;
}

type Params = Record<string, number | boolean>;

export function packParams(params: readonly Params[]): PackedParams {
  const first = params[0] ?? {};
  const names = Object.keys(first);
  const booleans = names.map((k) => typeof first[k] === "boolean");
  const values = new Float64Array(params.length * names.length);
  params.forEach((p, j) => {
    if (Object.keys(p).length !== names.length)
      throw invalidInput("sweep: every combination of a grid must set the same parameters");
    names.forEach((k, i) => {
      const v = p[k];
      if ((typeof v !== "number" && typeof v !== "boolean") || (typeof v === "boolean") !== booleans[i])
        throw invalidInput(`sweep: parameter ${k} must be of one type across the grid`);
      values[j * names.length + i] = Number(v);
    });
  });
  return { names, booleans, values };
}

export function unpackParams(p: PackedParams): Params[] {
  const w = p.names.length;
  const m = w === 0 ? 0 : p.values.length / w;
  const out: Params[] = [];
  for (let j = 0; j < m; j++) {
    const o: Params = {};
    for (let i = 0; i < w; i++) {
      const v = p.values[j * w + i]!;
      o[p.names[i]!] = p.booleans[i] ? v !== 0 : v;
    }
    out.push(o);
  }
  return out;
}

/** Sent once per sweep to every thread (the pool keeps it across the sweep's runs) */
export interface SweepShared {
  family: string;
  params: PackedParams;
  series: CandleSeries;
  prepared: PreparedSeries;
  cache: PackedCache;
  sim: SimConfig;
  dense: boolean;
  general: boolean;
  /** RESULT_STRIDE numbers per combination, SharedArrayBuffer-backed */
  out: Float64Array;
  /** a crossover plan without stops runs as a wave (SWEEP_WAVE_KERNEL) */
  wave?: CrossWave;
}

/** One task: combinations from, from + step, ... below `to` */
export interface SweepTask {
  from: number;
  to: number;
  step: number;
}

/**
 * One context per thread per sweep, for every kernel: the pool sends a sweep's shared value once for
 * all its runs (the block path's indicators, then its grid; the wave's single run), so the plan is
 * built once per thread and its deferred cache both knows how to compute each entry and hands the
 * computed arrays to the plan.
 */
const contexts = new WeakMap<SweepShared, SweepContext>();

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

function contextOf(s: SweepShared): SweepContext {
  let c = contexts.get(s);
  if (c === undefined) {
    const family = getFamily(s.family);
    if (family === undefined) throw invalidInput(`sweep: unknown family ${s.family}`);
    // deferred: building the plan visits every key and so learns how to compute each entry
    const cache = IndicatorCache.fromPacked(s.prepared.n, s.cache, undefined, true);
    const params = unpackParams(s.params);
    const plan = buildPlan(family, s.series, params, cache, s.dense ? { dense: true } : {});
    cache.computeMissesNow();
    c = { prepared: s.prepared, cache, plan, sim: s.sim, combos: params.length };
    contexts.set(s, c);
  }
  return c;
}

export const SWEEP_WAVE_KERNEL = "sweep.wave";

/**
 * One thread's share of a wave sweep (see CrossWave), indicators included: every thread runs one
 * such task, so the sweep is one run with no round trip to the calling thread between its phases
 */
export function sweepWaveKernel(_task: null, shared: SweepShared): number {
  const ctx = contextOf(shared);
  const w = shared.wave;
  if (w === undefined || ctx.plan.kind !== "cross")
    throw new Error("sweep.wave: the sweep has no wave (a crossover plan without stops)");
  if (!computeWaveEntries(ctx.cache, w)) return 0;
  return runCrossWave(ctx.prepared, ctx.plan, ctx.sim, w, shared.out);
}

/** Runs one task; returns the number of combinations done */
export function sweepRangeKernel(task: SweepTask, shared: SweepShared): number {
  runSweepRange(contextOf(shared), task.from, task.to, shared.out, {
    step: task.step,
    ...(shared.general ? { general: true } : {}),
  });
  return Math.ceil((task.to - task.from) / task.step);
}
