/**
 * A trading session: on each newly closed candle the strategy decides with the same code and the
 * same context as in the backtest (bars [0, t], its position, equity marked at the close), the
 * target exposure becomes an order for the difference to the position, and the lifecycle carries
 * it. The decision and its intents are committed together, with the bar they answer, so a restart
 * never decides a bar twice and never loses an intent.
 */
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { OrderRequest } from "../domain/order.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import type { Broker, MarketRules } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord, OrderStore, SessionRecord } from "../ports/order-store.ts";
import type { Strategy, StrategyContext, WorkingOrderView } from "../strategies/types.ts";
import {
  type Account,
  applyFillInPlace,
  assetsOf,
  emptyAccount,
  fillKey,
  type MutableAccount,
  mutableAccount,
} from "./accounting.ts";
import { abs, amount, floorToStep, formatAmount, mul, toNumber, ZERO } from "./amount.ts";
import { clientOrderId } from "./client-order-id.ts";
import type { CrashHook } from "./crash-points.ts";
import type { OrderLifecycle } from "./order-lifecycle.ts";

/** What a session needs to decide: the loaded series (aligned, same timestamps) and the rules */
export interface SessionRuntime {
  session: SessionRecord;
  strategy: Strategy;
  series: readonly CandleSeries[];
  rules: ReadonlyMap<string, MarketRules>;
  /** the account's balances when the session began (accepted baseline) */
  baseline: Record<string, string>;
  /** the first bar the session may act on (bars before it are warm-up) */
  startTs: number;
  /** share of equity a target of 1 means (the backtest's --size): below 1 leaves room for fees and price moves */
  sizeFraction?: number;
}

export interface SessionDeps {
  store: OrderStore;
  broker: Broker;
  lifecycle: OrderLifecycle;
  clock: Clock;
  crash?: CrashHook;
  /** the pre-trade risk gate (src/app/risk-gate.ts): judges intents before they are stored */
  risk?: SessionRisk;
  /** told as a decision passes each step on its way to the wire (benches break the latency down) */
  trace?: (step: "decided" | "screened" | "committed") => void;
}

/** What a session hands the risk gate: its intents and the market it decided on */
export interface RiskScreenContext {
  sessionId: string;
  barTs: number;
  /** when the bar closed: the reference prices' time */
  closeTs: number;
  prices: Record<string, number>;
  /**
   * when the venue last showed each price move: the close of the newest bar that traded (volume > 0)
   * up to this one; a frozen feed (flat bars without volume) leaves it behind closeTs
   */
  priceTs?: Record<string, number>;
  positions: Record<string, number>;
  equity: number;
}

export interface ScreenOptions {
  /**
   * the caller writes the gate's records itself, with `record` inside its own transaction (a
   * session's decision commit), and calls `abandon` if that transaction fails, `after` once it committed
   */
  deferRecord?: boolean;
}

export interface ScreenResult {
  accepted: OrderRecord[];
  refused: { order: OrderRecord; reason: string }[];
  /** with deferRecord: appends the checks' records (call inside the transaction that stores the decision) */
  record?: () => void;
  /** with deferRecord: the transaction failed; reservations of the accepted orders are released */
  abandon?: () => void;
  /** with deferRecord: work after the commit, off the way to the wire (the quick-look file) */
  after?: () => void;
}

/** The pre-trade gate as a session sees it: a refused intent is never stored nor sent */
export interface SessionRisk {
  screen(intents: OrderRecord[], ctx: RiskScreenContext, opts?: ScreenOptions): Promise<ScreenResult>;
}

/** One decision's outcome, for status and logs */
export interface StepResult {
  barTs: number;
  decided: boolean;
  orders: OrderRecord[];
  notes: string[];
}

export class TradingSession {
  private prepared = false;
  private readonly lastTarget = new Map<string, number>();
  private readonly crash: CrashHook;

  constructor(
    private readonly deps: SessionDeps,
    private rt: SessionRuntime,
  ) {
    this.crash = deps.crash ?? (() => {});
    // the targets the session last acted on, from its committed decisions (a restart remembers them)
    const last = deps.store.lastDecision(rt.session.id);
    if (last !== undefined)
      for (const d of this.decisions()) for (const [s, e] of Object.entries(d)) this.lastTarget.set(s, e);
  }

  private decisions(): Record<string, number>[] {
    const out: Record<string, number>[] = [];
    const last = this.deps.store.lastDecision(this.rt.session.id);
    for (let seq = 1; last !== undefined && seq <= last.seq; seq++) {
      const d = this.deps.store.getDecision(this.rt.session.id, seq);
      if (d !== undefined) out.push(d.targets);
    }
    return out;
  }

  /** New bars arrived (the series grew): the strategy prepares again over everything loaded */
  setSeries(series: readonly CandleSeries[]): void {
    this.rt = { ...this.rt, series };
    this.prepared = false;
  }

  get symbols(): string[] {
    return this.rt.series.map((s) => s.symbol);
  }

  private running: MutableAccount | undefined;
  private seen = 0;

  /** The session's account: baseline plus every recorded fill (kept up to date in place, new fills only) */
  account(): Account {
    this.running ??= mutableAccount(emptyAccount(this.rt.baseline));
    const fresh = this.deps.store.fillsFrom(this.rt.session.id, this.seen);
    for (const f of fresh) {
      applyFillInPlace(this.running, f);
      // the store hands each fill once (one row per identity, read from an offset that only moves
      // forward): this account keeps no set of every fill it applied, which grew by a key per fill
      // for the life of a session (the soak's heap: months of fills at 100 markets)
      this.running.applied.delete(fillKey(f));
    }
    this.seen += fresh.length;
    return this.running;
  }

  /**
   * Acts on the closed bar at index t (the same index in every series): decides, commits the
   * decision with its intents, sends them. A bar at or before the last one acted on is skipped.
   */
  async onClosedBar(t: number): Promise<StepResult> {
    const first = this.rt.series[0]!;
    const barTs = first.ts[t]!;
    const result: StepResult = { barTs, decided: false, orders: [], notes: [] };
    const s = this.deps.store.getSession(this.rt.session.id);
    if (s === undefined) throw new AppError("NOT_FOUND", `no trading session ${this.rt.session.id}`);
    // earlier bars still go through onBar (a stateful strategy needs them) but never act
    const acts = (s.lastBarTs === undefined || barTs > s.lastBarTs) && barTs >= this.rt.startTs;
    if (!this.prepared) {
      this.rt.strategy.prepare?.({
        timeframe: first.timeframe,
        series: Object.fromEntries(this.rt.series.map((x) => [x.symbol, x])),
      });
      this.prepared = true;
    }
    const acc = this.account();
    const closeOf = (sym: string): number => this.seriesOf(sym).close[t]!;
    const qtyOf = (sym: string): number => toNumber(acc.positions.get(sym)?.qty ?? ZERO);
    const quote = assetsOf(first.symbol).quote;
    const cash = toNumber(acc.balances.get(quote) ?? ZERO);
    const equity = cash + this.symbols.reduce((e, sym) => e + qtyOf(sym) * closeOf(sym), 0);
    const ctx: StrategyContext = {
      bar: t,
      ts: barTs,
      timeframe: first.timeframe as Timeframe,
      symbols: this.symbols,
      warmingUp: !acts,
      series: (sym) => sliceSeries(sym === undefined ? first : this.seriesOf(sym), 0, t + 1),
      higher: () => {
        throw new AppError(
          "INVALID_INPUT",
          "trading sessions do not offer ctx.higher yet; use a single-timeframe strategy",
        );
      },
      position: (sym) => qtyOf(sym ?? first.symbol),
      target: (sym) => this.lastTarget.get(sym ?? first.symbol) ?? 0,
      equity,
      cash,
      openOrders: (sym) => this.workingOrders(sym ?? first.symbol),
    };
    const decision = this.rt.strategy.onBar(ctx);
    if (!acts) return result;
    const explicit = decision?.orders ?? [];
    if (s.state !== "active" || (decision?.targets === undefined && explicit.length === 0)) {
      if (s.state !== "active") result.notes.push(`session is ${s.state}: no decision`);
      this.noteBar(t, barTs);
      return result;
    }
    // the backtest's rule: only a changed target acts; spot clips to [0, 1]
    const changed: Record<string, number> = {};
    for (const [sym, raw] of Object.entries(decision?.targets ?? {})) {
      const e = Math.max(0, Math.min(1, raw));
      const prev = this.lastTarget.get(sym);
      if (e === prev || (prev === undefined && e === 0)) continue;
      changed[sym] = e;
    }
    if (Object.keys(changed).length === 0 && explicit.length === 0) {
      this.noteBar(t, barTs);
      return result;
    }
    const seq = (this.deps.store.lastDecision(this.rt.session.id)?.seq ?? 0) + 1;
    const now = this.deps.clock.now();
    const intents: OrderRecord[] = [];
    let leg = 0;
    for (const [sym, e] of Object.entries(changed)) {
      const rules = this.rt.rules.get(sym);
      if (rules === undefined) throw new AppError("INVALID_INPUT", `no market rules for ${sym}`);
      const close = closeOf(sym);
      const want = (e * (this.rt.sizeFraction ?? 1) * equity) / close;
      const delta = floorToStep(
        amount(want.toFixed(12)) - (acc.positions.get(sym)?.qty ?? ZERO),
        amount(rules.stepSize),
      );
      const size = abs(delta);
      if (size === ZERO || mul(size, amount(String(close))) < amount(rules.minNotional)) {
        result.notes.push(
          `${sym}: target ${e} needs ${formatAmount(delta)}, below the venue's minimum (${rules.minNotional} ${rules.quote}): not sent`,
        );
        continue;
      }
      intents.push({
        clientOrderId: clientOrderId(this.rt.session.id, seq, leg),
        sessionId: this.rt.session.id,
        decisionSeq: seq,
        leg: leg++,
        venue: this.deps.broker.venue,
        symbol: sym,
        side: delta > ZERO ? "buy" : "sell",
        type: "market",
        qty: formatAmount(size),
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
    // explicit orders (execution algorithms in src/bots: TWAP slices, iceberg clips) take the same path
    for (const o of explicit) {
      const rules = this.rt.rules.get(o.symbol);
      if (rules === undefined) throw new AppError("INVALID_INPUT", `no market rules for ${o.symbol}`);
      const intent = explicitIntent(o, rules, closeOf(o.symbol), {
        clientOrderId: clientOrderId(this.rt.session.id, seq, leg),
        sessionId: this.rt.session.id,
        decisionSeq: seq,
        leg,
        venue: this.deps.broker.venue,
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
      if (typeof intent === "string") result.notes.push(intent);
      else {
        intents.push(intent);
        leg++;
      }
    }
    this.deps.trace?.("decided");
    let screened: ScreenResult | undefined;
    if (this.deps.risk !== undefined && intents.length > 0) {
      screened = await this.deps.risk.screen(
        intents,
        {
          sessionId: this.rt.session.id,
          barTs,
          closeTs: barTs + this.barMs,
          prices: Object.fromEntries(this.symbols.map((sym) => [sym, closeOf(sym)])),
          priceTs: Object.fromEntries(this.symbols.map((sym) => [sym, this.tradedUntil(sym, t)])),
          positions: Object.fromEntries(this.symbols.map((sym) => [sym, qtyOf(sym)])),
          equity,
        },
        { deferRecord: true },
      );
      for (const r of screened.refused)
        result.notes.push(`${r.order.symbol}: refused by the risk gate (${r.reason}): not stored, not sent`);
      intents.splice(0, intents.length, ...screened.accepted);
      this.deps.trace?.("screened");
    }
    // the gate's check records, the decision, its intents and their "sent" marks are one commit
    // (one fsync before the first byte): an intent is still committed before it is sent, and one
    // marked sent that a crash kept from the wire is found by lookup and sent again under its id,
    // as any "sent" order is. A failed commit stores and sends nothing, and frees the gate's reservations
    const commit = (): void =>
      this.deps.store.batch(() => {
        screened?.record?.();
        this.deps.store.recordDecision(
          {
            sessionId: this.rt.session.id,
            seq,
            barTs,
            targets: changed,
            explanation: decision?.reason ?? "signal",
            createdAt: now,
            // for the audit log: the values decided on and the bars read (hashed there, not stored here)
            detail: {
              ...(decision?.values === undefined ? {} : { values: { ...decision.values } }),
              snapshot: { series: this.rt.series, lastIndex: t },
            },
          },
          intents,
        );
        for (const o of intents) this.deps.store.updateOrder(o.clientOrderId, { state: "sent", attempts: 1 });
      });
    try {
      commit();
    } catch (err) {
      screened?.abandon?.();
      throw err;
    }
    for (const [sym, e] of Object.entries(changed)) this.lastTarget.set(sym, e);
    this.deps.trace?.("committed");
    this.crash("after-intent");
    result.decided = true;
    const sent = intents.map((o) => ({ ...o, state: "sent" as const, attempts: 1 }));
    result.orders.push(...(await this.deps.lifecycle.sendMany(sent)));
    screened?.after?.();
    return result;
  }

  // a bar without a decision needs no fsync: re-deciding it after a crash decides nothing again
  private noteBar(t: number, barTs: number): void {
    if (t % 64 === 0) this.deps.store.setLastBar(this.rt.session.id, barTs);
  }

  /** The session's orders of one market still working (stored before sending, so in flight counts too) */
  private workingOrders(sym: string): WorkingOrderView[] {
    return this.deps.store
      .ordersOf(this.rt.session.id, ["intent", "sent", "unknown", "acknowledged", "partially_filled"])
      .filter((o) => o.symbol === sym)
      .map((o) => ({
        side: o.side,
        type: o.type,
        remaining: toNumber(amount(o.qty) - amount(o.filledQty)),
        ...(o.limitPrice === undefined ? {} : { limitPrice: Number(o.limitPrice) }),
      }));
  }

  private seriesOf(sym: string): CandleSeries {
    const s = this.rt.series.find((x) => x.symbol === sym);
    if (s === undefined)
      throw new AppError(
        "INVALID_INPUT",
        `unknown symbol ${sym} in this session (${this.symbols.join(", ")})`,
      );
    return s;
  }

  /** Index of the first bar after `ts` in the loaded series */
  indexAfter(ts: number | undefined): number {
    const t = this.rt.series[0]!.ts;
    if (ts === undefined) return 0;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]! <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * close time of the newest bar at or before t with volume; none in the last 1,000 bars: the open
   * of the oldest one looked at (stale by any limit)
   */
  private tradedUntil(sym: string, t: number): number {
    const s = this.seriesOf(sym);
    const stop = Math.max(0, t - 999);
    for (let i = t; i >= stop; i--) if (s.volume[i]! > 0) return s.ts[i]! + this.barMs;
    return s.ts[stop]!;
  }

  /** How long one bar lasts: a bar whose open + this is in the past is closed */
  get barMs(): number {
    return timeframeMs(this.rt.series[0]!.timeframe);
  }
}

/**
 * A strategy's explicit order as an intent on the market's step (quantity floored) with its limit
 * price as given; a note instead when nothing is left or it is below the venue's minimum notional
 */
function explicitIntent(
  o: OrderRequest,
  rules: MarketRules,
  close: number,
  base: Omit<OrderRecord, "symbol" | "side" | "type" | "qty" | "limitPrice">,
): OrderRecord | string {
  if (o.type !== "market" && o.type !== "limit")
    return `${o.symbol}: ${o.type} orders are not sent by trading sessions: not sent`;
  if (!(o.qty > 0) || !Number.isFinite(o.qty)) return `${o.symbol}: order quantity ${o.qty}: not sent`;
  const size = floorToStep(amount(o.qty.toFixed(12)), amount(rules.stepSize));
  const price = o.type === "limit" ? o.limitPrice : close;
  if (price === undefined || !(price > 0)) return `${o.symbol}: limit order without a price: not sent`;
  if (size === ZERO || mul(size, amount(String(price))) < amount(rules.minNotional))
    return `${o.symbol}: ${o.side} ${o.qty} is below the venue's minimum (${rules.minNotional} ${rules.quote}): not sent`;
  return {
    ...base,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: formatAmount(size),
    ...(o.type === "limit" ? { limitPrice: String(price) } : {}),
  };
}
