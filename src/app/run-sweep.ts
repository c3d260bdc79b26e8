import { sweepResults } from "../backtest/sweep/driver.ts";
import { expandGrid, type ParamAxis, parseParamAxis } from "../backtest/sweep/grid.ts";
import { rankRows, SWEEP_SORTS, type SweepSort } from "../backtest/sweep/rank.ts";
import { RESULT_FIELDS, rowsOf, type SweepRow, simConfigOf } from "../backtest/sweep/sweep.ts";
import { defaultExecution } from "../backtest/types.ts";
import { parseFraction } from "../backtest/units.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import { parseTime, resolveSeries } from "./resolve-series.ts";

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

// the CLI lists the sort keys from here
export { RESULT_FIELDS, SWEEP_SORTS, type SweepSort };
