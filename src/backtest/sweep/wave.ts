/**
 * The threaded sweep of a crossover plan as a wavefront (see CrossWave). Pure: the atomics live in
 * SharedArrayBuffers the calling thread allocates; any thread count gives the same rows.
 */

import type { IndicatorCache } from "../../indicators/cache/indicator-cache.ts";
import { type CrossPlan, crossTile, TILE } from "./engine.ts";
import type { PreparedSeries } from "./prepared.ts";
import { allocTransitions } from "./scan.ts";
import { finishSimState, initSimState, RESULT_STRIDE, SIM_STATE_STRIDE, type SimConfig } from "./simulate.ts";

/**
 * A cross plan's sweep shared by threads in a wavefront: work items are (tile, chunk of `chunk`
 * neighbouring combinations), handed out tile by tile from one atomic counter, so all threads work
 * on the same tile of bars at once and read its per-series and indicator arrays from the cache
 * they share, where threads given whole blocks of combinations each stream all the bars on their
 * own. A chunk's tiles run in order (an item waits for its chunk's previous tile, which it almost
 * never has to), so every combination sees the same calls as runCrossTiled: identical results.
 * Every array is over a SharedArrayBuffer; `allocCrossWave` makes it.
 */
export interface CrossWave {
  /** [next item, abort flag (a thread failed), next cache entry, cache entries computed] */
  readonly ctl: Int32Array;
  /** per chunk: tiles done */
  readonly done: Int32Array;
  /** SIM_STATE_STRIDE numbers per combination */
  readonly st: Float64Array;
  readonly scan: Float64Array;
  readonly chunk: number;
}

const NEXT = 0;
const ABORT = 1;
const NEXT_ENTRY = 2;
const ENTRIES_DONE = 3;
const CTL = 4;

/**
 * Combinations per wave item for `m` combinations on `threads` threads: at most 32 (neighbours share
 * indicator arrays, and the atomics stay rare), and at least four chunks per thread so that every
 * thread has work in each tile
 */
export const waveChunk = (m: number, threads: number): number =>
  Math.max(1, Math.min(32, Math.ceil(m / (4 * threads))));

/** A ready wave for `m` combinations in chunks of `chunk` (their states initialised) */
export function allocCrossWave(
  m: number,
  cfg: SimConfig,
  allocF64: (n: number) => Float64Array,
  chunk: number,
): CrossWave {
  if (!(Number.isInteger(chunk) && chunk >= 1))
    throw new RangeError(`wave chunk ${chunk}: use a whole number >= 1`);
  const chunks = Math.ceil(m / chunk);
  const ints = new Int32Array(new SharedArrayBuffer(4 * (CTL + chunks)));
  const st = allocF64(m * SIM_STATE_STRIDE);
  const scan = allocF64(m);
  for (let j = 0; j < m; j++) {
    initSimState(cfg, st, j * SIM_STATE_STRIDE);
    scan[j] = 0;
  }
  return { ctl: ints.subarray(0, CTL), done: ints.subarray(CTL), st, scan, chunk };
}

/** Wave items done so far out of all (for progress) */
export function waveProgress(w: CrossWave, n: number): { done: number; total: number } {
  const total = Math.ceil(w.scan.length / w.chunk) * Math.ceil(n / TILE);
  return { done: Math.min(total, Atomics.load(w.ctl, NEXT)), total };
}

/**
 * One thread's share of a wave: takes items until none are left and writes the rows of the
 * combinations whose last tile it ran into `out`. Returns the items it ran.
 */
export function runCrossWave(
  p: PreparedSeries,
  plan: CrossPlan,
  cfg: SimConfig,
  w: CrossWave,
  out: Float64Array,
): number {
  const m = plan.a.length;
  const n = p.n;
  const { ctl, done, st, scan, chunk } = w;
  const chunks = Math.ceil(m / chunk);
  const tiles = Math.ceil(n / TILE);
  const items = chunks * tiles;
  const buf = allocTransitions(TILE);
  let ran = 0;
  try {
    for (;;) {
      const item = Atomics.add(ctl, NEXT, 1);
      if (item >= items) break;
      const t = Math.floor(item / chunks);
      const c = item - t * chunks;
      // the chunk's previous tile may still be running on another thread
      for (;;) {
        const d = Atomics.load(done, c);
        if (d >= t) break;
        if (Atomics.load(ctl, ABORT) !== 0) return ran;
        Atomics.wait(done, c, d, 10);
      }
      const from = c * chunk;
      const cm = Math.min(chunk, m - from);
      const t0 = t * TILE;
      const t1 = Math.min(n, t0 + TILE);
      crossTile(p, plan, cfg, t0, t1, from, cm, 1, from, st, scan, buf);
      if (t1 === n)
        for (let j = from; j < from + cm; j++)
          finishSimState(p, cfg, st, j * SIM_STATE_STRIDE, out, j * RESULT_STRIDE);
      Atomics.store(done, c, t + 1);
      Atomics.notify(done, c);
      ran++;
    }
  } catch (err) {
    abortWave(w);
    throw err;
  }
  return ran;
}

/**
 * Tells every thread to stop instead of waiting for work a failed thread will never finish (a
 * thread's own error does this; the calling thread does it when the pool reports a crashed thread)
 */
export function abortWave(w: CrossWave): void {
  Atomics.store(w.ctl, ABORT, 1);
  Atomics.notify(w.ctl, ENTRIES_DONE);
  for (let c = 0; c < w.done.length; c++) Atomics.notify(w.done, c);
}

/**
 * The indicator phase of a wave on one thread: computes the cache's deferred entries one at a
 * time from a shared counter, then waits until every thread's entries are done (the wave reads
 * them all). Returns false when another thread failed (nothing more to do here).
 */
export function computeWaveEntries(cache: IndicatorCache, w: CrossWave): boolean {
  const { ctl } = w;
  const size = cache.size;
  try {
    for (;;) {
      const e = Atomics.add(ctl, NEXT_ENTRY, 1);
      if (e >= size) break;
      cache.computeAt(e);
      if (Atomics.add(ctl, ENTRIES_DONE, 1) + 1 === size) Atomics.notify(ctl, ENTRIES_DONE);
    }
  } catch (err) {
    abortWave(w);
    throw err;
  }
  for (;;) {
    const d = Atomics.load(ctl, ENTRIES_DONE);
    if (d >= size) return true;
    if (Atomics.load(ctl, ABORT) !== 0) return false;
    Atomics.wait(ctl, ENTRIES_DONE, d, 10);
  }
}
