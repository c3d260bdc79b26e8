/**
 * The pre-trade risk gate (pure: time and prices come in as values). Every order passes every
 * check before its intent is stored; each check is recorded with its limit, the observed value and
 * a verdict. It fails closed: no limits, no reference price, no account (the database could not be
 * read), no venue time, or a non-finite number -> the order is refused.
 *
 * Checking and reserving happen in one synchronous call, so concurrent submits are judged one
 * after another against the exposure, message budget and duplicate window the earlier ones
 * reserved: together they never exceed a limit.
 */
import { filterFailure, type Instrument } from "../domain/instrument.ts";
import type { RiskLimits } from "./limits.ts";

export type TradingMode = "active" | "reducing" | "halted";

export type CheckName =
  | "limits"
  | "trading-state"
  | "input"
  | "allowlist"
  | "reference-price"
  | "stale-price"
  | "clock-skew"
  | "price-collar"
  | "price-drift"
  | "order-value"
  | "order-qty"
  | "precision"
  | "min-notional"
  | "duplicate"
  | "account"
  | "daily-loss"
  | "drawdown"
  | "exposure-symbol"
  | "exposure-total"
  | "messages-venue"
  | "messages-strategy";

export interface CheckResult {
  readonly check: CheckName;
  readonly limit: number | string;
  readonly observed: number | string;
  readonly pass: boolean;
}

export interface OrderToCheck {
  readonly id: string;
  readonly venue: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly type: "market" | "limit";
  readonly qty: number;
  readonly limitPrice?: number;
}

/** What the gate knows of the account, read from the order store (undefined: it could not be read) */
export interface AccountView {
  /** signed base quantity held per symbol */
  readonly positions: ReadonlyMap<string, number>;
  readonly equity: number;
  readonly peakEquity: number;
  /** equity when the UTC day began */
  readonly dayStartEquity: number;
}

export interface MarketView {
  readonly instrument: Instrument | undefined;
  /** the latest price and when it was observed (epoch ms) */
  readonly reference: { readonly price: number; readonly ts: number } | undefined;
  /** the venue's server time when last asked, and the local time then */
  readonly venueTime: { readonly server: number; readonly local: number } | undefined;
}

export interface GateDecision {
  readonly orderId: string;
  readonly accepted: boolean;
  readonly checks: readonly CheckResult[];
  /** the first failed check, when refused */
  readonly reason?: string;
  readonly limitsHash: string | undefined;
  readonly limitsRevision: number | undefined;
  readonly ts: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class PreTradeGate {
  private limits: RiskLimits | undefined;
  private hash: string | undefined;
  private mode: TradingMode = "active";
  private readonly buckets = new Map<string, Bucket>();
  /** in-flight orders: signed quote notional reserved per order id, with its symbol */
  private readonly inFlight = new Map<string, { symbol: string; notional: number; qty: number }>();
  private readonly reservedBySymbol = new Map<string, number>();
  private readonly recent = new Map<string, number>();
  private readonly prices = new Map<
    string,
    {
      lo: { ts: number; price: number }[];
      hi: { ts: number; price: number }[];
      loHead: number;
      hiHead: number;
    }
  >();

  constructor(limits?: RiskLimits, hash?: string) {
    this.setLimits(limits, hash);
  }

  /** New limits (or none: every order is refused until limits are loaded again) */
  setLimits(limits: RiskLimits | undefined, hash: string | undefined): void {
    this.limits = limits;
    this.hash = hash;
  }

  setMode(mode: TradingMode): void {
    this.mode = mode;
  }

  get tradingMode(): TradingMode {
    return this.mode;
  }

  /** A reference price seen outside an order (a candle close, a ticker): it counts toward the drift window */
  observePrice(symbol: string, price: number, ts: number): void {
    if (Number.isFinite(price) && price > 0 && Number.isFinite(ts))
      this.drift(symbol, { price, ts }, this.limits?.driftWindowMs ?? 0);
  }

  /** Orders reserved and not yet released */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Signed exposure reserved by in-flight orders of a symbol (quote) */
  reserved(symbol: string): number {
    return this.reservedBySymbol.get(symbol) ?? 0;
  }

  /**
   * An order left flight (filled, cancelled, rejected): its reservation goes; a fill now counts
   * through the account's positions instead. True when it was in flight
   */
  release(orderId: string): boolean {
    const r = this.inFlight.get(orderId);
    if (r === undefined) return false;
    this.inFlight.delete(orderId);
    this.reservedBySymbol.set(r.symbol, (this.reservedBySymbol.get(r.symbol) ?? 0) - r.notional);
    return true;
  }

  /**
   * Reserves an order this gate did not judge but that is still in flight (stored by another
   * process, such as a person's approval, or before a restart), so the exposure limits count it
   * as they count the orders judged here. `price` is its limit price, or the reference price for a
   * market order. False when it was already held or cannot be valued
   */
  adopt(order: { id: string; symbol: string; side: "buy" | "sell"; qty: number; price: number }): boolean {
    if (this.inFlight.has(order.id)) return false;
    if (!(Number.isFinite(order.qty) && order.qty > 0 && Number.isFinite(order.price) && order.price > 0))
      return false;
    const notional = order.qty * order.price;
    const signed = order.side === "buy" ? notional : -notional;
    this.inFlight.set(order.id, { symbol: order.symbol, notional: signed, qty: order.qty });
    this.reservedBySymbol.set(order.symbol, this.reserved(order.symbol) + signed);
    return true;
  }

  /** Judges one order at `now`; on acceptance reserves its exposure, message tokens and duplicate key */
  check(
    order: OrderToCheck,
    market: MarketView,
    account: AccountView | undefined,
    now: number,
  ): GateDecision {
    const checks: CheckResult[] = [];
    const L = this.limits;
    const done = (): GateDecision => {
      const failed = checks.find((c) => !c.pass);
      return {
        orderId: order.id,
        accepted: failed === undefined,
        checks,
        ...(failed === undefined
          ? {}
          : { reason: `${failed.check}: observed ${failed.observed}, limit ${failed.limit}` }),
        limitsHash: this.hash,
        limitsRevision: L?.revision,
        ts: now,
      };
    };
    const rec = (check: CheckName, limit: number | string, observed: number | string, pass: boolean) =>
      checks.push({ check, limit, observed, pass });

    rec(
      "limits",
      "loaded",
      L === undefined || this.hash === undefined ? "missing" : "loaded",
      L !== undefined,
    );
    if (L === undefined) return done();
    const finite = (x: number | undefined) => x !== undefined && Number.isFinite(x) && x > 0;
    const inputOk =
      finite(order.qty) &&
      (order.type === "market" ? order.limitPrice === undefined : finite(order.limitPrice)) &&
      Number.isFinite(now);
    rec(
      "input",
      "finite quantity and price > 0",
      inputOk ? "ok" : `qty ${order.qty}, price ${order.limitPrice}`,
      inputOk,
    );
    rec("account", "readable", account === undefined ? "unavailable" : "readable", account !== undefined);
    const ref = market.reference;
    const refOk = ref !== undefined && Number.isFinite(ref.price) && ref.price > 0 && Number.isFinite(ref.ts);
    rec("reference-price", "present", refOk ? ref!.price : "missing", refOk);
    if (!inputOk || account === undefined || !refOk) return done();

    const { symbol } = order;
    const price = order.limitPrice ?? ref.price;
    const notional = order.qty * price;
    const signed = order.side === "buy" ? notional : -notional;
    const held = (account.positions.get(symbol) ?? 0) * ref.price;
    const before = held + this.reserved(symbol);
    const after = before + signed;
    const reduces = Math.abs(after) < Math.abs(before) && Math.sign(after) * Math.sign(before) >= 0;

    const modeOk = this.mode === "active" || (this.mode === "reducing" && reduces);
    rec(
      "trading-state",
      this.mode === "reducing" ? "reducing: exposure-reducing orders only" : "active",
      this.mode,
      modeOk,
    );
    rec("allowlist", allowlistLimit(L.allowlist), symbol, L.allowlist.includes(symbol));

    const age = now - ref.ts;
    rec("stale-price", L.maxPriceAgeMs, age, age >= 0 && age <= L.maxPriceAgeMs);
    const vt = market.venueTime;
    const skew = vt === undefined ? Number.NaN : Math.abs(vt.local - vt.server);
    rec("clock-skew", L.maxClockSkewMs, vt === undefined ? "unknown" : skew, skew <= L.maxClockSkewMs);

    const collar = Math.abs(price / ref.price - 1);
    rec("price-collar", L.priceCollar, collar, collar <= L.priceCollar);
    const drift = this.drift(symbol, ref, L.driftWindowMs);
    rec("price-drift", L.maxDrift, drift, drift <= L.maxDrift);

    const per = L.perSymbol[symbol];
    const maxValue = per?.maxOrderValue ?? L.maxOrderValue;
    const maxQty = per?.maxOrderQty ?? L.maxOrderQty;
    rec("order-value", maxValue, notional, notional <= maxValue);
    rec("order-qty", maxQty, order.qty, order.qty <= maxQty);

    const ins = market.instrument;
    if (ins === undefined) rec("precision", "market rules", "unknown market", false);
    else {
      const f = filterFailure(ins, order.qty, price, order.type === "limit");
      rec(
        "precision",
        `lot ${ins.lotSize}, tick ${ins.tickSize}, min qty ${ins.minQty}`,
        f === undefined || f.filter === "MIN_NOTIONAL" ? "ok" : f.message,
        f === undefined || f.filter === "MIN_NOTIONAL",
      );
      rec("min-notional", ins.minNotional, notional, notional >= ins.minNotional);
    }

    const key = `${order.strategyId}|${symbol}|${order.side}|${order.type}|${order.qty}|${order.limitPrice ?? ""}`;
    const last = this.recent.get(key);
    const since = last === undefined ? Number.POSITIVE_INFINITY : now - last;
    rec(
      "duplicate",
      L.duplicateWindowMs,
      last === undefined ? "none" : since,
      !(since < L.duplicateWindowMs),
    );

    const dayLoss = account.dayStartEquity - account.equity;
    rec("daily-loss", L.maxDailyLoss, dayLoss, reduces || dayLoss <= L.maxDailyLoss);
    const dd = account.peakEquity > 0 ? (account.peakEquity - account.equity) / account.peakEquity : 0;
    rec("drawdown", L.maxDrawdown, dd, reduces || (Number.isFinite(dd) && dd <= L.maxDrawdown));

    const maxSym = per?.maxExposure ?? L.maxExposurePerSymbol;
    rec("exposure-symbol", maxSym, Math.abs(after), reduces || Math.abs(after) <= maxSym);
    let total = Math.abs(after);
    for (const [s, q] of account.positions)
      if (s !== symbol)
        total += Math.abs(q * (s === symbol ? ref.price : this.lastPrice(s)) + this.reserved(s));
    for (const [s, r] of this.reservedBySymbol)
      if (s !== symbol && !account.positions.has(s)) total += Math.abs(r);
    rec("exposure-total", L.maxExposureTotal, total, reduces || total <= L.maxExposureTotal);

    const venueKey = `v|${order.venue}`;
    const stratKey = `s|${order.strategyId}`;
    const vTokens = this.tokens(venueKey, L.maxMessagesPerSecondVenue, now);
    const sTokens = this.tokens(stratKey, L.maxMessagesPerSecondStrategy, now);
    rec("messages-venue", L.maxMessagesPerSecondVenue, vTokens, vTokens >= 1);
    rec("messages-strategy", L.maxMessagesPerSecondStrategy, sTokens, sTokens >= 1);

    const d = done();
    if (d.accepted) {
      this.buckets.get(venueKey)!.tokens -= 1;
      this.buckets.get(stratKey)!.tokens -= 1;
      this.recent.set(key, now);
      this.inFlight.set(order.id, { symbol, notional: signed, qty: order.qty });
      this.reservedBySymbol.set(symbol, this.reserved(symbol) + signed);
      if (this.recent.size > 10_000) this.prune(now, L.duplicateWindowMs);
    }
    return d;
  }

  // the price last seen for a symbol (for the total exposure of other symbols)
  private lastPrice(symbol: string): number {
    const w = this.prices.get(symbol);
    return w === undefined || w.lo.length === 0 ? 0 : w.lo[w.lo.length - 1]!.price;
  }

  /**
   * Largest move of the reference price against any price seen within the window (fraction):
   * sliding-window minimum and maximum in monotonic queues, O(1) amortised per price
   */
  private drift(symbol: string, ref: { price: number; ts: number }, windowMs: number): number {
    let w = this.prices.get(symbol);
    if (w === undefined) this.prices.set(symbol, (w = { lo: [], hi: [], loHead: 0, hiHead: 0 }));
    const push = (
      q: { ts: number; price: number }[],
      head: number,
      keep: (last: number) => boolean,
    ): void => {
      while (q.length > head && !keep(q[q.length - 1]!.price)) q.pop();
      q.push({ ts: ref.ts, price: ref.price });
    };
    push(w.lo, w.loHead, (last) => last < ref.price);
    push(w.hi, w.hiHead, (last) => last > ref.price);
    const from = ref.ts - windowMs;
    while (w.loHead < w.lo.length - 1 && w.lo[w.loHead]!.ts < from) w.loHead++;
    while (w.hiHead < w.hi.length - 1 && w.hi[w.hiHead]!.ts < from) w.hiHead++;
    if (w.loHead > 1024) {
      w.lo.splice(0, w.loHead);
      w.loHead = 0;
    }
    if (w.hiHead > 1024) {
      w.hi.splice(0, w.hiHead);
      w.hiHead = 0;
    }
    const lo = Math.min(ref.price, w.lo[w.loHead]!.price);
    const hi = Math.max(ref.price, w.hi[w.hiHead]!.price);
    return Math.max(ref.price / lo - 1, 1 - ref.price / hi);
  }

  private tokens(key: string, rate: number, now: number): number {
    let b = this.buckets.get(key);
    if (b === undefined) this.buckets.set(key, (b = { tokens: rate, at: now }));
    if (now > b.at) {
      b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 1000);
      b.at = now;
    }
    return b.tokens;
  }

  private prune(now: number, windowMs: number): void {
    for (const [k, t] of this.recent) if (now - t >= windowMs) this.recent.delete(k);
  }
}

/** Allowlists up to this long are written out in each check; longer ones are named by their size */
export const ALLOWLIST_SHOWN = 10;

/**
 * The allowlist check's limit as each check records it: the list itself when short, else how many
 * markets it holds. The list is in the limits file, whose hash every check records; copied into
 * every check it was 1.1 kB of each risk.check record of a 100-market session (a third of it), hashed
 * and written for each order on the way to the wire. Replays compare outcomes, not this text
 */
export function allowlistLimit(list: readonly string[]): string {
  return list.length <= ALLOWLIST_SHOWN
    ? list.join(",")
    : `${list.length} markets (the allowlist in the limits file)`;
}
