import { BufferPool } from "../backtest/sweep/buffer-pool.ts";
import { runsTiled } from "../backtest/sweep/engine.ts";
import { expandGrid, type ParamAxis, parseParamAxis } from "../backtest/sweep/grid.ts";
import {
  prepareSweep,
  RESULT_FIELDS,
  RESULT_STRIDE,
  type ResultField,
  rowsOf,
  runSweepRange,
  type SimConfig,
  type SweepRow,
  simConfigOf,
} from "../backtest/sweep/sweep.ts";
import { abortWave, allocCrossWave, waveChunk, waveProgress } from "../backtest/sweep/wave.ts";
import {
  packParams,
  SWEEP_KERNEL,
  SWEEP_PREP_KERNEL,
  SWEEP_WAVE_KERNEL,
  type SweepShared,
  type SweepTask,
} from "../backtest/sweep/worker-kernel.ts";
import { defaultExecution } from "../backtest/types.ts";
import { parseFraction } from "../backtest/units.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import type { StrategyFamily } from "../strategies/family.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import { parseTime, resolveSeries } from "./resolve-series.ts";

/** Metrics a sweep can sort by; drawdown sorts ascending (smaller is better), the others descending */
export const SWEEP_SORTS = [
  "sharpe",
  "totalReturn",
  "maxDrawdown",
  "trades",
  "finalEquity",
] as const satisfies readonly ResultField[];
export type SweepSort = (typeof SWEEP_SORTS)[number];

/** What to sweep; rates accept 0.001, 0.1% or 10bps; params as `name=from..to:step` */
export interface RunSweepRequest {
  family: string;
  exchange?: string;
  /** one symbol, or several comma-separated (each swept on its own) */
  symbol: string;
  timeframe: string;
  from?: string;
  to?: string;
  /** one axis per parameter, e.g. ["fast=5..50:1", "slow=10..200:10"]; unswept parameters keep their defaults */
  params: readonly (string | ParamAxis)[];
  fee?: string | number;
  slippage?: string | number;
  initialCash?: number;
  /** exits as fractions of the entry price (0.05, 5% or 500bps); they make the sweep run per bar */
  stopLoss?: string | number;
  takeProfit?: string | number;
  trailingStop?: string | number;
  /** bars without new entries after a stop-loss or trailing exit */
  cooldownBars?: number;
  /** 1 = the calling thread; more needs `deps.workers` */
  threads?: number;
  sort?: SweepSort;
  /** rows to return after sorting (all when omitted) */
  top?: number;
}

export interface RunSweepDeps {
  store: CandleStore;
  /** starts a pool of `threads` worker threads (the composition root's worker_threads adapter) */
  workers?: (threads: number) => Promise<WorkerPool>;
  clock?: Clock;
  /** combinations done so far, out of total */
  onProgress?: (done: number, total: number) => void;
}

/** A finished sweep: rows sorted by `sort` (best first), plus what was run */
/** One swept series */
export interface SweptSeries {
  exchange: string;
  symbol: string;
  bars: number;
  firstTs: number;
  lastTs: number;
}

/** A combination's row, with the symbol it ran on */
export interface SweepReportRow extends SweepRow {
  symbol: string;
}

export interface SweepReport {
  family: string;
  timeframe: string;
  series: SweptSeries[];
  /** parameter combinations x symbols */
  combinations: number;
  threads: number;
  fee: number;
  slippage: number;
  initialCash: number;
  sort: SweepSort;
  /** names of the swept parameters (the others keep their defaults) */
  swept: string[];
  /** wall time of the sweeps themselves (no data loading, no thread start-up), when a clock was given */
  seconds?: number;
  /** every symbol's rows, sorted together */
  rows: SweepReportRow[];
}

/**
 * Sweeps a family's parameter grid over one or more stored series (`symbol` may list several,
 * comma-separated; each is swept on its own arrays) and ranks all combinations together.
 * Example: `runSweep({family: "sma-cross", symbol: "BTC/USDT", timeframe: "1h",
 * params: ["fast=5..50:1", "slow=10..200:10"], threads: 2}, deps)`.
 */
export async function runSweep(req: RunSweepRequest, deps: RunSweepDeps): Promise<SweepReport> {
  const family = getFamily(req.family);
  if (family === undefined)
    throw invalidInput(`unknown family "${req.family}": use one of ${Object.keys(FAMILIES).join(", ")}`);
  const sort = req.sort ?? "sharpe";
  if (!(SWEEP_SORTS as readonly string[]).includes(sort))
    throw invalidInput(`--sort ${sort}: use one of ${SWEEP_SORTS.join(", ")}`);
  if (req.top !== undefined && !(Number.isInteger(req.top) && req.top >= 1))
    throw invalidInput(`--top ${req.top}: use a whole number >= 1`);
  const axes = req.params.map((p) => (typeof p === "string" ? parseParamAxis(p) : p));
  const params = expandGrid(family, axes);
  const exec = defaultExecution();
  if (req.fee !== undefined) exec.fee = parseFraction(req.fee, "--fee", 0.1);
  if (req.slippage !== undefined)
    exec.slippage = { kind: "fixed", rate: parseFraction(req.slippage, "--slippage", 0.1) };
  if (req.initialCash !== undefined) {
    if (!(req.initialCash > 0)) throw invalidInput(`--initial-cash ${req.initialCash}: use a number > 0`);
    exec.initialCash = req.initialCash;
  }
  if (req.stopLoss !== undefined) exec.exits.stopLoss = parseFraction(req.stopLoss, "--stop-loss");
  if (req.takeProfit !== undefined)
    exec.exits.takeProfit = parseFraction(req.takeProfit, "--take-profit", 100);
  if (req.trailingStop !== undefined)
    exec.exits.trailingStop = parseFraction(req.trailingStop, "--trailing-stop");
  if (req.cooldownBars !== undefined) {
    if (!(Number.isInteger(req.cooldownBars) && req.cooldownBars >= 0))
      throw invalidInput(`--cooldown-bars ${req.cooldownBars}: use a whole number >= 0`);
    exec.cooldownBars = req.cooldownBars;
  }
  const symbols = req.symbol
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (symbols.length === 0) throw invalidInput("--symbol: give at least one symbol, e.g. BTC/USDT");
  const range: { from?: number; to?: number } = {};
  const from = parseTime(req.from, "--from");
  const to = parseTime(req.to, "--to");
  if (from !== undefined) range.from = from;
  if (to !== undefined) range.to = to;
  const loaded = symbols.map((symbol) => {
    const key = resolveSeries(deps.store, { ...req, symbol });
    const series = deps.store.read(key, range);
    const n = series.close.length;
    if (n < 2)
      throw invalidInput(
        `sweep: ${key.symbol} ${key.timeframe} has ${n} bars in that range; widen --from/--to`,
      );
    return { key, series };
  });
  const timeframe = loaded[0]!.key.timeframe;
  const sim = simConfigOf(exec, timeframe);
  const threads = Math.min(req.threads ?? 1, params.length);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256))
    throw invalidInput(`--threads ${req.threads}: use a whole number from 1 to 256`);
  // the pool starts before the clock does: thread start-up is not sweep time
  const pool = threads > 1 ? await deps.workers?.(threads) : undefined;
  if (threads > 1 && pool === undefined)
    throw invalidInput(`--threads ${threads}: no worker pool available here; use --threads 1`);
  const all: SweepReportRow[] = [];
  const total = params.length * loaded.length;
  let seconds: number | undefined;
  try {
    const t0 = deps.clock?.now();
    for (const [i, { key, series }] of loaded.entries()) {
      const progress = deps.onProgress;
      const out = await sweepResults(series, family, params, sim, {
        threads,
        ...(pool === undefined ? {} : { pool }),
        ...(progress === undefined
          ? {}
          : { onProgress: (d: number) => progress(i * params.length + d, total) }),
      });
      for (const r of rowsOf(params, out)) all.push({ symbol: key.symbol, ...r });
    }
    seconds = t0 === undefined ? undefined : (deps.clock!.now() - t0) / 1000;
  } finally {
    await pool?.close();
  }
  const rows = rankRows(all, sort);
  return {
    family: family.name,
    timeframe,
    series: loaded.map(({ key, series }) => ({
      exchange: key.exchange,
      symbol: key.symbol,
      bars: series.close.length,
      firstTs: series.ts[0]!,
      lastTs: series.ts[series.close.length - 1]!,
    })),
    combinations: total,
    threads,
    fee: sim.fee,
    slippage: sim.slippage,
    initialCash: sim.initialCash,
    sort,
    swept: axes.map((a) => a.name),
    ...(seconds === undefined ? {} : { seconds }),
    rows: req.top === undefined ? rows : rows.slice(0, req.top),
  };
}

/** Best first: descending, except drawdown ascending; NaN last; ties keep grid order */
export function rankRows<R extends SweepRow>(rows: R[], sort: SweepSort): R[] {
  const sign = sort === "maxDrawdown" ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => {
      const a = x.r[sort];
      const b = y.r[sort];
      if (Number.isNaN(a) !== Number.isNaN(b)) return Number.isNaN(a) ? 1 : -1;
      return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? x.i - y.i : sign * (a - b);
    })
    .map((x) => x.r);
}

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
    const step = Math.max(256, Math.ceil(m / 8));
    for (let j = 0; j < m; j += step) {
      runSweepRange(ctx, j, Math.min(m, j + step), out, opts.general === true ? { general: true } : {});
      opts.onProgress?.(Math.min(m, j + step), m);
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
      const k = Math.min(m, threads * 3);
      const tasks: SweepTask[] = Array.from({ length: k }, (_, i) => ({
        from: Math.floor((i * m) / k),
        to: Math.floor(((i + 1) * m) / k),
        step: 1,
      }));
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

export { RESULT_FIELDS };
