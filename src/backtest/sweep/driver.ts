/**
 * The parallel sweep driver: one sweep's results array on the calling thread or spread over a
 * WorkerPool (shared memory for the series, indicator and result arrays, a progress timer for the
 * wave, the scheduling of prepare, block and wave tasks), identical either way. The application
 * (src/app/run-sweep.ts, the screen) only orchestrates around it. The same work split into
 * serialisable jobs and chunks for a remote queue is in task.ts.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import { BufferPool } from "../../indicators/cache/buffer-pool.ts";
import type { WorkerPool } from "../../ports/worker-pool.ts";
import type { StrategyFamily } from "../../strategies/family.ts";
import { runsTiled } from "./engine.ts";
import { RESULT_STRIDE, type SimConfig } from "./simulate.ts";
import { prepareSweep, runSweepRange } from "./sweep.ts";
import { chunksInto, chunksOfSize } from "./task.ts";
import { abortWave, allocCrossWave, waveChunk, waveProgress } from "./wave.ts";
import {
  packParams,
  SWEEP_KERNEL,
  SWEEP_PREP_KERNEL,
  SWEEP_WAVE_KERNEL,
  type SweepShared,
  type SweepTask,
} from "./worker-kernel.ts";

const sharedAlloc = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));

/** Released shared buffers of threaded sweeps in this process (see BufferPool) */
const SHARED_POOL = new BufferPool(sharedAlloc);

/**
 * The results array of a sweep (RESULT_STRIDE numbers per combination, in `params` order), on the
 * calling thread or spread over `threads` worker threads; identical either way. The engine
 * function the screen builds on.
 */
export async function sweepResults(
  series: CandleSeries,
  // biome-ignore lint/suspicious/noExplicitAny: any family
  family: StrategyFamily<any>,
  params: readonly Record<string, number | boolean>[],
  sim: SimConfig,
  opts: {
    threads?: number;
    workers?: (threads: number) => Promise<WorkerPool>;
    /** an already running pool (takes precedence over `workers`; not closed here) */
    pool?: WorkerPool;
    onProgress?: (done: number, total: number) => void;
    general?: boolean;
  } = {},
): Promise<Float64Array> {
  const threads = opts.pool?.threads ?? opts.threads ?? 1;
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256))
    throw invalidInput(`--threads ${threads}: use a whole number from 1 to 256`);
  const m = params.length;
  if (threads === 1 || m < 2) {
    const ctx = prepareSweep(series, family, params, sim);
    const out = new Float64Array(m * RESULT_STRIDE);
    // big chunks: the per-series arrays are read once per tile for all combinations of a chunk
    for (const c of chunksOfSize(m, Math.max(256, Math.ceil(m / 8)))) {
      runSweepRange(ctx, c.from, c.to, out, opts.general === true ? { general: true } : {});
      opts.onProgress?.(c.to, m);
      // let a progress bar redraw between chunks
      if (opts.onProgress !== undefined) await new Promise((r) => setTimeout(r, 0));
    }
    // the indicator buffers go back to the pool: the next sweep in this process reuses warm memory
    ctx.cache.release();
    return out;
  }
  const pool = opts.pool ?? (await opts.workers?.(threads));
  if (pool === undefined)
    throw invalidInput(`--threads ${threads}: no worker pool available here; use --threads 1`);
  try {
    const arena = SHARED_POOL.lease();
    const ctx = prepareSweep(series, family, params, sim, { alloc: arena.alloc, deferred: true });
    const out = sharedAlloc(m * RESULT_STRIDE);
    // volume too goes into shared memory: a heap array would be structured-cloned to every thread
    const volume = arena.alloc(series.volume.length);
    volume.set(series.volume);
    const shared: SweepShared = {
      family: family.name,
      params: packParams(params),
      series: {
        exchange: series.exchange,
        symbol: series.symbol,
        timeframe: series.timeframe,
        ts: ctx.prepared.ts,
        open: ctx.prepared.open,
        high: ctx.prepared.high,
        low: ctx.prepared.low,
        close: ctx.prepared.close,
        volume,
      },
      prepared: ctx.prepared,
      cache: ctx.cache.packed(),
      sim,
      dense: false,
      general: opts.general === true,
      out,
      ...(runsTiled(ctx.plan, sim, opts.general)
        ? { wave: allocCrossWave(m, sim, arena.alloc, waveChunk(m, threads)) }
        : {}),
    };
    if (shared.wave !== undefined) {
      // a wave: one task per thread, each computing indicator entries and then taking (tile, chunk)
      // items from shared counters until none are left
      const wave = shared.wave;
      const tick =
        opts.onProgress === undefined
          ? undefined
          : setInterval(() => {
              const p = waveProgress(wave, ctx.prepared.n);
              opts.onProgress?.(Math.floor((p.done * m) / p.total), m);
            }, 100);
      try {
        await pool.run<null, number, SweepShared>(
          SWEEP_WAVE_KERNEL,
          Array.from({ length: threads }, () => null),
          { shared },
        );
      } catch (err) {
        // a thread that died without a JavaScript error never raised the flag itself
        abortWave(wave);
        throw err;
      } finally {
        if (tick !== undefined) clearInterval(tick);
      }
      opts.onProgress?.(m, m);
    } else {
      // the threads compute the indicator arrays first, in small combs through the cache's entries
      // (eight per thread): entries differ in cost (short periods ~1.5x), and small tasks handed to
      // whichever thread is free keep both busy until the barrier before the sweep proper
      const size = ctx.cache.size;
      if (size > 0) {
        const kp = Math.min(size, threads * 8);
        const prep: SweepTask[] = Array.from({ length: kp }, (_, i) => ({ from: i, to: size, step: kp }));
        await pool.run<SweepTask, number, SweepShared>(SWEEP_PREP_KERNEL, prep, { shared });
      }
      // three tasks per thread, each a contiguous block of the grid, handed out in order to whichever
      // thread is free. Contiguous, not a comb (i, i + k, ...): neighbouring combinations share their
      // indicator arrays, so a block touches a fraction of them per tile
      const tasks: SweepTask[] = chunksInto(m, threads * 3).map((c) => ({ from: c.from, to: c.to, step: 1 }));
      const k = tasks.length;
      await pool.run<SweepTask, number, SweepShared>(SWEEP_KERNEL, tasks, {
        shared,
        onProgress: (finished) => opts.onProgress?.(Math.min(m, Math.round((finished * m) / k)), m),
      });
    }
    // every task is done: the series and indicator buffers (not `out`) can serve the next sweep
    arena.release();
    return out;
  } finally {
    if (opts.pool === undefined) await pool.close();
  }
}
