/**
 * The event-driven engine: bar by bar over one or many aligned series, one cash balance, the
 * execution model of types.ts. Per bar t: (1) open fills of what was decided at t-1's close
 * (sells before buys), (2) funding, (3) inside the bar: exits and resting orders, pessimistic order,
 * (4) mark at the close, drawdown stop, (5) the strategy decides on bars [0, t].
 */
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { Decision, ExitRules } from "../domain/decision.ts";
import type { Fill } from "../domain/fill.ts";
import type { OrderSide } from "../domain/order.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { Strategy, StrategyContext } from "../strategies/types.ts";
import { Book, type Position } from "../execution/venue/book.ts";
import { matchOrder, takerPrice, type WorkingOrder } from "../execution/venue/fill-model.ts";
import { type ExecutionModels, modelsFrom } from "../execution/venue/models.ts";
import type { Segment } from "../execution/venue/types.ts";
import { buyAndHoldCurve, computeMetrics } from "./metrics.ts";
import { closedHigher, type Resampled, resample } from "./resample.ts";
import { sizeExposure } from "./sizing.ts";
import type { BacktestResult, ExecutionConfig, GapCrossed } from "./types.ts";

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
  /** benchmark closes aligned with `series` (full length), for alpha/beta */
  benchmarkClose?: Float64Array;
  params?: Record<string, unknown>;
  /** called with every decision taken at or after `start`; strategies may reuse the object next bar, so copy what you keep */
  onDecision?: (bar: number, decision: Decision) => void;
}

interface PendingTarget {
  qty: number;
  reason: string;
  exits: ExitRules | undefined;
}

const STOP_REASONS = new Set(["stop-loss", "trailing-stop", "liquidation"]);

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
  const models = modelsFrom(cfg, input.models);
  const tf: Timeframe = first.timeframe;
  const tfMs = timeframeMs(tf);
  const symbols = series.map((s) => s.symbol);
  const bySym = new Map(series.map((s) => [s.symbol, s] as const));
  const book = new Book(cfg.initialCash, L, perp, models.margin.liquidationPrice);
  const m = n - start;
  const equity = new Float64Array(m);
  const cashArr = new Float64Array(m);
  const positions: Record<string, Float64Array> = {};
  for (const s of symbols) positions[s] = new Float64Array(m);
  const pending = new Map<string, PendingTarget>();
  const lastTarget = new Map<string, number>();
  let working: WorkingOrder[] = [];
  const cooldownUntil = new Map<string, number>();
  const higherCache = new Map<string, Resampled>();
  let exposedBars = 0;
  let peakEquity = Number.NEGATIVE_INFINITY;
  let halted = false;
  let haltedAt: number | undefined;
  let t = 0;
  let lastEquity = cfg.initialCash;
  const closeOf = (sym: string): number => bySym.get(sym)!.close[t]!;
  const openOf = (sym: string): number => bySym.get(sym)!.open[t]!;
  const filledThisBar = new Map<string, number>();

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
      position: (symbol) => book.qty(seriesOf(symbol).symbol),
      target: (symbol) => lastTarget.get(seriesOf(symbol).symbol) ?? 0,
    };
  function seriesOf(symbol: string | undefined): CandleSeries {
    if (symbol === undefined) return first!;
    const s = bySym.get(symbol);
    if (s === undefined)
      throw invalidInput(`ctx: unknown symbol ${symbol}; this run has ${symbols.join(", ")}`);
    return s;
  }

  /** Quantity actually fillable after every cap; 0 means nothing */
  function sizeFill(sym: string, side: OrderSide, want: number, price: number, feeRate: number): number {
    const s = bySym.get(sym)!;
    const q = book.qty(sym);
    const dq = side === "buy" ? 1 : -1;
    let qty = want;
    if (cfg.participationCap !== undefined) {
      const room = cfg.participationCap * s.volume[t]! - (filledThisBar.get(sym) ?? 0);
      qty = Math.min(qty, Math.max(0, room));
    }
    const reducing = q !== 0 && Math.sign(q) !== dq ? Math.min(qty, Math.abs(q)) : 0;
    let increase = qty - reducing;
    if (increase > 0 && (cooldownUntil.get(sym) ?? -1) >= t) increase = 0;
    if (!perp) {
      // spot: no shorting, and buys are capped by cash
      if (dq < 0) increase = 0;
      else if (increase > 0) increase = Math.min(increase, Math.max(0, book.cash / (price * (1 + feeRate))));
    } else if (increase > 0) {
      const eq = book.equity(openOf);
      const freed = reducing > 0 ? (book.positions.get(sym)!.margin * reducing) / Math.abs(q) : 0;
      const free = eq - book.usedMargin() + freed;
      increase = Math.min(increase, Math.max(0, free / (price * (1 / L + feeRate))));
    }
    qty = reducing + increase;
    if (cfg.lotSize !== undefined && cfg.lotSize > 0)
      qty = Math.floor(qty / cfg.lotSize + 1e-9) * cfg.lotSize;
    if (cfg.minNotional !== undefined && qty * price < cfg.minNotional) return 0;
    return Math.max(qty, 0);
  }

  function fill(
    sym: string,
    side: OrderSide,
    qty: number,
    price: number,
    liquidity: "maker" | "taker",
    orderType: Fill["orderType"],
    reason: string,
    exits?: ExitRules,
  ): void {
    const fee = models.fee.rate(sym, liquidity) * qty * price;
    const before = book.positions.get(sym);
    const wasStopExit = STOP_REASONS.has(reason);
    book.apply({
      symbol: sym,
      side,
      qty,
      price,
      fee,
      ts: bySym.get(sym)!.ts[t]!,
      bar: t,
      liquidity,
      orderType,
      reason,
      exits: exits ?? cfg.exits,
    });
    filledThisBar.set(sym, (filledThisBar.get(sym) ?? 0) + qty);
    if (wasStopExit && before !== undefined && book.qty(sym) === 0)
      cooldownUntil.set(sym, t + cfg.cooldownBars);
  }

  function openStep(): void {
    interface Cand {
      sym: string;
      side: OrderSide;
      qty: number;
      reason: string;
      exits: ExitRules | undefined;
      order: WorkingOrder | undefined;
    }
    const cands: Cand[] = [];
    for (const [sym, p] of pending) {
      const delta = p.qty - book.qty(sym);
      if (delta === 0) pending.delete(sym);
      else {
        const side: OrderSide = delta > 0 ? "buy" : "sell";
        cands.push({ sym, side, qty: Math.abs(delta), reason: p.reason, exits: p.exits, order: undefined });
      }
    }
    for (const o of working)
      if (o.req.type === "market" && o.activeFrom <= t && o.remaining > 0)
        cands.push({
          sym: o.req.symbol,
          side: o.req.side,
          qty: o.remaining,
          reason: o.req.tag ?? "market",
          exits: undefined,
          order: o,
        });
    // sells first so that the cash they free can fund the buys
    cands.sort((a, b) => (a.side === b.side ? 0 : a.side === "sell" ? -1 : 1));
    for (const c of cands) {
      const s = bySym.get(c.sym)!;
      const slip = models.slippage.fraction(c.qty, s.open[t]!, s.high[t]!, s.low[t]!, s.volume[t]!);
      const price = takerPrice(c.side, s.open[t]!, slip, s.low[t]!, s.high[t]!, cfg.priceTick);
      const order = c.order;
      const want = order?.req.reduceOnly === true ? reduceOnlyQty(c.sym, c.side, c.qty) : c.qty;
      const qty = want > 0 ? sizeFill(c.sym, c.side, want, price, models.fee.rate(c.sym, "taker")) : 0;
      if (order !== undefined) {
        const tif = order.req.timeInForce ?? "gtc";
        if (tif === "fok" && qty < order.remaining) {
          order.remaining = 0;
          continue;
        }
        if (qty > 0) fill(c.sym, c.side, qty, price, "taker", "market", c.reason);
        order.remaining = tif === "gtc" && want > 0 ? order.remaining - qty : 0;
        continue;
      }
      if (qty > 0) fill(c.sym, c.side, qty, price, "taker", "target", c.reason, c.exits);
      // only the participation cap leaves a target pending (the rest fills next bar); other caps are final
      if (!(cfg.participationCap !== undefined && qty < c.qty)) pending.delete(c.sym);
    }
  }

  function reduceOnlyQty(sym: string, side: OrderSide, want: number): number {
    const q = book.qty(sym);
    if (q === 0 || (side === "buy") === q > 0) return 0;
    return Math.min(want, Math.abs(q));
  }

  function fundingStep(): void {
    if (!perp) return;
    const iv = models.funding.intervalMs;
    const ts = first!.ts[t]!;
    for (let f = Math.ceil(ts / iv) * iv; f < ts + tfMs; f += iv)
      for (const [sym, p] of book.positions)
        if (p.qty !== 0) book.payFunding(sym, p.qty * openOf(sym) * models.funding.rate(sym, f));
  }

  /** Adverse (stop, trailing, liquidation) then favourable (take-profit) exits of a position in one segment */
  function exitStep(sym: string, p: Position, seg: Segment, adverseOnly: boolean): void {
    const long = p.qty > 0;
    const ex = p.exits;
    if (ex.stopLoss === undefined && ex.trailingStop === undefined && ex.takeProfit === undefined && !perp)
      return;
    let level = Number.NaN;
    let kind = "";
    // the adverse level nearest the open is hit first
    for (let k = 0; k < 3; k++) {
      let lv = Number.NaN;
      if (k === 0 && ex.stopLoss !== undefined) lv = p.avgEntry * (long ? 1 - ex.stopLoss : 1 + ex.stopLoss);
      else if (k === 1 && ex.trailingStop !== undefined)
        lv = long ? p.peak * (1 - ex.trailingStop) : p.trough * (1 + ex.trailingStop);
      else if (k === 2 && perp) lv = p.liqPrice;
      if (!(lv > 0) || !Number.isFinite(lv)) continue;
      if (Number.isNaN(level) || (long ? lv > level : lv < level)) {
        level = lv;
        kind = k === 0 ? "stop-loss" : k === 1 ? "trailing-stop" : "liquidation";
      }
    }
    const side: OrderSide = long ? "sell" : "buy";
    const qty = Math.abs(p.qty);
    if (!Number.isNaN(level)) {
      const gap = long ? seg.open <= level : seg.open >= level;
      const hit = gap || (long ? seg.low <= level : seg.high >= level);
      if (hit && !(adverseOnly && gap)) {
        const ref = gap ? seg.open : level;
        if (kind === "liquidation") {
          liquidate(sym, p, ref, seg);
          return;
        }
        const slip = models.slippage.fraction(qty, seg.open, seg.high, seg.low, seg.volume);
        fill(
          sym,
          side,
          qty,
          takerPrice(side, ref, slip, seg.low, seg.high, cfg.priceTick),
          "taker",
          kind as Fill["orderType"],
          kind,
        );
        return;
      }
    }
    if (adverseOnly || ex.takeProfit === undefined) return;
    const tp = p.avgEntry * (long ? 1 + ex.takeProfit : 1 - ex.takeProfit);
    if (long ? seg.open >= tp : seg.open <= tp)
      fill(sym, side, qty, seg.open, "taker", "take-profit", "take-profit");
    else if (long ? seg.high >= tp : seg.low <= tp)
      fill(sym, side, qty, tp, "maker", "take-profit", "take-profit");
  }

  function liquidate(sym: string, p: Position, ref: number, seg: Segment): void {
    const long = p.qty > 0;
    const qty = Math.abs(p.qty);
    const price = Math.min(Math.max(ref, seg.low), seg.high);
    const pnl = qty * (price - p.avgEntry) * (long ? 1 : -1);
    let fee = models.margin.liquidationFee * qty * price;
    // isolated margin: the loss never exceeds the position's margin
    const excess = -(pnl - fee) - p.margin;
    if (excess > 0) fee = Math.max(0, fee - excess);
    const margin = p.margin;
    const ts = bySym.get(sym)!.ts[t]!;
    book.apply({
      symbol: sym,
      side: long ? "sell" : "buy",
      qty,
      price,
      fee,
      ts,
      bar: t,
      liquidity: "taker",
      orderType: "liquidation",
      reason: "liquidation",
    });
    if (pnl < -margin) book.credit(-margin - pnl);
    cooldownUntil.set(sym, t + cfg.cooldownBars);
  }

  const wholeSeg: Segment = { open: 0, high: 0, low: 0, volume: 0 };
  const wholeList = [wholeSeg];
  function segmentsOf(sym: string): Segment[] {
    const s = bySym.get(sym)!;
    const d = input.detail?.[sym];
    // the common case reuses one segment object: no allocation per bar
    wholeSeg.open = s.open[t]!;
    wholeSeg.high = s.high[t]!;
    wholeSeg.low = s.low[t]!;
    wholeSeg.volume = s.volume[t]!;
    if (d === undefined) return wholeList;
    const whole = { ...wholeSeg };
    const t0 = s.ts[t]!;
    let lo = 0;
    let hi = d.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (d.ts[mid]! < t0) lo = mid + 1;
      else hi = mid;
    }
    const out: Segment[] = [];
    for (let i = lo; i < d.ts.length && d.ts[i]! < t0 + tfMs; i++)
      out.push({ open: d.open[i]!, high: d.high[i]!, low: d.low[i]!, volume: d.volume[i]! });
    return out.length > 0 ? out : [whole];
  }

  function intrabarStep(): void {
    for (const sym of symbols) {
      const s = bySym.get(sym)!;
      for (const seg of segmentsOf(sym)) {
        let p = book.positions.get(sym);
        if (p !== undefined && p.qty !== 0) exitStep(sym, p, seg, false);
        let filled = false;
        for (const o of working) {
          if (o.req.symbol !== sym || o.req.type === "market" || o.remaining <= 0 || o.activeFrom > t)
            continue;
          const mt = matchOrder(o, seg);
          if (mt === undefined) continue;
          let want = o.remaining;
          if (o.req.reduceOnly === true) want = reduceOnlyQty(sym, o.req.side, want);
          if (want <= 0) {
            o.remaining = 0;
            continue;
          }
          let price = mt.price;
          if (mt.liquidity === "taker") {
            const slip = models.slippage.fraction(want, seg.open, seg.high, seg.low, seg.volume);
            price = takerPrice(o.req.side, mt.price, slip, seg.low, seg.high, cfg.priceTick);
            const lim = o.req.type === "stop" ? undefined : o.req.limitPrice;
            if (lim !== undefined && (o.req.side === "buy" ? price > lim : price < lim)) price = lim;
          }
          const qty = sizeFill(sym, o.req.side, want, price, models.fee.rate(sym, mt.liquidity));
          if (o.req.timeInForce === "fok" && qty < o.remaining) {
            o.remaining = 0;
            continue;
          }
          if (qty > 0) {
            fill(sym, o.req.side, qty, price, mt.liquidity, o.req.type, o.req.tag ?? o.req.type);
            o.remaining -= qty;
            filled = true;
          }
        }
        for (const o of working) o.triggeredNow = false;
        p = book.positions.get(sym);
        // a position entered inside this segment may already have hit its stop: assume it did
        if (filled && p !== undefined && p.qty !== 0) exitStep(sym, p, seg, true);
        p = book.positions.get(sym);
        if (p !== undefined && p.qty !== 0) {
          if (seg.high > p.peak) p.peak = seg.high;
          if (seg.low < p.trough) p.trough = seg.low;
        }
      }
      const p = book.positions.get(sym);
      if (p !== undefined && p.qty !== 0) {
        book.excursion(p, s.low[t]!);
        book.excursion(p, s.high[t]!);
      }
    }
  }

  function expireOrders(): void {
    if (working.length === 0) return;
    for (const o of working) {
      if (o.activeFrom > t) continue;
      o.barsActive++;
      const tif = o.req.timeInForce ?? "gtc";
      if (tif !== "gtc") o.remaining = 0;
      else if (o.req.expireAfterBars !== undefined && o.barsActive >= o.req.expireAfterBars) o.remaining = 0;
    }
    working = working.filter((o) => o.remaining > 0);
  }

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
        pending.set(sym, { qty, reason: d.reason ?? "signal", exits: d.exits?.[sym] });
      }
    }
    for (const o of d.orders ?? []) {
      if (!bySym.has(o.symbol))
        throw invalidInput(`strategy ${strategy.id}: order for unknown symbol ${o.symbol}`);
      if (!(o.qty > 0) || !Number.isFinite(o.qty))
        throw invalidInput(`strategy ${strategy.id}: order qty must be > 0, got ${o.qty}`);
      if ((o.type === "limit" || o.type === "stop-limit") && !(o.limitPrice! > 0))
        throw invalidInput(`strategy ${strategy.id}: ${o.type} order needs limitPrice > 0`);
      if ((o.type === "stop" || o.type === "stop-limit") && !(o.stopPrice! > 0))
        throw invalidInput(`strategy ${strategy.id}: ${o.type} order needs stopPrice > 0`);
      working.push({
        req: { ...o },
        remaining: o.qty,
        activeFrom: t + 1,
        barsActive: 0,
        triggered: false,
        triggeredNow: false,
        filledQty: 0,
      });
    }
  }

  strategy.prepare?.({ timeframe: tf, series: Object.fromEntries(series.map((s) => [s.symbol, s])) });
  for (t = 0; t < n; t++) {
    filledThisBar.clear();
    if (t > start) {
      openStep();
      fundingStep();
      intrabarStep();
      expireOrders();
    }
    const eq = book.equity(closeOf);
    lastEquity = eq;
    if (t >= start) {
      const k = t - start;
      equity[k] = eq;
      cashArr[k] = book.cash;
      let open = false;
      for (const sym of symbols) {
        const q = book.qty(sym);
        positions[sym]![k] = q;
        if (q !== 0) open = true;
      }
      if (open) exposedBars++;
      if (eq > peakEquity) peakEquity = eq;
      if (!halted && cfg.maxDrawdownStop !== undefined && eq < peakEquity * (1 - cfg.maxDrawdownStop)) {
        halted = true;
        haltedAt = t;
        working = [];
        for (const sym of symbols) {
          lastTarget.set(sym, 0);
          if (book.qty(sym) !== 0) pending.set(sym, { qty: 0, reason: "drawdown-stop", exits: undefined });
          else pending.delete(sym);
        }
      }
    }
    ctx.bar = t;
    ctx.ts = first.ts[t]!;
    ctx.warmingUp = t < start;
    ctx.equity = eq;
    ctx.cash = book.cash;
    const d = strategy.onBar(ctx);
    if (d !== undefined && t >= start) {
      input.onDecision?.(t, d);
      if (!halted && t < n - 1) decide(d);
    }
  }
  t = n - 1;
  const trades = [...book.trades, ...book.openTrades(first.ts[n - 1]!, n - 1, closeOf)];
  const ts = first.ts.slice(start);
  const bh = buyAndHoldCurve(
    series.map((s) => s.close.subarray(start)),
    cfg.initialCash,
  );
  const gaps = gapsOf(first, start, tfMs);
  const metrics = computeMetrics({
    timeframe: tf,
    ts,
    equity,
    trades,
    fees: book.fees,
    funding: book.funding,
    tradedNotional: book.tradedNotional,
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
    fills: book.fills,
    trades,
    metrics,
    gaps,
    warmupBars: start,
    ...(haltedAt === undefined ? {} : { haltedAt }),
  };
}

function gapsOf(s: CandleSeries, start: number, tfMs: number): GapCrossed[] {
  const out: GapCrossed[] = [];
  for (let i = Math.max(1, start); i < s.ts.length; i++) {
    const d = s.ts[i]! - s.ts[i - 1]!;
    if (d > tfMs)
      out.push({
        symbol: s.symbol,
        fromTs: s.ts[i - 1]!,
        toTs: s.ts[i]!,
        missingBars: Math.round(d / tfMs) - 1,
      });
  }
  return out;
}
