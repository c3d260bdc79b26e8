/**
 * The order lifecycle: intent → sent → acknowledged → partially filled → filled / cancelled /
 * rejected / expired, plus `unknown` for an ambiguous outcome. The rules that make a crash or a
 * lost reply harmless:
 * - an order exists as a committed intent before any byte is sent, and is marked `sent` (committed)
 *   before the submit, so after a crash every order that might be on the venue is known;
 * - an ambiguous outcome (timeout, 5xx, disconnect) is `unknown`, never a failure; it is resolved by
 *   looking the order up by its client order id, and a resend reuses that id (the venue refuses a
 *   second order under it);
 * - `rejected` only on the venue's word;
 * - fills are recorded once per (venue, trade id), whichever path reports them.
 */
import { canTransition, isOpen, isTerminal, transition } from "../domain/order-status.ts";
import { AppError, isAppError } from "../errors.ts";
import type {
  Broker,
  BrokerEvent,
  OrderSubmission,
  SubmitOutcome,
  VenueFill,
  VenueOrder,
} from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { FillRecord, OrderPatch, OrderRecord, OrderStore } from "../ports/order-store.ts";
import { amount, formatAmount } from "./amount.ts";
import type { CrashHook } from "./crash-points.ts";
import { applyVenueReport, patched } from "./order-events.ts";

/** The venue request for a recorded order: the same client id on every send, so a resend is idempotent */
const submissionOf = (o: OrderRecord): OrderSubmission => ({
  clientOrderId: o.clientOrderId,
  symbol: o.symbol,
  side: o.side,
  type: o.type,
  quantity: o.qty,
  ...(o.limitPrice === undefined ? {} : { price: o.limitPrice }),
});

export interface LifecycleDeps {
  store: OrderStore;
  broker: Broker;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** test hook: may kill the process at a named point (see crash-points.ts) */
  crash?: CrashHook;
  /** sends of one order under the same id before it is left `unknown` for reconciliation (default 5) */
  maxSends?: number;
  /** lookups of an ambiguous order before it is left `unknown` for reconciliation (default 5) */
  maxLookups?: number;
  /** wait before the first lookup of an ambiguous order, doubled each time (default 500 ms) */
  lookupDelayMs?: number;
}

export class OrderLifecycle {
  private readonly store: OrderStore;
  private readonly broker: Broker;
  private readonly crash: CrashHook;

  constructor(private readonly deps: LifecycleDeps) {
    this.store = deps.store;
    this.broker = deps.broker;
    this.crash = deps.crash ?? (() => {});
  }

  private get(id: string): OrderRecord {
    const o = this.store.getOrder(id);
    if (o === undefined) throw new AppError("INTERNAL", `order ${id} vanished from the order store`);
    return o;
  }

  private update(o: OrderRecord, patch: OrderPatch): OrderRecord {
    if (patch.state !== undefined && patch.state !== o.state)
      transition(o.state, patch.state, o.clientOrderId);
    this.store.updateOrder(o.clientOrderId, patch);
    return patched(o, patch);
  }

  /**
   * Sends a committed intent (or resends a `sent`/`unknown` order the venue has not seen) under its
   * client order id, and resolves whatever comes back. Returns the order as recorded afterwards.
   */
  async send(id: string, budget = this.deps.maxSends ?? 5): Promise<OrderRecord> {
    let o = this.get(id);
    for (let i = 0; budget > 0; i++, budget--) {
      if (o.state !== "intent" && o.state !== "sent" && o.state !== "unknown") return o;
      this.crash("before-send");
      o = this.update(
        o,
        o.state === "sent" ? { attempts: o.attempts + 1 } : { state: "sent", attempts: o.attempts + 1 },
      );
      this.crash("after-mark-sent");
      const outcome = await this.broker.submit(submissionOf(o));
      this.crash("after-submit");
      switch (outcome.kind) {
        case "accepted":
          o = this.report(o, outcome.order);
          this.crash("after-ack");
          return o;
        case "rejected":
          // the venue already holds an order under this id: it is ours, look it up
          if (outcome.code === "duplicate-client-order-id") return this.resolve(id, false, budget - 1);
          return this.update(o, { state: "rejected", reason: `${outcome.code}: ${outcome.message}` });
        case "throttled":
          // nothing was placed: wait as told and send again under the same id
          await this.deps.sleep(outcome.retryAfterMs ?? 1000 * 2 ** i);
          continue;
        case "ambiguous":
          o = this.update(o, { state: "unknown", reason: outcome.message });
          this.crash("after-unknown");
          return this.resolve(id, false, budget - 1);
      }
    }
    // out of sends: leave it unknown; the next pass looks it up before anything else
    return o.state === "sent" ? this.update(o, { state: "unknown" }) : o;
  }

  /**
   * Sends several committed intents (one decision's legs) with group commits: all are marked
   * `sent` in one transaction, submitted concurrently, and the replies recorded in one transaction;
   * anything not plainly accepted or rejected goes through `send`/`resolve` one by one
   */
  async sendMany(orders: readonly (string | OrderRecord)[]): Promise<OrderRecord[]> {
    // one intent still to mark goes the plain way; orders a session marked sent with their decision
    // (attempt 1, never submitted) go straight to the wire. A record handed in is the caller's copy
    // of what it just committed (a session's decision): not read back on the way to the wire
    if (orders.length === 0) return [];
    const ids = orders.map((o) => (typeof o === "string" ? o : o.clientOrderId));
    const recordOf = (o: string | OrderRecord): OrderRecord => (typeof o === "string" ? this.get(o) : o);
    if (orders.length === 1) {
      const only = recordOf(orders[0]!);
      if (only.state === "intent") return [await this.send(only.clientOrderId)];
    }
    this.crash("before-send");
    const mark = (o: OrderRecord): OrderRecord =>
      o.state !== "intent" ? o : this.update(o, { state: "sent", attempts: o.attempts + 1 });
    const marked = orders.every((o) => typeof o !== "string" && o.state !== "intent")
      ? (orders as OrderRecord[])
      : this.store.batch(() => orders.map((o) => mark(recordOf(o))));
    this.crash("after-mark-sent");
    const fresh = marked.filter((o) => o.state === "sent" && o.attempts === 1);
    // submits start ten to a turn of the event loop, so the first requests leave while the next
    // ones are built and signed (the venue works on them meanwhile) instead of all leaving after
    // the last is ready (bench trading wire-sim: first order received 4 ms after the commit, was
    // 10-14; one submit a turn let the replies in between and spread the rest)
    const pending: Promise<SubmitOutcome>[] = [];
    for (const [i, o] of fresh.entries()) {
      if (i > 0 && i % 10 === 0) await new Promise<void>((r) => setImmediate(r));
      pending.push(this.broker.submit(submissionOf(o)));
    }
    const outcomes = await Promise.all(pending);
    this.crash("after-submit");
    const rest: string[] = [];
    this.store.batch(() => {
      fresh.forEach((o, i) => {
        const r = outcomes[i]!;
        if (r.kind === "accepted") this.report(o, r.order);
        else if (r.kind === "rejected" && r.code !== "duplicate-client-order-id")
          this.update(o, { state: "rejected", reason: `${r.code}: ${r.message}` });
        else if (r.kind === "ambiguous") {
          this.update(o, { state: "unknown", reason: r.message });
          rest.push(o.clientOrderId);
        } else rest.push(o.clientOrderId);
      });
    });
    this.crash("after-ack");
    for (const o of marked) if (!fresh.includes(o)) rest.push(o.clientOrderId);
    for (const id of rest) {
      const o = this.get(id);
      if (o.state === "unknown" || o.state === "sent") await this.resolve(id, o.state === "sent");
    }
    return ids.map((id) => this.get(id));
  }

  /** Records several fills in one transaction (one fsync) */
  recordFills(fills: readonly VenueFill[], source: FillRecord["source"]): void {
    if (fills.length === 0) return;
    this.store.batch(() => {
      for (const f of fills) this.recordFill(f, source);
    });
  }

  /**
   * Resolves an order that may be on the venue by looking it up by client order id; one the venue
   * has never seen is sent again under the same id (when `resend`, or after the last lookup).
   */
  async resolve(id: string, resendAtOnce = true, budget = this.deps.maxSends ?? 5): Promise<OrderRecord> {
    const maxLookups = this.deps.maxLookups ?? 5;
    let delay = this.deps.lookupDelayMs ?? 500;
    let o = this.get(id);
    for (let i = 0; i < maxLookups; i++) {
      if (isTerminal(o.state) || o.state === "intent") return o;
      const v = await readWithRetry(this.deps.sleep, () => this.broker.lookup(o.symbol, o.clientOrderId));
      if (v !== undefined) return this.report(o, v);
      if (resendAtOnce) return budget > 0 ? this.send(id, budget) : o;
      // an ambiguous create may still be on its way to the book: look again before resending
      await this.deps.sleep(delay);
      delay *= 2;
      resendAtOnce = i === maxLookups - 2;
      o = this.get(id);
    }
    return o;
  }

  /** Applies a venue report about one of our orders (a reply, an event or a lookup) */
  report(o: OrderRecord, v: VenueOrder): OrderRecord {
    const patch = applyVenueReport(o, v);
    return patch === undefined ? o : this.update(o, patch);
  }

  /**
   * Records a venue fill once; returns "added", "duplicate", or "foreign" for a fill of an order
   * kairos did not send (never adopted)
   */
  recordFill(f: VenueFill, source: FillRecord["source"]): "added" | "duplicate" | "foreign" {
    const o =
      (f.clientOrderId === undefined ? undefined : this.store.getOrder(f.clientOrderId)) ??
      this.store.orderByVenueId(this.broker.venue, f.venueOrderId);
    if (o === undefined) return "foreign";
    const fill: FillRecord = {
      venue: this.broker.venue,
      tradeId: f.tradeId,
      clientOrderId: o.clientOrderId,
      sessionId: o.sessionId,
      symbol: f.symbol,
      side: f.side,
      qty: f.quantity,
      price: f.price,
      fee: f.fee,
      feeAsset: f.feeCurrency,
      ts: f.ts,
      source,
    };
    const known = this.store.fillsOfOrder(o.clientOrderId);
    if (known.some((k) => k.tradeId === f.tradeId && k.symbol === f.symbol)) return "duplicate";
    const sum = known.reduce((s, k) => s + amount(k.qty), amount(f.quantity));
    const patch: OrderPatch = {};
    if (sum > amount(o.filledQty)) patch.filledQty = formatAmount(sum);
    const next = sum >= amount(o.qty) ? "filled" : "partially_filled";
    if (next !== o.state && canTransition(o.state, next)) patch.state = next;
    if (o.venueOrderId === undefined) patch.venueOrderId = f.venueOrderId;
    this.crash("before-fill");
    const added = this.store.addFill(fill, Object.keys(patch).length === 0 ? undefined : patch);
    this.crash("after-fill");
    return added ? "added" : "duplicate";
  }

  /** Cancels an open order; an ambiguous cancel is resolved by lookup. Returns the order afterwards */
  async cancel(id: string): Promise<OrderRecord> {
    let o = this.get(id);
    if (o.state === "intent")
      return this.update(o, { state: "cancelled", reason: "withdrawn before sending" });
    if (!isOpen(o.state)) return o;
    this.crash("before-cancel");
    const outcome = await this.broker.cancel(o.symbol, o.clientOrderId);
    this.crash("after-cancel");
    if (outcome.kind === "cancelled") {
      o = this.report(o, outcome.order);
      return o;
    }
    if (outcome.kind === "throttled") await this.deps.sleep(outcome.retryAfterMs ?? 1000);
    // not open, throttled or ambiguous: the venue's record says what happened
    return this.resolve(id, false);
  }

  /** Pushed events are a fast path: order reports and fills go through the same rules as polling */
  onEvent(e: BrokerEvent): void {
    if (e.kind === "order") {
      const o = this.store.getOrder(e.order.clientOrderId);
      if (o !== undefined) this.report(o, e.order);
    } else if (e.kind === "fill") this.recordFill(e.fill, "ws");
  }

  /** Several pushed events in one transaction (one fsync): a stream's burst at a bar's close */
  onEvents(events: readonly BrokerEvent[]): void {
    if (events.length === 0) return;
    this.store.batch(() => {
      for (const e of events) this.onEvent(e);
    });
  }

  /** Polls fills of one market since `sinceMs` and records the new ones; returns the foreign ones */
  async syncFills(symbol: string, sinceMs: number, source: FillRecord["source"]): Promise<VenueFill[]> {
    const fills = await readWithRetry(this.deps.sleep, () => this.broker.fillsSince(symbol, sinceMs));
    const foreign: VenueFill[] = [];
    for (const f of fills) if (this.recordFill(f, source) === "foreign") foreign.push(f);
    return foreign;
  }

  /** Brings every not-yet-final order of a session up to date with the venue (lookups, resends) */
  async settle(sessionId: string): Promise<OrderRecord[]> {
    const out: OrderRecord[] = [];
    for (const o of this.store.ordersOf(sessionId, [
      "intent",
      "sent",
      "unknown",
      "acknowledged",
      "partially_filled",
    ]))
      out.push(o.state === "intent" ? await this.send(o.clientOrderId) : await this.resolve(o.clientOrderId));
    return out;
  }
}

/** A read retried on retryable errors (rate limits honour the venue's wait), at most 6 tries */
export async function readWithRetry<T>(
  sleep: (ms: number) => Promise<void>,
  f: () => Promise<T>,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (err) {
      if (!isAppError(err) || !err.retryable || i >= 5) throw err;
      await sleep((err.details.retryAfterMs as number | undefined) ?? 500 * 2 ** i);
    }
  }
}
