/**
 * The sweep engine's public API: many parameter combinations of one family over one series, with
 * the execution model of src/backtest/types.ts. Single-threaded and pure; driver.ts spreads the
 * same work over a WorkerPool (see worker-kernel.ts) and task.ts into queue jobs, with identical results.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import { barsPerYear } from "../../domain/timeframe.ts";
import { invalidInput } from "../../errors.ts";
import { type F64Alloc, heapAlloc } from "../../indicators/cache/block-summary.ts";
import { IndicatorCache } from "../../indicators/cache/indicator-cache.ts";
import type { StrategyFamily } from "../../strategies/family.ts";
import type { ExecutionConfig } from "../types.ts";
import { planSize, runPlan, type SweepPlan } from "./engine.ts";
import { buildPlan } from "./plan.ts";
import { type PreparedSeries, prepareSeries } from "./prepared.ts";
import { RESULT_STRIDE, type SimConfig } from "./simulate.ts";

export { RESULT_FIELDS, RESULT_STRIDE, type ResultField, type SimConfig } from "./simulate.ts";

/** One combination's figures; maxDrawdown is a positive fraction, Sharpe annualised */
export interface SweepRow {
  params: Record<string, number | boolean>;
  totalReturn: number;
  sharpe: number;
  maxDrawdown: number;
  trades: number;
  finalEquity: number;
}

/**
 * The sweep's view of an ExecutionConfig. The sweep implements spot, fixed slippage,
 * fixed-fraction sizing, taker/maker fees, stop-loss, take-profit, trailing stop and cooldown
 * (stops take the per-bar path); anything else is refused with INVALID_INPUT (use `backtest`).
 */
export function simConfigOf(cfg: ExecutionConfig, timeframe: CandleSeries["timeframe"]): SimConfig {
  const refuse = (what: string): never => {
    throw invalidInput(`sweep: ${what} is not supported by the sweep engine; run \`kairos backtest\` for it`);
  };
  if (cfg.market !== "spot") refuse(`market ${cfg.market}`);
  if (cfg.slippage.kind !== "fixed") refuse("volume-based slippage");
  if (cfg.sizing.kind !== "fixed-fraction") refuse(`${cfg.sizing.kind} sizing`);
  const ex = cfg.exits;
  if (cfg.maxDrawdownStop !== undefined) refuse("the drawdown stop");
  if (cfg.participationCap !== undefined) refuse("the participation cap");
  if (cfg.minNotional !== undefined || cfg.lotSize !== undefined || cfg.priceTick !== undefined)
    refuse("lot size, tick and min-notional rounding");
  if (!(cfg.initialCash > 0)) throw invalidInput(`sweep: initial cash must be > 0, got ${cfg.initialCash}`);
  if (!(cfg.fee >= 0)) throw invalidInput(`sweep: fee must be >= 0, got ${cfg.fee}`);
  return {
    fee: cfg.fee,
    slippage: cfg.slippage.kind === "fixed" ? cfg.slippage.rate : 0,
    initialCash: cfg.initialCash,
    fraction: cfg.sizing.kind === "fixed-fraction" ? cfg.sizing.fraction : 1,
    barsPerYear: barsPerYear(timeframe),
    ...(cfg.makerFee === undefined ? {} : { makerFee: cfg.makerFee }),
    ...(ex.stopLoss === undefined ? {} : { stopLoss: ex.stopLoss }),
    ...(ex.takeProfit === undefined ? {} : { takeProfit: ex.takeProfit }),
    ...(ex.trailingStop === undefined ? {} : { trailingStop: ex.trailingStop }),
    ...(cfg.cooldownBars === 0 ? {} : { cooldownBars: cfg.cooldownBars }),
  };
}

/** Everything a sweep shares between its combinations */
export interface SweepContext {
  readonly prepared: PreparedSeries;
  readonly cache: IndicatorCache;
  readonly plan: SweepPlan;
  readonly sim: SimConfig;
  readonly combos: number;
}

/**
 * Prepares a sweep: the shared per-series arrays, the indicator cache filled with every array a
 * crossover plan needs, and the plan. `alloc` places the arrays (SharedArrayBuffer for threads);
 * `deferred` allocates the cache's arrays without computing them (threads do, in parallel).
 */
export function prepareSweep(
  series: CandleSeries,
  // biome-ignore lint/suspicious/noExplicitAny: any family
  family: StrategyFamily<any>,
  params: readonly Record<string, number | boolean>[],
  sim: SimConfig,
  options: { alloc?: F64Alloc; dense?: boolean; deferred?: boolean } = {},
): SweepContext {
  const alloc = options.alloc ?? heapAlloc;
  if (series.close.length < 2)
    throw invalidInput(`sweep: ${series.symbol} has ${series.close.length} bars; need at least 2`);
  const prepared = prepareSeries(series, alloc);
  // deferred: the arrays are allocated here and computed by worker threads (worker-kernel.ts)
  const cache = new IndicatorCache(prepared.n, alloc, options.deferred === true);
  const plan = buildPlan(family, series, params, cache, options.dense === true ? { dense: true } : {});
  return { prepared, cache, plan, sim, combos: planSize(plan) };
}

/**
 * Runs combinations from, from + step, ... below `to` (step 1 by default) of a prepared sweep into
 * `out` (RESULT_STRIDE numbers per combination at j * RESULT_STRIDE). `general` forces the
 * per-bar definition path.
 */
export function runSweepRange(
  ctx: SweepContext,
  from: number,
  to: number,
  out: Float64Array,
  options: { general?: boolean; step?: number } = {},
): void {
  runPlan(ctx.prepared, ctx.plan, ctx.sim, from, to, out, options);
}

/**
 * Sweeps every combination on the calling thread and returns the rows in the order of `params`.
 * Example: `sweep(series, smaCross, expandGrid(smaCross, [parseParamAxis("fast=5..50")]), sim)`.
 */
export function sweep(
  series: CandleSeries,
  // biome-ignore lint/suspicious/noExplicitAny: any family
  family: StrategyFamily<any>,
  params: readonly Record<string, number | boolean>[],
  sim: SimConfig,
  options: { general?: boolean; dense?: boolean } = {},
): SweepRow[] {
  const ctx = prepareSweep(series, family, params, sim, options.dense === true ? { dense: true } : {});
  const out = new Float64Array(ctx.combos * RESULT_STRIDE);
  runSweepRange(ctx, 0, ctx.combos, out, options.general === true ? { general: true } : {});
  ctx.cache.release();
  return rowsOf(params, out);
}

/** Rows from a results array, in combination order */
export function rowsOf(params: readonly Record<string, number | boolean>[], out: Float64Array): SweepRow[] {
  return params.map((p, j) => {
    const o = j * RESULT_STRIDE;
    return {
      params: p,
      totalReturn: out[o]!,
      sharpe: out[o + 1]!,
      maxDrawdown: out[o + 2]!,
      trades: out[o + 3]!,
      finalEquity: out[o + 4]!,
    };
  });
}
