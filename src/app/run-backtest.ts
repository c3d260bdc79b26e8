import { runEngine } from "../backtest/engine.ts";
import { strategyFactoryFromModule } from "../backtest/guard.ts";
import { checkLookahead, type LookaheadReport } from "../backtest/lookahead.ts";
import { configuredFees } from "../execution/venue/models.ts";
import { analyseTrades, type TradeAnalysis, tradesToJson } from "../backtest/trade-analysis.ts";
import {
  type BacktestResult,
  defaultExecution,
  type ExecutionConfig,
  type MarketKind,
} from "../backtest/types.ts";
import { parseFraction } from "../backtest/units.ts";
import { alignSeries } from "../data/align.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import type { ExitRules } from "../domain/decision.ts";
import { parseTimeframe, type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { AppError, invalidInput } from "../errors.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import type { FeeSchedule, TradingFees } from "../ports/fee-schedule.ts";
import type { FundingStore } from "../ports/funding-store.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import type { Strategy } from "../strategies/types.ts";
import { parseTime, resolveSeries } from "./resolve-series.ts";

/** What to backtest; rates accept 0.001, 0.1% or 10bps */
export interface RunBacktestRequest {
  /** a built-in family name, or a label (the file path) when `userModule` is given */
  strategy: string;
  userModule?: unknown;
  params?: Record<string, unknown>;
  exchange?: string;
  symbols: string[];
  timeframe: string;
  from?: string;
  to?: string;
  /** a rate, or "exchange" with `marketFees` filled from the exchange's schedule (see `exchangeFees`) */
  fee?: string | number;
  makerFee?: string | number;
  /** maker/taker per symbol from market metadata; overrides fee and makerFee for those symbols */
  marketFees?: Record<string, TradingFees>;
  slippage?: string | number;
  market?: MarketKind;
  leverage?: number;
  initialCash?: number;
  stopLoss?: string | number;
  takeProfit?: string | number;
  trailingStop?: string | number;
  cooldownBars?: number;
  maxDrawdownStop?: string | number;
  fundingRate?: string | number;
  /** perps: maintenance margin rate (default 0.5%) and liquidation fee (default 0.5%) */
  maintenanceMargin?: string | number;
  liquidationFee?: string | number;
  /** sizing: exposure multiplier (e.g. 3 with --leverage 3), fixed quote notional, or annual vol target */
  /** volume slippage: slippage = (--slippage) + impact * range/open * sqrt(qty/volume) */
  impact?: number;
  /** max fraction of a bar's volume filled per bar */
  participation?: string | number;
  lotSize?: number;
  priceTick?: number;
  minNotional?: number;
  sizeFraction?: number;
  sizeNotional?: number;
  volTarget?: string | number;
  /** finer stored timeframe used to resolve stops inside a bar */
  detailTimeframe?: string;
  /** benchmark symbol for alpha/beta, default BTC/USDT on the same exchange (skipped when not stored) */
  benchmark?: string;
  checkLookahead?: boolean;
  lookaheadPoints?: number;
}

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

function resolveStrategy(req: RunBacktestRequest): Resolved {
  const raw = req.params ?? {};
  if (req.userModule !== undefined) {
    const factory = strategyFactoryFromModule(req.userModule, req.strategy);
    return { create: () => factory(raw), params: raw };
  }
  const fam = getFamily(req.strategy);
  if (fam === undefined)
    throw invalidInput(
      `unknown strategy "${req.strategy}": use one of ${Object.keys(FAMILIES).join(", ")}, or a path to a .ts file`,
    );
  const parsed = fam.params.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const at = i.path.length > 0 ? `--${String(i.path[0])}` : "params";
    throw invalidInput(`${fam.name} ${at}: ${i.message}`);
  }
  const p = parsed.data as Record<string, number | boolean>;
  return { create: () => fam.create(p), params: p, exposures: (s) => fam.exposures(s, p) };
}

const rate = (v: string | number | undefined, flag: string, max = 1): number | undefined =>
  v === undefined ? undefined : parseFraction(v, flag, max);

/** Builds the execution config from the request's units */
export function executionFromRequest(req: RunBacktestRequest): ExecutionConfig {
  const market = req.market ?? (req.leverage !== undefined && req.leverage !== 1 ? "perp" : "spot");
  const leverage = req.leverage ?? 1;
  if (!(leverage >= 1 && leverage <= 125))
    throw invalidInput(`--leverage ${leverage}: use a number from 1 to 125`);
  const exits: ExitRules = {};
  const sl = rate(req.stopLoss, "--stop-loss");
  const tp = rate(req.takeProfit, "--take-profit", 100);
  const tr = rate(req.trailingStop, "--trailing-stop");
  if (sl !== undefined) exits.stopLoss = sl;
  if (tp !== undefined) exits.takeProfit = tp;
  if (tr !== undefined) exits.trailingStop = tr;
  const cfg = defaultExecution({ market, leverage, exits });
  const fee = req.fee === "exchange" ? undefined : rate(req.fee, "--fee", 0.1);
  const maker = rate(req.makerFee, "--maker-fee", 0.1);
  const slip = rate(req.slippage, "--slippage", 0.1);
  const dd = rate(req.maxDrawdownStop, "--max-drawdown-stop");
  const fr = rate(req.fundingRate, "--funding-rate", 0.1);
  if (fee !== undefined) cfg.fee = fee;
  if (maker !== undefined) cfg.makerFee = maker;
  if (slip !== undefined) cfg.slippage = { kind: "fixed", rate: slip };
  if (dd !== undefined) cfg.maxDrawdownStop = dd;
  if (fr !== undefined) cfg.fundingRate = fr;
  const mm = rate(req.maintenanceMargin, "--maintenance-margin", 0.5);
  const lf = rate(req.liquidationFee, "--liquidation-fee", 0.5);
  if (mm !== undefined) cfg.maintenanceMargin = mm;
  if (lf !== undefined) cfg.liquidationFee = lf;
  if (req.initialCash !== undefined) {
    if (!(req.initialCash > 0)) throw invalidInput(`--cash ${req.initialCash}: must be > 0`);
    cfg.initialCash = req.initialCash;
  }
  if (req.impact !== undefined) {
    if (!(req.impact >= 0)) throw invalidInput(`--impact ${req.impact}: must be >= 0`);
    cfg.slippage = { kind: "volume", base: slip ?? 0, k: req.impact };
  }
  const part = rate(req.participation, "--participation");
  if (part !== undefined) {
    if (part === 0) throw invalidInput("--participation must be above 0 (e.g. 10%)");
    cfg.participationCap = part;
  }
  for (const [v, flag, key] of [
    [req.lotSize, "--lot-size", "lotSize"],
    [req.priceTick, "--tick", "priceTick"],
    [req.minNotional, "--min-notional", "minNotional"],
  ] as const) {
    if (v === undefined) continue;
    if (!(v > 0)) throw invalidInput(`${flag} ${v}: must be > 0`);
    cfg[key] = v;
  }
  const sizings = [req.sizeFraction, req.sizeNotional, req.volTarget].filter((x) => x !== undefined).length;
  if (sizings > 1) throw invalidInput("give at most one of --size, --notional and --vol-target");
  if (req.sizeFraction !== undefined) {
    if (!(req.sizeFraction > 0 && req.sizeFraction <= leverage))
      throw invalidInput(`--size ${req.sizeFraction}: must be > 0 and at most --leverage (${leverage})`);
    cfg.sizing = { kind: "fixed-fraction", fraction: req.sizeFraction };
  }
  if (req.sizeNotional !== undefined) {
    if (!(req.sizeNotional > 0)) throw invalidInput(`--notional ${req.sizeNotional}: must be > 0`);
    cfg.sizing = { kind: "fixed-notional", notional: req.sizeNotional };
  }
  const vt = rate(req.volTarget, "--vol-target", 10);
  if (vt !== undefined)
    cfg.sizing = { kind: "vol-target", annualVol: vt, lookback: 30, maxExposure: leverage };
  if (req.cooldownBars !== undefined) {
    if (!Number.isInteger(req.cooldownBars) || req.cooldownBars < 0)
      throw invalidInput(`--cooldown ${req.cooldownBars}: must be a whole number of bars >= 0`);
    cfg.cooldownBars = req.cooldownBars;
  }
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
      throw invalidInput(`--fee exchange: no published fees for ${exchange}; give the rate, e.g. --fee 0.1%`);
    out[s] = f;
  }
  return out;
}

/**
 * Runs a backtest over stored candles: resolves the series and the strategy, loads warm-up bars
 * before `from`, runs the event engine, analyses the trades and, when asked, checks for look-ahead.
 */
export function runBacktest(deps: RunBacktestDeps, req: RunBacktestRequest): BacktestRun {
  if (req.symbols.length === 0) throw invalidInput("backtest: give --symbol (e.g. BTC/USDT)");
  const timeframe: Timeframe = parseTimeframe(req.timeframe);
  const strat = resolveStrategy(req);
  const warmup = strat.create().warmup;
  const from = parseTime(req.from, "--from");
  const to = parseTime(req.to, "--to");
  if (from !== undefined && to !== undefined && to <= from) throw invalidInput("--to must be after --from");
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
  const series = cut === 0 ? aligned : aligned.map((s) => sliceOwned(s, cut));
  const start = before - cut;
  if (series[0]!.ts.length - start < 2)
    throw invalidInput(
      `backtest: fewer than 2 bars between --from and --to for ${req.symbols.join(", ")} ${timeframe}`,
    );
  const config = executionFromRequest(req);
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
    const dtf = parseTimeframe(req.detailTimeframe);
    if (timeframeMs(dtf) >= timeframeMs(timeframe) || timeframeMs(timeframe) % timeframeMs(dtf) !== 0)
      throw invalidInput(`--detail ${dtf} must be a finer timeframe that divides ${timeframe}`);
    detail = {};
    const t0 = series[0]!.ts[0]!;
    const t1 = series[0]!.ts[series[0]!.ts.length - 1]! + timeframeMs(timeframe);
    for (const k of keys) detail[k.symbol] = deps.store.read({ ...k, timeframe: dtf }, { from: t0, to: t1 });
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
    series: series.map((s) => sliceOwned(s, start)),
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

function sliceOwned(s: CandleSeries, from: number): CandleSeries {
  return {
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: s.ts.subarray(from),
    open: s.open.subarray(from),
    high: s.high.subarray(from),
    low: s.low.subarray(from),
    close: s.close.subarray(from),
    volume: s.volume.subarray(from),
  };
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
