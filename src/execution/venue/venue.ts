/**
 * The simulated venue: targets and orders in, fills and order events out, one closed bar at a
 * time. Per `onBar`: (1) open fills of targets and market orders (sells before buys), (2) funding,
 * (3) inside the bar, per symbol and (detail) segment: position exits, resting orders, a stop on
 * a position just opened, (4) time in force. The rules are those of src/backtest/types.ts.
 */
import type { ExitRules } from "../../domain/decision.ts";
import type { Fill, FillKind, Liquidity } from "../../domain/fill.ts";
import { decimalsOf, filterFailure, type Instrument } from "../../domain/instrument.ts";
import { newOrder, type Order, type OrderSide } from "../../domain/order.ts";
import { transition } from "../../domain/order-status.ts";
import { invalidInput } from "../../errors.ts";
import { Book, type OpenPosition } from "./book.ts";
import { matchOrder, takerPrice, type WorkingOrder } from "./fill-model.ts";
import { modelsFrom } from "./models.ts";
import type {
  Segment,
  Venue,
  VenueBar,
  VenueEvent,
  VenueOptions,
  VenueOrderEvent,
  VenueOrderRequest,
} from "./types.ts";

interface PendingTarget {
  qty: number;
  reason: string;
  exits: ExitRules | undefined;
}

const STOP_REASONS = new Set(["stop-loss", "trailing-stop", "liquidation"]);

/** A venue over `symbols`, with the rules of `config` (and `instruments` per symbol when given) */
export function createVenue(opts: VenueOptions): Venue {
  const { config: cfg } = opts;
  const perp = cfg.market === "perp";
  const L = perp ? cfg.leverage : 1;
  const models = modelsFrom(cfg, opts.models);
  const book = new Book(cfg.initialCash, L, perp, models.margin.liquidationPrice);
  const symbols = [...opts.symbols];
  const rules = new Map<string, Instrument>();
  for (const sym of symbols) rules.set(sym, opts.instruments?.[sym] ?? configured(sym));
  const pending = new Map<string, PendingTarget>();
  let working: WorkingOrder[] = [];
  const orders = new Map<string, Order>();
  const cooldownUntil = new Map<string, number>();
  const filledThisBar = new Map<string, number>();
  // last close seen per symbol (by position in `symbols`): marks a symbol missing from a step, prices a market order's notional
  const symIndex = new Map(symbols.map((sym, k) => [sym, k] as const));
  const closes = new Float64Array(symbols.length).fill(Number.NaN);
  const lastClose = (sym: string): number | undefined => {
    const c = closes[symIndex.get(sym) ?? -1];
    return c === undefined || Number.isNaN(c) ? undefined : c;
  };
  const events: VenueEvent[] = [];
  // where events go: the bar's list during onBar, a call's own list during submit and cancel
  let sink: VenueEvent[] = events;
  const one: Segment[] = [];
  let tradeSeq = 0;
  let t = 0;
  let lastIndex: number | undefined;
  let lastTs = 0;
  let bars: Readonly<Record<string, VenueBar>> = {};

  function configured(symbol: string): Instrument {
    const tick = cfg.priceTick ?? 0;
    const lot = cfg.lotSize ?? 0;
    return {
      symbol,
      base: symbol.split("/")[0] ?? symbol,
      quote: (symbol.split("/")[1] ?? "").split(":")[0] ?? "",
      market: cfg.market,
      tickSize: tick,
      lotSize: lot,
      minQty: 0,
      minNotional: cfg.minNotional ?? 0,
      pricePrecision: decimalsOf(tick),
      amountPrecision: decimalsOf(lot),
      maxLeverage: L,
    };
  }

  const openOf = (sym: string): number => bars[sym]?.open ?? lastClose(sym) ?? 0;

  function orderEvent(w: WorkingOrder, status: VenueOrderEvent["status"], reason?: string): void {
    const o = w.order;
    o.status = transition(o.status, status, o.clientOrderId);
    o.updatedTs = lastTs;
    if (reason !== undefined) o.reason = reason;
    sink.push({
      type: "order",
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      status,
      ts: lastTs,
      filledQty: o.filledQty,
      remainingQty: w.remaining,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Ends a working order that did not fill completely: its rest is cancelled or expired */
  function end(w: WorkingOrder, status: "cancelled" | "expired", reason: string): void {
    w.remaining = 0;
    orderEvent(w, status, reason);
  }

  /** Quantity actually fillable after every cap; 0 means nothing */
  function sizeFill(sym: string, side: OrderSide, want: number, price: number, feeRate: number): number {
    const q = book.qty(sym);
    const dq = side === "buy" ? 1 : -1;
    let qty = want;
    if (cfg.participationCap !== undefined) {
      const room = cfg.participationCap * bars[sym]!.volume - (filledThisBar.get(sym) ?? 0);
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
      const freed = reducing > 0 ? (book.bySymbol.get(sym)!.margin * reducing) / Math.abs(q) : 0;
      const free = eq - book.usedMargin() + freed;
      increase = Math.min(increase, Math.max(0, free / (price * (1 / L + feeRate))));
    }
    qty = reducing + increase;
    const r = rules.get(sym)!;
    if (r.lotSize > 0) qty = Math.floor(qty / r.lotSize + 1e-9) * r.lotSize;
    if (r.minNotional > 0 && qty * price < r.minNotional) return 0;
    return Math.max(qty, 0);
  }

  function fill(
    sym: string,
    side: OrderSide,
    qty: number,
    price: number,
    liquidity: Liquidity,
    orderType: FillKind,
    reason: string,
    exits: ExitRules | undefined,
    w?: WorkingOrder,
  ): void {
    const fee = models.fee.rate(sym, liquidity) * qty * price;
    const before = book.bySymbol.get(sym);
    const wasStopExit = STOP_REASONS.has(reason);
    book.apply({
      symbol: sym,
      side,
      qty,
      price,
      fee,
      ts: bars[sym]!.ts,
      bar: t,
      liquidity,
      orderType,
      reason,
      exits: exits ?? cfg.exits,
    });
    filledThisBar.set(sym, (filledThisBar.get(sym) ?? 0) + qty);
    if (wasStopExit && before !== undefined && book.qty(sym) === 0)
      cooldownUntil.set(sym, t + cfg.cooldownBars);
    record(book.fills[book.fills.length - 1]!, w);
  }

  function record(f: Fill, w: WorkingOrder | undefined): void {
    tradeSeq++;
    if (w === undefined) {
      sink.push({ type: "fill", tradeId: `T${tradeSeq}`, fill: f });
      return;
    }
    const o = w.order;
    const filled = o.filledQty + f.qty;
    o.avgFillPrice = o.filledQty === 0 ? f.price : (o.avgFillPrice * o.filledQty + f.price * f.qty) / filled;
    o.filledQty = filled;
    o.fees += f.fee;
    sink.push({ type: "fill", tradeId: `T${tradeSeq}`, clientOrderId: o.clientOrderId, fill: f });
  }

  /** Events of one call outside onBar (submit, cancel), kept apart from the bar's list */
  function collect(run: () => void): VenueOrderEvent[] {
    const out: VenueEvent[] = [];
    sink = out;
    try {
      run();
    } finally {
      sink = events;
    }
    return out as VenueOrderEvent[];
  }

  function reduceOnlyQty(sym: string, side: OrderSide, want: number): number {
    const q = book.qty(sym);
    if (q === 0 || (side === "buy") === q > 0) return 0;
    return Math.min(want, Math.abs(q));
  }

  function openStep(): void {
    interface Cand {
      sym: string;
      side: OrderSide;
      qty: number;
      reason: string;
      exits: ExitRules | undefined;
      w: WorkingOrder | undefined;
    }
    const cands: Cand[] = [];
    for (const [sym, p] of pending) {
      if (bars[sym] === undefined) continue;
      const delta = p.qty - book.qty(sym);
      if (delta === 0) pending.delete(sym);
      else {
        const side: OrderSide = delta > 0 ? "buy" : "sell";
        cands.push({ sym, side, qty: Math.abs(delta), reason: p.reason, exits: p.exits, w: undefined });
      }
    }
    for (const w of working)
      if (w.req.type === "market" && w.activeFrom <= t && w.remaining > 0 && bars[w.req.symbol] !== undefined)
        cands.push({
          sym: w.req.symbol,
          side: w.req.side,
          qty: w.remaining,
          reason: w.req.tag ?? "market",
          exits: w.order.exits,
          w,
        });
    // sells first so that the cash they free can fund the buys
    cands.sort((a, b) => (a.side === b.side ? 0 : a.side === "sell" ? -1 : 1));
    for (const c of cands) {
      const b = bars[c.sym]!;
      const slip = models.slippage.fraction(c.qty, b.open, b.high, b.low, b.volume);
      const price = takerPrice(c.side, b.open, slip, b.low, b.high, rules.get(c.sym)!.tickSize);
      const w = c.w;
      const want = w?.req.reduceOnly === true ? reduceOnlyQty(c.sym, c.side, c.qty) : c.qty;
      const qty = want > 0 ? sizeFill(c.sym, c.side, want, price, models.fee.rate(c.sym, "taker")) : 0;
      if (w !== undefined) {
        const tif = w.req.timeInForce ?? "gtc";
        if (tif === "fok" && qty < w.remaining) {
          end(w, "expired", "fok: not fully fillable at the open");
          continue;
        }
        if (qty > 0) fill(c.sym, c.side, qty, price, "taker", "market", c.reason, c.exits, w);
        const left = w.remaining - qty;
        w.remaining = left;
        if (qty > 0) orderEvent(w, left > 0 ? "partially_filled" : "filled");
        // only a gtc order keeps its rest working; ioc expires it, reduce-only with nothing to reduce is cancelled
        if (!(tif === "gtc" && want > 0)) {
          if (left > 0)
            end(
              w,
              want > 0 ? "expired" : "cancelled",
              want > 0 ? `${tif}: rest expired` : "reduce-only: no position to reduce",
            );
          else w.remaining = 0;
        }
        continue;
      }
      if (qty > 0) fill(c.sym, c.side, qty, price, "taker", "target", c.reason, c.exits);
      // only the participation cap leaves a target pending (the rest fills next bar); other caps are final
      if (!(cfg.participationCap !== undefined && qty < c.qty)) pending.delete(c.sym);
    }
  }

  function fundingStep(stepTs: number, barMs: number): void {
    if (!perp) return;
    const iv = models.funding.intervalMs;
    for (let f = Math.ceil(stepTs / iv) * iv; f < stepTs + barMs; f += iv)
      for (const [sym, p] of book.bySymbol)
        if (p.qty !== 0) {
          const amount = p.qty * openOf(sym) * models.funding.rate(sym, f);
          book.payFunding(sym, amount);
          sink.push({ type: "funding", symbol: sym, ts: f, amount });
        }
  }

  /** Adverse (stop, trailing, liquidation) then favourable (take-profit) exits of a position in one segment */
  function exitStep(sym: string, p: OpenPosition, seg: Segment, adverseOnly: boolean): void {
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
        const price = takerPrice(side, ref, slip, seg.low, seg.high, rules.get(sym)!.tickSize);
        fill(sym, side, qty, price, "taker", kind as FillKind, kind, undefined);
        return;
      }
    }
    if (adverseOnly || ex.takeProfit === undefined) return;
    const tp = p.avgEntry * (long ? 1 + ex.takeProfit : 1 - ex.takeProfit);
    if (long ? seg.open >= tp : seg.open <= tp)
      fill(sym, side, qty, seg.open, "taker", "take-profit", "take-profit", undefined);
    else if (long ? seg.high >= tp : seg.low <= tp)
      fill(sym, side, qty, tp, "maker", "take-profit", "take-profit", undefined);
  }

  function liquidate(sym: string, p: OpenPosition, ref: number, seg: Segment): void {
    const long = p.qty > 0;
    const qty = Math.abs(p.qty);
    const price = Math.min(Math.max(ref, seg.low), seg.high);
    const pnl = qty * (price - p.avgEntry) * (long ? 1 : -1);
    let fee = models.margin.liquidationFee * qty * price;
    // isolated margin: the loss never exceeds the position's margin
    const excess = -(pnl - fee) - p.margin;
    if (excess > 0) fee = Math.max(0, fee - excess);
    const margin = p.margin;
    book.apply({
      symbol: sym,
      side: long ? "sell" : "buy",
      qty,
      price,
      fee,
      ts: bars[sym]!.ts,
      bar: t,
      liquidity: "taker",
      orderType: "liquidation",
      reason: "liquidation",
    });
    if (pnl < -margin) book.credit(-margin - pnl);
    cooldownUntil.set(sym, t + cfg.cooldownBars);
    record(book.fills[book.fills.length - 1]!, undefined);
  }

  function intrabarStep(): void {
    for (let k = 0; k < symbols.length; k++) {
      const sym = symbols[k]!;
      const b = bars[sym];
      if (b === undefined) continue;
      closes[k] = b.close;
      let segs: readonly Segment[];
      if (b.detail !== undefined && b.detail.length > 0) segs = b.detail;
      else {
        one[0] = b;
        segs = one;
      }
      for (const seg of segs) {
        let p = book.bySymbol.get(sym);
        if (p !== undefined && p.qty !== 0) exitStep(sym, p, seg, false);
        let filled = false;
        for (const w of working) {
          if (w.req.symbol !== sym || w.req.type === "market" || w.remaining <= 0 || w.activeFrom > t)
            continue;
          const mt = matchOrder(w, seg);
          if (mt === undefined) continue;
          let want = w.remaining;
          if (w.req.reduceOnly === true) want = reduceOnlyQty(sym, w.req.side, want);
          if (want <= 0) {
            end(w, "cancelled", "reduce-only: no position to reduce");
            continue;
          }
          let price = mt.price;
          if (mt.liquidity === "taker") {
            const slip = models.slippage.fraction(want, seg.open, seg.high, seg.low, seg.volume);
            price = takerPrice(w.req.side, mt.price, slip, seg.low, seg.high, rules.get(sym)!.tickSize);
            const lim = w.req.type === "stop" ? undefined : w.req.limitPrice;
            if (lim !== undefined && (w.req.side === "buy" ? price > lim : price < lim)) price = lim;
          }
          const qty = sizeFill(sym, w.req.side, want, price, models.fee.rate(sym, mt.liquidity));
          if (w.req.timeInForce === "fok" && qty < w.remaining) {
            end(w, "expired", "fok: not fully fillable");
            continue;
          }
          if (qty > 0) {
            fill(
              sym,
              w.req.side,
              qty,
              price,
              mt.liquidity,
              w.req.type,
              w.req.tag ?? w.req.type,
              w.order.exits,
              w,
            );
            w.remaining -= qty;
            orderEvent(w, w.remaining > 0 ? "partially_filled" : "filled");
            filled = true;
          }
        }
        for (const w of working) w.triggeredNow = false;
        p = book.bySymbol.get(sym);
        // a position entered inside this segment may already have hit its stop: assume it did
        if (filled && p !== undefined && p.qty !== 0) exitStep(sym, p, seg, true);
        p = book.bySymbol.get(sym);
        if (p !== undefined && p.qty !== 0) {
          if (seg.high > p.peak) p.peak = seg.high;
          if (seg.low < p.trough) p.trough = seg.low;
        }
      }
      const p = book.bySymbol.get(sym);
      if (p !== undefined && p.qty !== 0) {
        book.excursion(p, b.low);
        book.excursion(p, b.high);
      }
    }
  }

  function expireOrders(): void {
    if (working.length === 0) return;
    for (const w of working) {
      if (w.activeFrom > t || bars[w.req.symbol] === undefined) continue;
      w.barsActive++;
      if (w.remaining <= 0) continue;
      const tif = w.req.timeInForce ?? "gtc";
      if (tif !== "gtc") end(w, "expired", `${tif}: rest expired at the end of its first bar`);
      else if (w.req.expireAfterBars !== undefined && w.barsActive >= w.req.expireAfterBars)
        end(w, "expired", `gtc: expired after ${w.req.expireAfterBars} bars`);
    }
    working = working.filter((w) => w.remaining > 0);
  }

  function refusal(o: VenueOrderRequest): string | undefined {
    if (!rules.has(o.symbol)) return `order for unknown symbol ${o.symbol}`;
    if (!(o.qty > 0) || !Number.isFinite(o.qty)) return `order qty must be > 0, got ${o.qty}`;
    if ((o.type === "limit" || o.type === "stop-limit") && !(o.limitPrice! > 0))
      return `${o.type} order needs limitPrice > 0`;
    if ((o.type === "stop" || o.type === "stop-limit") && !(o.stopPrice! > 0))
      return `${o.type} order needs stopPrice > 0`;
    if (orders.has(o.clientOrderId)) return `duplicate client order id ${o.clientOrderId}`;
    if (opts.strictFilters === true) {
      const ref = o.limitPrice ?? o.stopPrice ?? lastClose(o.symbol);
      if (ref !== undefined) {
        const bad = filterFailure(rules.get(o.symbol)!, o.qty, ref, o.type !== "market");
        if (bad !== undefined) return `${bad.filter}: ${bad.message}`;
      }
    }
    return undefined;
  }

  const venue: Venue = {
    account: book,
    submit(o) {
      const why = refusal(o);
      if (why !== undefined)
        return {
          type: "order",
          clientOrderId: o.clientOrderId,
          symbol: o.symbol,
          status: "rejected",
          ts: lastTs,
          filledQty: 0,
          remainingQty: 0,
          reason: why,
        };
      const { clientOrderId, exits, ...req } = o;
      const order = newOrder(req, clientOrderId, lastTs, exits === undefined ? {} : { exits });
      order.status = transition(order.status, "sent", clientOrderId);
      orders.set(clientOrderId, order);
      const w: WorkingOrder = {
        req,
        order,
        remaining: o.qty,
        activeFrom: lastIndex === undefined ? Number.NEGATIVE_INFINITY : lastIndex + 1,
        barsActive: 0,
        triggered: false,
        triggeredNow: false,
      };
      working.push(w);
      return collect(() => orderEvent(w, "acknowledged"))[0]!;
    },
    cancel(id, reason = "cancelled by the sender") {
      const w = working.find((x) => x.order.clientOrderId === id && x.remaining > 0);
      if (w === undefined) return undefined;
      working = working.filter((x) => x !== w);
      return collect(() => end(w, "cancelled", reason))[0];
    },
    cancelAll(reason) {
      const all = working;
      working = [];
      return collect(() => {
        for (const w of all) if (w.remaining > 0) end(w, "cancelled", reason);
      });
    },
    setTarget(symbol, qty, reason, exits) {
      if (!rules.has(symbol)) throw invalidInput(`venue: target for unknown symbol ${symbol}`);
      pending.set(symbol, { qty, reason, exits });
    },
    clearTarget(symbol) {
      pending.delete(symbol);
    },
    onBar(index, input) {
      if (lastIndex !== undefined && !(index > lastIndex))
        throw invalidInput(`venue: bar index ${index} does not follow ${lastIndex}`);
      t = index;
      lastIndex = index;
      bars = input;
      let stepTs: number | undefined;
      for (const sym of symbols) {
        const b = input[sym];
        if (b !== undefined) {
          stepTs = b.ts;
          break;
        }
      }
      if (events.length > 0) events.length = 0;
      if (stepTs === undefined) return events;
      lastTs = stepTs;
      filledThisBar.clear();
      openStep();
      fundingStep(stepTs, opts.barMs);
      intrabarStep();
      expireOrders();
      return events;
    },
    lookup: (id) => orders.get(id),
    openOrders: (symbol) =>
      working
        .filter((w) => w.remaining > 0 && (symbol === undefined || w.req.symbol === symbol))
        .map((w) => w.order),
  };
  return venue;
}
