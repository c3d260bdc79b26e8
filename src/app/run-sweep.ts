import { availableParallelism } from "node:os";
import { z } from "zod";
import { sweepResults } from "../backtest/sweep/driver.ts";
import { expandGrid, parseParamAxis } from "../backtest/sweep/grid.ts";
import { rankRows, SWEEP_SORTS, type SweepSort } from "../backtest/sweep/rank.ts";
import { RESULT_FIELDS, rowsOf, type SweepRow, simConfigOf } from "../backtest/sweep/sweep.ts";
import { defaultExecution } from "../backtest/types.ts";
import { AppError, invalidField } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import { buyAndHoldFamily } from "../strategies/catalog.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import {
  checkWorkSize,
  exchangeField,
  numberFieldOf,
  parseInput,
  rangeRefinement,
  rateField,
  symbolListField,
  timeframeField,
  wholeNumberField,
} from "./contract.ts";
import type { OnProgress } from "./progress.ts";
import type { RemoteSweep } from "./queue-sweep.ts";
import { rangeShape, resolveSeries } from "./resolve-series.ts";

// more threads than cores only slows a sweep down (99 threads: 271 s against 3.4 s on one); two
// are always allowed so one-against-two agreement can be checked on any machine
export const MAX_SWEEP_THREADS = Math.max(2, availableParallelism());
// a sweep beyond these would run for hours or exhaust memory before the first result
const MAX_COMBINATIONS = 2_000_000;
const MAX_BAR_COMBINATIONS = 2e11;

/** What to sweep; rates accept 0.001, 0.1% or 10bps; params as `name=from..to:step` */
export const RunSweepInput = z
  .object({
    family: z.string().min(1),
    exchange: exchangeField().optional(),
    /** one symbol, or several comma-separated (each swept on its own) */
    symbol: symbolListField(),
    timeframe: timeframeField(),
    ...rangeShape,
    /** one axis per parameter, e.g. ["fast=5..50:1", "slow=10..200:10"]; unswept parameters keep their defaults */
    params: z
      .array(z.union([z.string(), z.object({ name: z.string(), values: z.array(z.number()) })]))
      .default([]),
    fee: rateField(0.1).optional(),
    slippage: rateField(0.1).optional(),
    initialCash: numberFieldOf({ min: 0, minExclusive: true, max: 1e15 }).optional(),
    /** exits as fractions of the entry price (0.05, 5% or 500bps); they make the sweep run per bar */
    stopLoss: rateField(1).optional(),
    takeProfit: rateField(100).optional(),
    trailingStop: rateField(1).optional(),
    /** bars without new entries after a stop-loss or trailing exit */
    cooldownBars: wholeNumberField({ min: 0, max: 1_000_000 }).optional(),
    /** 1 = the calling thread; more needs `deps.workers` */
    threads: wholeNumberField({
      min: 1,
      max: MAX_SWEEP_THREADS,
      maxReason: "the machine's cores",
    }).optional(),
    sort: z.enum(SWEEP_SORTS).default("sharpe"),
    /** rows to return after sorting (all when omitted) */
    top: wholeNumberField({ min: 1 }).optional(),
  })
  .superRefine(rangeRefinement);
export type RunSweepRequest = z.input<typeof RunSweepInput>;

export interface RunSweepDeps {
  store: CandleStore;
  /** starts a pool of `threads` worker threads (the composition root's worker_threads adapter) */
  workers?: (threads: number) => Promise<WorkerPool>;
  clock?: Clock;
  /** "sweep" progress in combinations (see app/progress.ts) */
  onProgress?: OnProgress;
  /** sweeps each series through a job queue instead of threads here (app/queue-sweep.ts); same figures */
  remote?: RemoteSweep;
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
  /** buy-and-hold on each symbol, over the same bars with the same costs: the figure to beat */
  buyAndHold: SweepReportRow[];
}

/**
 * Sweeps a family's parameter grid over one or more stored series (`symbol` may list several,
 * comma-separated; each is swept on its own arrays) and ranks all combinations together.
 * Example: `runSweep({family: "sma-cross", symbol: "BTC/USDT", timeframe: "1h",
 * params: ["fast=5..50:1", "slow=10..200:10"], threads: 2}, deps)`.
 */
export async function runSweep(raw: RunSweepRequest, deps: RunSweepDeps): Promise<SweepReport> {
  const req = parseInput(RunSweepInput, raw);
  const family = getFamily(req.family);
  if (family === undefined)
    throw new AppError(
      "INVALID_INPUT",
      `unknown family "${req.family}": use one of ${Object.keys(FAMILIES).join(", ")}`,
      { details: { field: "family" } },
    );
  const sort: SweepSort = req.sort;
  const axes = req.params.map((p) => (typeof p === "string" ? parseParamAxis(p) : p));
  const gridSize = axes.reduce((n, a) => n * a.values.length, 1);
  checkWorkSize("params", gridSize, MAX_COMBINATIONS, "combinations", "use larger steps or fewer values");
  const params = expandGrid(family, axes);
  const exec = defaultExecution();
  if (req.fee !== undefined) exec.fee = req.fee;
  if (req.slippage !== undefined) exec.slippage = { kind: "fixed", rate: req.slippage };
  if (req.initialCash !== undefined) exec.initialCash = req.initialCash;
  if (req.stopLoss !== undefined) exec.exits.stopLoss = req.stopLoss;
  if (req.takeProfit !== undefined) exec.exits.takeProfit = req.takeProfit;
  if (req.trailingStop !== undefined) exec.exits.trailingStop = req.trailingStop;
  if (req.cooldownBars !== undefined) exec.cooldownBars = req.cooldownBars;
  const range: { from?: number; to?: number } = {};
  if (req.from !== undefined) range.from = req.from;
  if (req.to !== undefined) range.to = req.to;
  const loaded = req.symbol.map((symbol) => {
    const key = resolveSeries(deps.store, {
      symbol,
      timeframe: req.timeframe,
      ...(req.exchange === undefined ? {} : { exchange: req.exchange }),
    });
    const series = deps.store.read(key, range);
    const n = series.close.length;
    if (n < 2)
      throw invalidField(
        "from",
        `leaves ${n} bars of ${key.symbol} ${key.timeframe} in the range`,
        "a range with 2+ bars",
      );
    return { key, series };
  });
  const bars = loaded.reduce((a, l) => a + l.series.close.length, 0);
  checkWorkSize(
    "params",
    params.length * bars,
    MAX_BAR_COMBINATIONS,
    "bar-combinations",
    "sweep fewer combinations or a shorter --from/--to",
  );
  const timeframe = loaded[0]!.key.timeframe;
  const sim = simConfigOf(exec, timeframe);
  const threads = Math.max(1, Math.min(req.threads ?? 1, params.length));
  // the pool starts before the clock does: thread start-up is not sweep time
  const pool = threads > 1 ? await deps.workers?.(threads) : undefined;
  if (threads > 1 && pool === undefined)
    throw invalidField("threads", `${threads}: no worker pool available here`, "1");
  const all: SweepReportRow[] = [];
  const holds: SweepReportRow[] = [];
  const total = params.length * loaded.length;
  let seconds: number | undefined;
  try {
    const t0 = deps.clock?.now();
    for (const [i, { key, series }] of loaded.entries()) {
      const progress = deps.onProgress;
      const out =
        deps.remote !== undefined
          ? await deps.remote(series, family.name, params, sim)
          : await sweepResults(series, family, params, sim, {
              threads,
              ...(pool === undefined ? {} : { pool }),
              ...(progress === undefined
                ? {}
                : {
                    onProgress: (d: number) =>
                      progress({
                        kind: "progress",
                        task: "sweep",
                        done: i * params.length + d,
                        total,
                        unit: "combinations",
                      }),
                  }),
            });
      for (const r of rowsOf(params, out)) all.push({ symbol: key.symbol, ...r });
      // the baseline through the same engine and costs, so the leaderboard has its yardstick
      const bh = await sweepResults(series, buyAndHoldFamily, [{}], sim, { threads: 1 });
      for (const r of rowsOf([{}], bh)) holds.push({ symbol: key.symbol, ...r });
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
    buyAndHold: holds,
  };
}

// the CLI lists the sort keys from here
export { RESULT_FIELDS, SWEEP_SORTS, type SweepSort };
