// R6 on the lifecycle with a real SQLite order store: pushed events (order reports and fills),
// dropped, duplicated and out of order, change nothing when applied again, never push filled past
// quantity, never touch a closed order, and count each fill once
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { migrate } from "../adapters/sqlite/database.ts";
import { SqliteOrderStore } from "../adapters/sqlite/sqlite-order-store.ts";
import { isTerminal } from "../domain/order-status.ts";
import type { Broker, BrokerEvent, VenueOrder } from "../ports/broker.ts";
import type { OrderRecord } from "../ports/order-store.ts";
import { accountView, applyFills, emptyAccount } from "./accounting.ts";
import { amount } from "./amount.ts";
import { OrderLifecycle } from "./order-lifecycle.ts";

const venueOnly = { venue: "sim" } as unknown as Broker;

function fresh(): { store: SqliteOrderStore; lc: OrderLifecycle } {
  const db = new Database(":memory:");
  migrate(db, { owner: "core", steps: [] });
  const store = new SqliteOrderStore(db, () => 0);
  store.createSession({
    id: "p",
    mode: "paper",
    venue: "sim",
    state: "active",
    config: {},
    createdAt: 0,
    updatedAt: 0,
  });
  const o: OrderRecord = {
    clientOrderId: "kr-p-1-0",
    sessionId: "p",
    decisionSeq: 1,
    leg: 0,
    venue: "sim",
    symbol: "BTC/USDT",
    side: "buy",
    type: "limit",
    qty: "1",
    limitPrice: "100",
    state: "intent",
    filledQty: "0",
    attempts: 0,
    createdAt: 0,
    updatedAt: 0,
  };
  store.recordDecision({ sessionId: "p", seq: 1, barTs: 0, targets: {}, explanation: "", createdAt: 0 }, [o]);
  store.updateOrder(o.clientOrderId, { state: "sent", attempts: 1 });
  const lc = new OrderLifecycle({ store, broker: venueOnly, clock: { now: () => 0 }, sleep: async () => {} });
  return { store, lc };
}

// the venue's true history of one order of quantity 1: up to 4 fills of tenths, then maybe a cancel
const historyArb = fc
  .record({
    parts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }),
    cancel: fc.boolean(),
  })
  .map(({ parts, cancel }) => {
    const events: BrokerEvent[] = [];
    let filled = 0;
    const report = (status: VenueOrder["status"]): VenueOrder => ({
      clientOrderId: "kr-p-1-0",
      venueOrderId: "77",
      symbol: "BTC/USDT",
      side: "buy",
      type: "limit",
      status,
      quantity: "1",
      price: "100",
      filledQuantity: (filled / 10).toString(),
      createdAt: 0,
    });
    events.push({ kind: "order", order: report("open") });
    for (const [i, p] of parts.entries()) {
      const q = Math.min(p, 10 - filled);
      if (q <= 0) break;
      filled += q;
      events.push({
        kind: "fill",
        fill: {
          venue: "sim",
          tradeId: `t${i}`,
          venueOrderId: "77",
          clientOrderId: "kr-p-1-0",
          symbol: "BTC/USDT",
          side: "buy",
          quantity: (q / 10).toString(),
          price: "100",
          fee: "0.01",
          feeCurrency: "USDT",
          ts: i,
        },
      });
      events.push({ kind: "order", order: report(filled === 10 ? "filled" : "open") });
    }
    if (cancel && filled < 10) events.push({ kind: "order", order: report("cancelled") });
    return events;
  });

const snapshot = (store: SqliteOrderStore) => {
  const { updatedAt: _u, ...order } = store.getOrder("kr-p-1-0")!;
  return {
    order,
    fills: store
      .fillsOf("p")
      .map((f) => f.tradeId)
      .sort(),
  };
};

describe("lifecycle events (R6)", () => {
  it("in any order, duplicated: idempotent, filled <= quantity, closed orders stay closed, each fill once", () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) =>
          fc.tuple(
            fc.constant(h),
            fc.shuffledSubarray(h, { minLength: 0, maxLength: h.length }),
            fc.array(fc.nat(), { maxLength: 6 }),
          ),
        ),
        ([history, shuffled, dups]) => {
          const { store, lc } = fresh();
          const stream = [...shuffled];
          for (const d of dups) if (history.length > 0) stream.push(history[d % history.length]!);
          let closedAs: string | undefined;
          for (const e of stream) {
            lc.onEvent(e);
            const o = store.getOrder("kr-p-1-0")!;
            expect(amount(o.filledQty) <= amount(o.qty)).toBe(true);
            if (closedAs !== undefined) expect(o.state).toBe(closedAs);
            if (isTerminal(o.state)) closedAs = o.state;
          }
          const once = snapshot(store);
          for (const e of stream) lc.onEvent(e);
          expect(snapshot(store)).toEqual(once);
          // the position is the sum of the distinct fills seen
          const acc = applyFills(emptyAccount({ USDT: "1000" }), store.fillsOf("p"));
          const seen = new Set(stream.flatMap((e) => (e.kind === "fill" ? [e.fill.tradeId] : [])));
          expect(acc.applied.size).toBe(seen.size);
          const sum = stream
            .flatMap((e) => (e.kind === "fill" ? [e.fill] : []))
            .filter((f, i, a) => a.findIndex((g) => g.tradeId === f.tradeId) === i)
            .reduce((s, f) => s + amount(f.quantity), 0n);
          expect(amount(accountView(acc).balances.BTC ?? "0")).toBe(sum);
        },
      ),
      { numRuns: 300 },
    );
  });
});
