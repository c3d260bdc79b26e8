import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTerminal } from "../domain/order-status.ts";
import type { VenueOrder } from "../ports/broker.ts";
import type { OrderRecord } from "../ports/order-store.ts";
import { amount } from "./amount.ts";
import { applyVenueReport, patched } from "./order-events.ts";

const order = (state: OrderRecord["state"]): OrderRecord => ({
  clientOrderId: "kr-t-1-0",
  sessionId: "t",
  decisionSeq: 1,
  leg: 0,
  venue: "paper",
  symbol: "BTC/USDT",
  side: "buy",
  type: "market",
  qty: "1",
  state,
  filledQty: "0",
  attempts: 1,
  createdAt: 0,
  updatedAt: 0,
});

// venue reports of one order of quantity 1, in any order, duplicated
const reportArb = fc
  .record({
    status: fc.constantFrom("open", "filled", "cancelled", "expired", "rejected") as fc.Arbitrary<
      VenueOrder["status"]
    >,
    tenths: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ status, tenths }): VenueOrder => {
    const filled = status === "filled" ? 10 : status === "rejected" ? 0 : Math.min(tenths, 9);
    return {
      clientOrderId: "kr-t-1-0",
      venueOrderId: "v1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      status,
      quantity: "1",
      filledQuantity: (filled / 10).toString(),
      createdAt: 0,
    };
  });

describe("applying venue reports to an order (R6)", () => {
  it("is idempotent, only moves forward, keeps filled <= quantity, and never touches a closed order", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("sent", "unknown", "acknowledged") as fc.Arbitrary<OrderRecord["state"]>,
        fc.array(reportArb, { maxLength: 12 }),
        (start, reports) => {
          let o = order(start);
          for (const r of reports) {
            const before = o;
            const p = applyVenueReport(o, r);
            o = patched(o, p);
            // the same report again changes nothing
            expect(applyVenueReport(o, r)).toBeUndefined();
            if (isTerminal(before.state)) expect(p).toBeUndefined();
            expect(amount(o.filledQty) >= amount(before.filledQty)).toBe(true);
            expect(amount(o.filledQty) <= amount(o.qty)).toBe(true);
            if (o.state === "filled") expect(o.filledQty).toBe("1");
          }
        },
      ),
    );
  });

  it("moves an unknown order to what the venue says, and a stale open report does not undo a fill", () => {
    const v: VenueOrder = {
      clientOrderId: "kr-t-1-0",
      venueOrderId: "v9",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      status: "open",
      quantity: "1",
      filledQuantity: "0.4",
      createdAt: 0,
    };
    const p = applyVenueReport(order("unknown"), v);
    expect(p).toEqual({ state: "partially_filled", filledQty: "0.4", venueOrderId: "v9" });
    const o = patched(order("unknown"), p);
    expect(applyVenueReport(o, { ...v, filledQuantity: "0" })).toBeUndefined();
    expect(applyVenueReport(o, { ...v, status: "filled", filledQuantity: "1" })).toEqual({
      state: "filled",
      filledQty: "1",
    });
  });
});
