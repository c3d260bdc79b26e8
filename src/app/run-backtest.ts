import { z } from "zod";
import { runEngine } from "../backtest/engine.ts";
import { strategyFactoryFromModule } from "../backtest/guard.ts";
import { checkLookahead, type LookaheadReport } from "../backtest/lookahead.ts";
import { analyseTrades, type TradeAnalysis, tradesToJson } from "../backtest/trade-analysis.ts";
import { type BacktestResult, defaultExecution, type ExecutionConfig } from "../backtest/types.ts";
import { alignSeries } from "../data/align.ts";
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { ExitRules } from "../domain/decision.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { AppError, invalidField } from "../errors.ts";
import { configuredFees } from "../execution/venue/models.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import type { FeeSchedule, TradingFees } from "../ports/fee-schedule.ts";
import type { FundingStore } from "../ports/funding-store.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import type { Strategy } from "../strategies/types.ts";
import {
  exchangeField,
  fieldError,
  flagField,
  numberFieldOf,
  parseInput,
  rangeRefinement,
  rateField,
  rateOrWordField,
  symbolField,
  symbolListField,
  timeframeField,
  wholeNumberField,
} from "./contract.ts";
import { rangeShape, resolveSeries } from "./resolve-series.ts";

/** What to backtest; rates accept 0.001, 0.1% or 10bps */
export const RunBacktestInput = z
  .object({
    /** a built-in family name, or a label (the file path) when `userModule` is given */
    strategy: z.string().min(1),
    userModule: z.unknown().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    exchange: exchangeField().optional(),
    symbols: symbolListField(),
    timeframe: timeframeField(),
    ...rangeShape,
    /** a rate, or "exchange" with `marketFees` filled from the exchange's schedule (see `exchangeFees`) */
    fee: rateOrWordField(0.1, ["exchange"] as const).optional(),
    makerFee: rateField(0.1).optional(),
    /** maker/taker per symbol from market metadata; overrides fee and makerFee for those symbols */
    marketFees: z.record(z.string(), z.custom<TradingFees>()).optional(),
    slippage: rateField(0.1).optional(),
    market: z.enum(["spot", "perp"]).optional(),
    leverage: numberFieldOf({ min: 1, max: 125 }).optional(),
    initialCash: numberFieldOf({ min: 0, minExclusive: true, max: 1e15 }).optional(),
    stopLoss: rateField(1).optional(),
    takeProfit: rateField(100).optional(),
    trailingStop: rateField(1).optional(),
    cooldownBars: wholeNumberField({ min: 0, max: 1_000_000 }).optional(),
    maxDrawdownStop: rateField(1).optional(),
    fundingRate: rateField(0.1).optional(),
    /** perps: maintenance margin rate (default 0.5%) and liquidation fee (default 0.5%) */
    maintenanceMargin: rateField(0.5).optional(),
    liquidationFee: rateField(0.5).optional(),
    /** volume slippage: slippage = (--slippage) + impact * range/open * sqrt(qty/volume) */
    impact: numberFieldOf({ min: 0, max: 1000 }).optional(),
    /** max fraction of a bar's volume filled per bar */
    participation: rateField(1).optional(),
    lotSize: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    priceTick: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    minNotional: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    /** sizing: exposure multiplier (e.g. 3 with --leverage 3), fixed quote notional, or annual vol target */
    sizeFraction: numberFieldOf({ min: 0, minExclusive: true, max: 125 }).optional(),
    sizeNotional: numberFieldOf({ min: 0, minExclusive: true, max: 1e15 }).optional(),
    volTarget: rateField(10).optional(),
    /** finer stored timeframe used to resolve stops inside a bar */
    detailTimeframe: timeframeField().optional(),
    /** benchmark symbol for alpha/beta, default BTC/USDT on the same exchange (skipped when not stored) */
    benchmark: symbolField().optional(),
    checkLookahead: flagField().optional(),
    lookaheadPoints: wholeNumberField({ min: 1, max: 100_000 }).optional(),
  })
  .superRefine(rangeRefinement);
export type RunBacktestRequest = z.input<typeof RunBacktestInput>;
type BacktestInput = z.output<typeof RunBacktestInput>;

export interface RunBacktestDeps {
  store: CandleStore;
  funding?: FundingStore;
}

export interface BacktestRun {
  result: BacktestResult;
  analysis: TradeAnalysis;
  lookahead?: LookaheadReport;
  exchange: string;
  /** the traded series over the run (warm-up cut off), for charts */
  series: CandleSeries[];
  benchmark?: string;
}

interface Resolved {
  create: () => Strategy;
  params: Record<string, unknown>;
  exposures?: (s: CandleSeries) => Float64Array;
}

function resolveStrategy(req: BacktestInput): Resolved {
  const raw = req.params ?? {};
  if (req.userModule !== undefined) {
    const factory = strategyFactoryFromModule(req.userModule, req.strategy);
    return { create: () => factory(raw), params: raw };
  }
  const fam = getFamily(req.strategy);
  if (fam === undefined)
    throw fieldError(
      "strategy",
      `unknown strategy "${req.strategy}": use one of ${Object.keys(FAMILIES).join(", ")}, or a path to a .ts file`,
    );
  const parsed = fam.params.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const field = i.path.length > 0 ? `params.${String(i.path[0])}` : "params";
    throw fieldError(field, `${fam.name} {${field}}: ${i.message}`);
  }
  const p = parsed.data as Record<string, number | boolean>;
  return { create: () => fam.create(p), params: p, exposures: (s) => fam.exposures(s, p) };
}

/** Builds the execution config from the parsed request */
export function executionFromRequest(req: BacktestInput): ExecutionConfig {
  const market = req.market ?? (req.leverage !== undefined && req.leverage !== 1 ? "perp" : "spot");
  const leverage = req.leverage ?? 1;
  const exits: ExitRules = {};
  if (req.stopLoss !== undefined) exits.stopLoss = req.stopLoss;
  if (req.takeProfit !== undefined) exits.takeProfit = req.takeProfit;
  if (req.trailingStop !== undefined) exits.trailingStop = req.trailingStop;
  const cfg = defaultExecution({ market, leverage, exits });
  if (typeof req.fee === "number") cfg.fee = req.fee;
  if (req.makerFee !== undefined) cfg.makerFee = req.makerFee;
  if (req.slippage !== undefined) cfg.slippage = { kind: "fixed", rate: req.slippage };
  if (req.maxDrawdownStop !== undefined) cfg.maxDrawdownStop = req.maxDrawdownStop;
  if (req.fundingRate !== undefined) cfg.fundingRate = req.fundingRate;
  if (req.maintenanceMargin !== undefined) cfg.maintenanceMargin = req.maintenanceMargin;
  if (req.liquidationFee !== undefined) cfg.liquidationFee = req.liquidationFee;
  if (req.initialCash !== undefined) cfg.initialCash = req.initialCash;
  if (req.impact !== undefined) cfg.slippage = { kind: "volume", base: req.slippage ?? 0, k: req.impact };
  if (req.participation !== undefined) {
    if (req.participation === 0)
      throw invalidField("participation", "0 is out of range", "a fraction above 0, e.g. 10%");
    cfg.participationCap = req.participation;
  }
  if (req.lotSize !== undefined) cfg.lotSize = req.lotSize;
  if (req.priceTick !== undefined) cfg.priceTick = req.priceTick;
  if (req.minNotional !== undefined) cfg.minNotional = req.minNotional;
  const sizings = [req.sizeFraction, req.sizeNotional, req.volTarget].filter((x) => x !== undefined).length;
  if (sizings > 1)
    throw fieldError("sizeFraction", "give at most one of {sizeFraction}, {sizeNotional} and {volTarget}");
  if (req.sizeFraction !== undefined) {
    if (req.sizeFraction > leverage)
      throw invalidField(
        "sizeFraction",
        `${req.sizeFraction} is above {leverage} (${leverage})`,
        "a number > 0 and at most {leverage}",
      );
    cfg.sizing = { kind: "fixed-fraction", fraction: req.sizeFraction };
  }
  if (req.sizeNotional !== undefined) cfg.sizing = { kind: "fixed-notional", notional: req.sizeNotional };
  if (req.volTarget !== undefined)
    cfg.sizing = { kind: "vol-target", annualVol: req.volTarget, lookback: 30, maxExposure: leverage };
  if (req.cooldownBars !== undefined) cfg.cooldownBars = req.cooldownBars;
  return cfg;
}

/** Reads [from - warm-up, to) so that `warmup` bars precede `from` when the store has them */
function readWithWarmup(
  store: CandleStore,
  key: SeriesKey,
  from: number | undefined,
  to: number | undefined,
  warmup: number,
): CandleSeries {
  const range = (f: number | undefined) => ({
    ...(f === undefined ? {} : { from: f }),
    ...(to === undefined ? {} : { to }),
  });
  if (from === undefined) return store.read(key, range(undefined));
  const tf = timeframeMs(key.timeframe);
  let span = (warmup + 1) * tf;
  let s = store.read(key, range(from - span));
  // gaps can leave fewer warm-up bars than asked: widen the window a few times
  for (let k = 0; k < 3 && countBefore(s.ts, from) < warmup; k++) {
    span *= 4;
    s = store.read(key, range(from - span));
  }
  return s;
}

function countBefore(ts: Float64Array, t: number): number {
  let i = 0;
  while (i < ts.length && ts[i]! < t) i++;
  return i;
}

/** Aligns a benchmark's closes on `ts`, carrying the last close over its gaps */
function alignCloses(bench: CandleSeries, ts: Float64Array): Float64Array {
  const out = new Float64Array(ts.length);
  let j = 0;
  let last = Number.NaN;
  for (let i = 0; i < ts.length; i++) {
    while (j < bench.ts.length && bench.ts[j]! <= ts[i]!) last = bench.close[j++]!;
    out[i] = last;
  }
  return out;
}

/** Maker/taker fees of each symbol from the exchange's published schedule (`--fee exchange`) */
export async function exchangeFees(
  schedule: FeeSchedule,
  exchange: string,
  symbols: readonly string[],
): Promise<Record<string, TradingFees>> {
  const out: Record<string, TradingFees> = {};
  for (const s of symbols) {
    const f = await schedule.tradingFees(exchange, s);
    if (f === undefined)
      throw fieldError(
        "fee",
        `{fee} exchange: no published fees for ${exchange}; give the rate, e.g. {fee} 0.1%`,
      );
    out[s] = f;
  }
  return out;
}

/**
 * Runs a backtest over stored candles: resolves the series and the strategy, loads warm-up bars
 * before `from`, runs the event engine, analyses the trades and, when asked, checks for look-ahead.
 */
export function runBacktest(deps: RunBacktestDeps, request: RunBacktestRequest): BacktestRun {
  const req = parseInput(RunBacktestInput, request);
  const timeframe: Timeframe = req.timeframe;
  const strat = resolveStrategy(req);
  const warmup = strat.create().warmup;
  const { from, to } = req;
  const keys = req.symbols.map((symbol) =>
    resolveSeries(deps.store, {
      symbol,
      timeframe,
      ...(req.exchange === undefined ? {} : { exchange: req.exchange }),
    }),
  );
  const exchange = keys[0]!.exchange;
  const raw = keys.map((k) => readWithWarmup(deps.store, k, from, to, warmup));
  for (const [i, s] of raw.entries())
    if (s.ts.length === 0)
      throw new AppError("NOT_FOUND", `no ${keys[i]!.symbol} ${timeframe} candles in the range asked`);
  const aligned = raw.length === 1 ? raw : alignSeries(raw).series;
  const n = aligned[0]!.ts.length;
  const before = from === undefined ? Math.min(warmup, n - 1) : countBefore(aligned[0]!.ts, from);
  // keep only `warmup` bars before the start
  const cut = Math.max(0, before - warmup);
  const series = cut === 0 ? aligned : aligned.map((s) => sliceSeries(s, cut));
  const start = before - cut;
  if (series[0]!.ts.length - start < 2)
    throw fieldError(
      "from",
      `backtest: fewer than 2 bars between {from} and {to} for ${req.symbols.join(", ")} ${timeframe}`,
    );
  const config = executionFromRequest(req);
  // a spot account cannot borrow to sell: a short asked for on spot would be dropped in silence
  if (config.market === "spot" && strat.params.short === true)
    throw invalidField(
      "params.short",
      "cannot trade on a spot market (spot cannot borrow to sell)",
      "{market} perp, or {leverage} above 1",
    );
  if (config.market === "perp" && deps.funding !== undefined) {
    const hist: NonNullable<ExecutionConfig["fundingHistory"]> = {};
    for (const s of series) {
      const quote = s.symbol.split("/")[1]?.split(":")[0] ?? "";
      const f = deps.funding.readFunding({
        exchange,
        symbol: s.symbol.includes(":") ? s.symbol : `${s.symbol}:${quote}`,
      });
      if (f.ts.length > 0) hist[s.symbol] = { ts: f.ts, rate: f.rate };
    }
    if (Object.keys(hist).length > 0) config.fundingHistory = hist;
  }
  let detail: Record<string, CandleSeries> | undefined;
  if (req.detailTimeframe !== undefined) {
    const dtf = req.detailTimeframe;
    const tf = timeframeMs(timeframe);
    if (timeframeMs(dtf) >= tf || tf % timeframeMs(dtf) !== 0)
      throw invalidField("detailTimeframe", `${dtf} must be a finer timeframe that divides ${timeframe}`);
    detail = {};
    const t0 = series[0]!.ts[start]!;
    const t1 = series[0]!.ts[series[0]!.ts.length - 1]! + tf;
    for (const k of keys) {
      const dkey = { ...k, timeframe: dtf };
      const d =
        deps.store.info(dkey) === undefined
          ? deps.store.read(keys[0]!, { from: 0, to: 0 })
          : deps.store.read(dkey, { from: t0, to: t1 });
      // finer bars that miss part of the run would resolve some stops and not others: refuse
      const first = d.ts[0];
      const last = d.ts[d.ts.length - 1];
      if (first === undefined || last === undefined || first > t0 + tf || last + timeframeMs(dtf) < t1 - tf)
        throw invalidField(
          "detailTimeframe",
          `${dtf}: the stored ${k.symbol} ${dtf} candles ${first === undefined ? "are missing" : `cover only ${iso(first)} to ${iso(last! + timeframeMs(dtf))}`}, not the run's ${iso(t0)} to ${iso(t1)}`,
          `a finer timeframe stored for the whole run (kairos data import / resample), or {from}/{to} inside it`,
        );
      detail[k.symbol] = d;
    }
  }
  // BTC in the exchange's own quote when it has no BTC/USDT (e.g. BTC/USD on coinbase)
  const candidates = req.benchmark !== undefined ? [req.benchmark] : ["BTC/USDT", "BTC/USD", "BTC/USDC"];
  let benchSym: string | undefined;
  let benchmarkClose: Float64Array | undefined;
  for (const sym of candidates) {
    const bk: SeriesKey = { exchange, symbol: sym, timeframe };
    if (deps.store.info(bk) === undefined) continue;
    const ts = series[0]!.ts;
    const closes = alignCloses(deps.store.read(bk, { from: ts[0]!, to: ts[ts.length - 1]! + 1 }), ts);
    if (Number.isNaN(closes[start]!)) continue;
    benchSym = sym;
    benchmarkClose = closes;
    break;
  }
  const marketFees = req.marketFees;
  if (marketFees !== undefined) {
    const first = marketFees[series[0]!.symbol];
    if (first !== undefined) {
      config.fee = first.taker;
      config.makerFee = first.maker;
    }
  }
  const result = runEngine({
    series,
    ...(marketFees === undefined ? {} : { models: { fee: configuredFees(config, marketFees) } }),
    strategy: strat.create(),
    config,
    start,
    params: strat.params,
    ...(detail === undefined ? {} : { detail }),
    ...(benchmarkClose === undefined ? {} : { benchmarkClose }),
  });
  const run: BacktestRun = {
    result,
    analysis: analyseTrades(result.trades),
    exchange,
    series: series.map((s) => sliceSeries(s, start)),
    ...(benchSym === undefined ? {} : { benchmark: benchSym }),
  };
  if (req.checkLookahead === true)
    run.lookahead = checkLookahead({
      series,
      start,
      config,
      create: strat.create,
      ...(strat.exposures === undefined ? {} : { exposures: strat.exposures }),
      ...(req.lookaheadPoints === undefined ? {} : { points: req.lookaheadPoints }),
    });
  return run;
}

const iso = (ts: number): string | null => (Number.isFinite(ts) ? new Date(ts).toISOString() : null);

/** The machine-readable form of a run (metrics, trades, breakdowns, config); no per-bar arrays */
export function backtestToJson(run: BacktestRun): Record<string, unknown> {
  const r = run.result;
  const { fundingHistory: _h, ...config } = r.config;
  return {
    strategy: r.strategy,
    params: r.params,
    exchange: run.exchange,
    symbols: r.symbols,
    timeframe: r.timeframe,
    from: iso(r.metrics.startTs),
    to: iso(r.metrics.endTs),
    bars: r.metrics.bars,
    warmupBars: r.warmupBars,
    benchmark: run.benchmark ?? null,
    config,
    metrics: r.metrics,
    trades: tradesToJson(r.trades),
    analysis: run.analysis,
    gaps: r.gaps,
    ...(r.haltedAt === undefined ? {} : { haltedAt: iso(r.ts[r.haltedAt - r.warmupBars] ?? Number.NaN) }),
    ...(run.lookahead === undefined ? {} : { lookahead: run.lookahead }),
  };
}
