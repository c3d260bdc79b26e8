import type { CachedArray } from "../../indicators/cache/block-summary.ts";
import type { PreparedSeries } from "./prepared.ts";

import { allocTransitions, crossScan, type TransitionBuffer, transitionsOf } from "./scan.ts";
import {
  finishSimState,
  hasExits,
  initSimState,
  RESULT_STRIDE,
  SIM_STATE_STRIDE,
  type SimConfig,
  simulateExposures,
  simulateRange,
  simulateTransitions,
} from "./simulate.ts";

/**
 * Combinations whose target is `on[j]` while `arrays[a[j]] > arrays[b[j]]`, else 0, from bar
 * `start[j]` on (0 before): crossovers. Indexes into shared arrays, so a plan holds no per-combination objects.
 */
export interface CrossPlan {
  readonly kind: "cross";
  readonly arrays: readonly CachedArray[];
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly start: Int32Array;
  readonly on: Float64Array;
}

/** Any family: combination j writes its dense target-exposure array (the general path) */
export interface DensePlan {
  readonly kind: "dense";
  readonly count: number;
  exposures(j: number, out: Float64Array): void;
}

export type SweepPlan = CrossPlan | DensePlan;

export const planSize = (plan: SweepPlan): number => (plan.kind === "cross" ? plan.a.length : plan.count);

/** Bars per tile: every combination is advanced one tile at a time so the tile's arrays stay in cache */
export const TILE = 1024;

/**
 * Runs combinations from, from + step, ... below `to` of a plan and writes row j of `out`
 * (RESULT_STRIDE numbers per combination, see RESULT_FIELDS) at j * RESULT_STRIDE. Many
 * combinations per call is faster: the per-series arrays are then read once per tile for all. Buffers are allocated once per call, never
 * per combination. `general` forces the per-bar definition (for agreement tests).
 */
/**
 * Whether a plan runs on the tiled per-trade path (a crossover plan without stops, `general` not
 * forced): the only plans a wave (wave.ts) can run
 */
export const runsTiled = (plan: SweepPlan, cfg: SimConfig, general = false): boolean =>
  plan.kind === "cross" && !general && !hasExits(cfg);

export function runPlan(
  p: PreparedSeries,
  plan: SweepPlan,
  cfg: SimConfig,
  from: number,
  to: number,
  out: Float64Array,
  options: { general?: boolean; step?: number } = {},
): void {
  const step = options.step ?? 1;
  // stops are modelled by the per-bar path only
  const general = options.general === true || hasExits(cfg);
  if (plan.kind === "dense") {
    const exposure = new Float64Array(p.n);
    const buf = allocTransitions(p.n);
    const st = new Float64Array(SIM_STATE_STRIDE);
    for (let j = from; j < to; j += step) {
      plan.exposures(j, exposure);
      if (general) simulateExposures(p, exposure, cfg, out, j * RESULT_STRIDE);
      else {
        const count = transitionsOf(exposure, buf);
        simulateTransitions(p, buf.idx, buf.val, count, cfg, st, out, j * RESULT_STRIDE);
      }
    }
    return;
  }
  if (runsTiled(plan, cfg, general)) runCrossTiled(p, plan, cfg, from, to, step, out);
  else runPlan(p, denseOfCross(plan, p.n), cfg, from, to, out, { general: true, step });
}

function runCrossTiled(
  p: PreparedSeries,
  plan: CrossPlan,
  cfg: SimConfig,
  from: number,
  to: number,
  step: number,
  out: Float64Array,
): void {
  const m = Math.ceil((to - from) / step);
  const n = p.n;
  const st = new Float64Array(m * SIM_STATE_STRIDE);
  const scanState = new Float64Array(m);
  const buf = allocTransitions(TILE);
  for (let j = 0; j < m; j++) initSimState(cfg, st, j * SIM_STATE_STRIDE);
  for (let t0 = 0; t0 < n; t0 += TILE)
    crossTile(p, plan, cfg, t0, Math.min(n, t0 + TILE), from, m, step, 0, st, scanState, buf);
  for (let j = 0; j < m; j++)
    finishSimState(p, cfg, st, j * SIM_STATE_STRIDE, out, (from + j * step) * RESULT_STRIDE);
}

/**
 * Advances `m` combinations (from, from + step, ...) over the bars [t0, t1) of one tile; combination
 * number j of them keeps its state in row `slot + j` of `st` and `scanState`
 */
export function crossTile(
  p: PreparedSeries,
  plan: CrossPlan,
  cfg: SimConfig,
  t0: number,
  t1: number,
  from: number,
  m: number,
  step: number,
  slot: number,
  st: Float64Array,
  scanState: Float64Array,
  buf: TransitionBuffer,
): void {
  const { arrays, a, b, start, on } = plan;
  const last = t1 === p.n;
  for (let j = 0; j < m; j++) {
    const c = from + j * step;
    const s = start[c]!;
    const r = slot + j;
    let count = 0;
    if (s < t1) {
      const A = arrays[a[c]!]!;
      const B = arrays[b[c]!]!;
      count = crossScan(A, B, s > t0 ? s : t0, t1, scanState[r]!, on[c]!, buf);
      scanState[r] = buf.state;
    }
    // a tile without transitions needs no call: the next call marks the whole segment at once
    if (count > 0 || last) simulateRange(p, buf.idx, buf.val, count, t1 - 1, cfg, st, r * SIM_STATE_STRIDE);
  }
}

/** The dense form of a cross plan: the definition the tiled path must reproduce */
export function denseOfCross(plan: CrossPlan, n: number): DensePlan {
  return {
    kind: "dense",
    count: plan.a.length,
    exposures(j, out) {
      const A = plan.arrays[plan.a[j]!]!.values;
      const B = plan.arrays[plan.b[j]!]!.values;
      const s = plan.start[j]!;
      const on = plan.on[j]!;
      for (let t = 0; t < n; t++) out[t] = t >= s && A[t]! > B[t]! ? on : 0;
    },
  };
}
