/**
 * Reconciliation: kairos's records against the venue's, at start and every few minutes. First every
 * order that may be on the venue is settled (intents sent, ambiguous orders looked up, open orders
 * refreshed) and every fill since the session began is fetched (new ones recorded once); then what
 * is left is compared: venue orders kairos did not send (flagged, never adopted), fills of orders
 * that are not ours, orders whose states disagree, and every balance against the session's
 * baseline plus the sum of its fills. Any difference halts the session, persisted, with a message
 * saying exactly what differs; only a person resumes it.
 */
import { isOpen } from "../domain/order-status.ts";
import type { Broker } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderStore, ReconciliationRecord } from "../ports/order-store.ts";
import { applyFills, assetsOf, emptyAccount } from "./accounting.ts";
import { type Amount, amount, formatAmount, ZERO } from "./amount.ts";
import { type OrderLifecycle, readWithRetry } from "./order-lifecycle.ts";

export interface ReconcileDeps {
  store: OrderStore;
  broker: Broker;
  lifecycle: OrderLifecycle;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
}

export interface ReconcileScope {
  sessionId: string;
  symbols: readonly string[];
  /** the account's balances when the session began (or as a person last accepted them) */
  baseline: Record<string, string>;
  /** venue time the session began: fills before it are not the session's */
  sinceMs: number;
  /**
   * fills not sent by kairos that a person reviewed and accepted, as `foreignFillKey(symbol, tradeId)`
   * (a bare trade id, as homes before the symbol was part of a fill's identity stored them, matches any symbol)
   */
  acceptedForeignFills?: readonly string[];
  /** settle orders (send intents, resolve unknowns) first; false for a read-only diff */
  settle?: boolean;
  /** read again this many times (settling first) before a difference halts: a venue trading while it is read (live) */
  confirmPasses?: number;
  confirmDelayMs?: number;
}

/** How an accepted foreign fill is named: trade ids are numbered per symbol on Binance */
export const foreignFillKey = (symbol: string, tradeId: string): string => `${symbol}|${tradeId}`;

/** Compares and records; halts the session on any difference (a passing pass never un-halts it) */
export async function reconcile(deps: ReconcileDeps, scope: ReconcileScope): Promise<ReconciliationRecord> {
  let record = await compare(deps, scope);
  // a live venue keeps trading while it is read (a market order can fill between the fills and the
  // open-orders reads): a difference is read again, settled, before it halts anything
  for (let i = 0; !record.ok && i < (scope.confirmPasses ?? 0); i++) {
    await deps.sleep(scope.confirmDelayMs ?? 100);
    record = await compare(deps, { ...scope, settle: true });
  }
  deps.store.addReconciliation(record);
  if (!record.ok) deps.store.setState(scope.sessionId, "halted", haltMessage(record));
  return record;
}

async function compare(deps: ReconcileDeps, scope: ReconcileScope): Promise<ReconciliationRecord> {
  const { store, broker, lifecycle } = deps;
  const read = <T>(f: () => Promise<T>): Promise<T> => readWithRetry(deps.sleep, f);
  const differences: string[] = [];
  const foreignOrders: string[] = [];
  if (scope.settle !== false) await lifecycle.settle(scope.sessionId);

  // fills: every one since the start, recorded once; fills of orders we did not send are named
  for (const symbol of scope.symbols) {
    const accepted = new Set(scope.acceptedForeignFills ?? []);
    const foreign = (await lifecycle.syncFills(symbol, scope.sinceMs, "reconcile")).filter(
      (f) => !accepted.has(foreignFillKey(symbol, f.tradeId)) && !accepted.has(f.tradeId),
    );
    for (const f of foreign)
      differences.push(
        `fill ${f.tradeId} on ${symbol} (${f.side} ${f.quantity} at ${f.price}, venue order ${f.venueOrderId}) belongs to no order kairos sent`,
      );
  }

  // open orders on the venue: ours must agree, others are flagged and never adopted
  const ours = new Map(store.ordersOf(scope.sessionId).map((o) => [o.clientOrderId, o]));
  const venueOpen = new Set<string>();
  for (const symbol of scope.symbols)
    for (const v of await read(() => broker.openOrders(symbol))) {
      const o = ours.get(v.clientOrderId);
      if (o === undefined) {
        foreignOrders.push(
          `${v.symbol} ${v.side} ${v.quantity} (venue order ${v.venueOrderId}, client id ${v.clientOrderId})`,
        );
        continue;
      }
      venueOpen.add(v.clientOrderId);
      if (!isOpen(o.state))
        differences.push(`order ${o.clientOrderId}: kairos has it ${o.state}, the venue has it open`);
    }
  for (const o of ours.values()) {
    if ((o.state === "acknowledged" || o.state === "partially_filled") && !venueOpen.has(o.clientOrderId))
      differences.push(
        `order ${o.clientOrderId}: kairos has it ${o.state}, the venue has no such open order`,
      );
    if (o.state === "unknown" || o.state === "sent")
      differences.push(`order ${o.clientOrderId}: still ${o.state} after lookup; the venue did not answer`);
    // every fill the venue counted on our order must be recorded
    const recorded = store.fillsOfOrder(o.clientOrderId).reduce((s, f) => s + amount(f.qty), ZERO);
    if (recorded !== amount(o.filledQty))
      differences.push(
        `order ${o.clientOrderId}: the venue reports ${o.filledQty} filled, kairos holds fills for ${formatAmount(recorded)}`,
      );
  }

  // balances: baseline + the session's fills must be exactly what the venue holds
  const account = applyFills(emptyAccount(scope.baseline), store.fillsOf(scope.sessionId));
  const venue = new Map<string, Amount>();
  for (const b of await read(() => broker.balances())) venue.set(b.asset, amount(b.free) + amount(b.locked));
  const assets = new Set<string>([...Object.keys(scope.baseline), ...account.balances.keys()]);
  for (const s of scope.symbols) {
    const { base, quote } = assetsOf(s);
    assets.add(base);
    assets.add(quote);
  }
  for (const asset of [...assets].sort()) {
    const mine = account.balances.get(asset) ?? ZERO;
    const theirs = venue.get(asset) ?? ZERO;
    if (mine !== theirs)
      differences.push(
        `balance ${asset}: kairos expects ${formatAmount(mine)}, the venue holds ${formatAmount(theirs)} (${theirs > mine ? "+" : ""}${formatAmount(theirs - mine)})`,
      );
  }

  const record: ReconciliationRecord = {
    sessionId: scope.sessionId,
    ts: deps.clock.now(),
    ok: differences.length === 0 && foreignOrders.length === 0,
    differences,
    foreignOrders,
  };
  return record;
}

/** The persisted halt reason: every difference, one per line */
export function haltMessage(r: ReconciliationRecord): string {
  return [
    `reconciliation found ${r.differences.length + r.foreignOrders.length} difference(s) with the venue:`,
    ...r.foreignOrders.map((f) => `venue order not sent by kairos (not adopted): ${f}`),
    ...r.differences,
  ].join("\n");
}
