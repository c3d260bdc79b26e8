/**
 * The event-driven engine: the loop that feeds closed bars to the strategy and to the simulated
 * venue (src/execution/venue), under the execution model of types.ts. Per bar t: (1) the venue
 * runs the bar: open fills of what was decided at t-1's close, funding, exits and resting orders
 * inside the bar; (2) mark at the close, drawdown stop; (3) the strategy decides on bars [0, t],
 * and its targets (sized here) and orders go to the venue for bar t+1.
 */
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { Decision } from "../domain/decision.ts";
import type { Instrument } from "../domain/instrument.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { ExecutionModels } from "../execution/venue/models.ts";
import { createVenue } from "../execution/venue/venue.ts";
import type { Strategy, StrategyContext } from "../strategies/types.ts";
import { buyAndHoldCurve, computeMetrics } from "./metrics.ts";
import { closedHigher, type Resampled, resample } from "./resample.ts";
import { sizeExposure } from "./sizing.ts";
import type { BacktestResult, ExecutionConfig } from "./types.ts";
import { gapsOf, venueBars } from "./venue-bars.ts";

export interface EngineInput {
  /** aligned series: same length and timestamps, one per symbol */
  series: readonly CandleSeries[];
  strategy: Strategy;
  config: ExecutionConfig;
  /** index of the first bar of the run; bars before it are warm-up (the strategy sees them, nothing trades) */
  start?: number;
  /** finer bars per symbol for resolving stops inside a bar (e.g. 5m under 1h) */
  detail?: Readonly<Record<string, CandleSeries>>;
  models?: Partial<ExecutionModels>;
  /** per-symbol tick, lot and minimum notional (a session's market rules); else the config's for every symbol */
  instruments?: Readonly<Record<string, Instrument>>;
  /** benchmark closes aligned with `series` (full length), for alpha/beta */
  benchmarkClose?: Float64Array;
  params?: Record<string, unknown>;
  /** called with every decision taken at or after `start`; strategies may reuse the object next bar, so copy what you keep */
  onDecision?: (bar: number, decision: Decision) => void;
}

/** Runs one backtest; deterministic for the same input */
export function runEngine(input: EngineInput): BacktestResult {
  const { series, strategy, config: cfg } = input;
  const first = series[0];
  if (first === undefined) throw invalidInput("backtest: no series given");
  const n = first.ts.length;
  for (const s of series)
    if (s.ts.length !== n || s.ts[0] !== first.ts[0] || s.ts[n - 1] !== first.ts[n - 1])
      throw invalidInput(
        `backtest: series ${s.symbol} is not aligned with ${first.symbol}; align them first`,
      );
  const start = input.start ?? 0;
  if (start < 0 || start >= n) throw invalidInput(`backtest: start ${start} outside the ${n} loaded bars`);
  const perp = cfg.market === "perp";
  const L = perp ? cfg.leverage : 1;
  if (!perp && cfg.leverage !== 1)
    throw invalidInput("backtest: leverage needs market perp; use --market perp");
  const tf: Timeframe = first.timeframe;
  const tfMs = timeframeMs(tf);
  const symbols = series.map((s) => s.symbol);
  const bySym = new Map(series.map((s) => [s.symbol, s] as const));
  const venue = createVenue({
    config: cfg,
    symbols,
    barMs: tfMs,
    ...(input.models === undefined ? {} : { models: input.models }),
    ...(input.instruments === undefined ? {} : { instruments: input.instruments }),
  });
  const account = venue.account;
  const feed = venueBars(series, input.detail, tfMs);
  const m = n - start;
  const equity = new Float64Array(m);
  const cashArr = new Float64Array(m);
  const positions: Record<string, Float64Array> = {};
  for (const s of symbols) positions[s] = new Float64Array(m);
  const lastTarget = new Map<string, number>();
  const higherCache = new Map<string, Resampled>();
  let exposedBars = 0;
  let peakEquity = Number.NEGATIVE_INFINITY;
  let halted = false;
  let haltedAt: number | undefined;
  let t = 0;
  let lastEquity = cfg.initialCash;
  const closeOf = (sym: string): number => bySym.get(sym)!.close[t]!;

  const ctx: StrategyContext & { bar: number; ts: number; warmingUp: boolean; equity: number; cash: number } =
    {
      bar: 0,
      ts: 0,
      timeframe: tf,
      symbols,
      warmingUp: true,
      equity: cfg.initialCash,
      cash: cfg.initialCash,
      series: (symbol) => sliceSeries(seriesOf(symbol), 0, t + 1),
      higher: (htf, symbol) => {
        const s = seriesOf(symbol);
        if (timeframeMs(htf) <= tfMs)
          throw invalidInput(`ctx.higher: ${htf} is not above the base timeframe ${tf}`);
        const key = `${s.symbol}|${htf}`;
        let r = higherCache.get(key);
        if (r === undefined) {
          r = resample(s, htf);
          higherCache.set(key, r);
        }
        return closedHigher(r, t);
      },
      position: (symbol) => account.qty(seriesOf(symbol).symbol),
      target: (symbol) => lastTarget.get(seriesOf(symbol).symbol) ?? 0,
      // the venue's working orders, as a trading session reports its open ones (src/bots reads them)
      openOrders: (symbol) =>
        venue.openOrders(seriesOf(symbol).symbol).map((o) => ({
          side: o.side,
          type: o.type,
          remaining: o.qty - o.filledQty,
          ...(o.limitPrice === undefined ? {} : { limitPrice: o.limitPrice }),
        })),
    };
  function seriesOf(symbol: string | undefined): CandleSeries {
    if (symbol === undefined) return first!;
    const s = bySym.get(symbol);
    if (s === undefined)
      throw invalidInput(`ctx: unknown symbol ${symbol}; this run has ${symbols.join(", ")}`);
    return s;
  }

  /** Targets become venue targets sized on equity at this close; orders go to the venue as they are */
  function decide(d: Decision): void {
    const eq = lastEquity;
    if (d.targets !== undefined) {
      for (const sym in d.targets) {
        const raw = d.targets[sym]!;
        if (!bySym.has(sym)) throw invalidInput(`strategy ${strategy.id}: target for unknown symbol ${sym}`);
        let e = perp ? Math.max(-L, Math.min(L, raw)) : Math.max(0, Math.min(1, raw));
        const prev = lastTarget.get(sym);
        if (e === prev || (prev === undefined && e === 0)) continue;
        lastTarget.set(sym, e);
        const close = closeOf(sym);
        e = sizeExposure(cfg.sizing, e, bySym.get(sym)!.close, t, perp ? L : 1, (365 * 86_400_000) / tfMs);
        const qty =
          cfg.sizing.kind === "fixed-notional" ? (e * cfg.sizing.notional) / close : (e * eq) / close;
        venue.setTarget(sym, qty, d.reason ?? "signal", d.exits?.[sym]);
      }
    }
    const orders = d.orders ?? [];
    for (let i = 0; i < orders.length; i++) {
      const ack = venue.submit({ ...orders[i]!, clientOrderId: `${strategy.id}-${t}-${i}` });
      if (ack.status === "rejected") throw invalidInput(`strategy ${strategy.id}: ${ack.reason}`);
    }
  }

  strategy.prepare?.({ timeframe: tf, series: Object.fromEntries(series.map((s) => [s.symbol, s])) });
  for (t = 0; t < n; t++) {
    if (t > start) venue.onBar(t, feed.load(t));
    const eq = account.equity(closeOf);
    lastEquity = eq;
    if (t >= start) {
      const k = t - start;
      equity[k] = eq;
      cashArr[k] = account.cash;
      let open = false;
      for (const sym of symbols) {
        const q = account.qty(sym);
        positions[sym]![k] = q;
        if (q !== 0) open = true;
      }
      if (open) exposedBars++;
      if (eq > peakEquity) peakEquity = eq;
      if (!halted && cfg.maxDrawdownStop !== undefined && eq < peakEquity * (1 - cfg.maxDrawdownStop)) {
        halted = true;
        haltedAt = t;
        venue.cancelAll("drawdown-stop");
        for (const sym of symbols) {
          lastTarget.set(sym, 0);
          if (account.qty(sym) !== 0) venue.setTarget(sym, 0, "drawdown-stop");
          else venue.clearTarget(sym);
        }
      }
    }
    ctx.bar = t;
    ctx.ts = first.ts[t]!;
    ctx.warmingUp = t < start;
    ctx.equity = eq;
    ctx.cash = account.cash;
    const d = strategy.onBar(ctx);
    if (d !== undefined && t >= start) {
      input.onDecision?.(t, d);
      if (!halted && t < n - 1) decide(d);
    }
  }
  t = n - 1;
  const trades = [...account.trades, ...account.openTrades(first.ts[n - 1]!, n - 1, closeOf)];
  const ts = first.ts.slice(start);
  const bh = buyAndHoldCurve(
    series.map((s) => s.close.subarray(start)),
    cfg.initialCash,
  );
  const metrics = computeMetrics({
    timeframe: tf,
    ts,
    equity,
    trades,
    fees: account.fees,
    funding: account.funding,
    tradedNotional: account.tradedNotional,
    exposedBars,
    buyAndHoldEquity: bh,
    ...(input.benchmarkClose === undefined ? {} : { benchmarkClose: input.benchmarkClose.subarray(start) }),
  });
  return {
    strategy: strategy.id,
    params: input.params ?? {},
    timeframe: tf,
    symbols,
    config: cfg,
    ts,
    equity,
    buyAndHoldEquity: bh,
    cash: cashArr,
    positions,
    fills: [...account.fills],
    trades,
    metrics,
    gaps: gapsOf(first, start, tfMs),
    warmupBars: start,
    ...(haltedAt === undefined ? {} : { haltedAt }),
  };
}
