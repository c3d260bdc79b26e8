import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAppError } from "../errors.ts";
import { newOrder } from "./order.ts";
import {
  canTransition,
  isOpen,
  isTerminal,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderStatus,
  transition,
} from "./order-status.ts";

// written out by hand from issue 15's lifecycle, independently of the table
const ALLOWED = new Set([
  "intent>sent",
  "intent>cancelled",
  "intent>unknown",
  "sent>acknowledged",
  "sent>partially_filled",
  "sent>filled",
  "sent>cancelled",
  "sent>rejected",
  "sent>expired",
  "sent>unknown",
  "acknowledged>partially_filled",
  "acknowledged>filled",
  "acknowledged>cancelled",
  "acknowledged>expired",
  "acknowledged>unknown",
  "partially_filled>partially_filled",
  "partially_filled>filled",
  "partially_filled>cancelled",
  "partially_filled>expired",
  "partially_filled>unknown",
  "unknown>sent",
  "unknown>acknowledged",
  "unknown>partially_filled",
  "unknown>filled",
  "unknown>cancelled",
  "unknown>rejected",
  "unknown>expired",
]);

const status = fc.constantFrom(...ORDER_STATUSES);

describe("order status transitions", () => {
  it("allow exactly the lifecycle's pairs, all 81 checked", () => {
    for (const from of ORDER_STATUSES)
      for (const to of ORDER_STATUSES)
        expect(canTransition(from, to), `${from}>${to}`).toBe(ALLOWED.has(`${from}>${to}`));
  });

  it("walk the happy path, a partial path and an ambiguous one resolved by lookup", () => {
    const walk = (path: OrderStatus[]): OrderStatus =>
      path.slice(1).reduce((s, to) => transition(s, to, "c-1"), path[0]!);
    expect(walk(["intent", "sent", "acknowledged", "filled"])).toBe("filled");
    expect(
      walk(["intent", "sent", "acknowledged", "partially_filled", "partially_filled", "cancelled"]),
    ).toBe("cancelled");
    expect(walk(["intent", "sent", "unknown", "sent", "acknowledged", "expired"])).toBe("expired");
    expect(walk(["intent", "unknown", "partially_filled", "unknown", "filled"])).toBe("filled");
  });

  it("end in final states that refuse everything, with one INTERNAL line naming the pair", () => {
    for (const s of ["filled", "cancelled", "rejected", "expired"] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(isOpen(s)).toBe(false);
    }
    try {
      transition("filled", "cancelled", "kairos-7-0");
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("INTERNAL");
      expect((e as Error).message).toBe(
        "order kairos-7-0: status filled cannot become cancelled (allowed: none, filled is final)",
      );
    }
    expect(() => transition("acknowledged", "rejected")).toThrow(
      "order: status acknowledged cannot become rejected (allowed: partially_filled, filled, cancelled, expired, unknown)",
    );
  });

  it("reach every status from intent, and a final status from every status (no dead ends)", () => {
    const reach = (from: OrderStatus): Set<OrderStatus> => {
      const seen = new Set<OrderStatus>([from]);
      const todo = [from];
      while (todo.length > 0)
        for (const to of ORDER_TRANSITIONS[todo.pop()!])
          if (!seen.has(to)) {
            seen.add(to);
            todo.push(to);
          }
      return seen;
    };
    expect([...reach("intent")].sort()).toEqual([...ORDER_STATUSES].sort());
    for (const s of ORDER_STATUSES) expect([...reach(s)].some(isTerminal), s).toBe(true);
  });

  it("property: a random walk accepts a step exactly when the table allows it, and never leaves a final status", () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 40 }), (steps) => {
        let s: OrderStatus = "intent";
        let previous: OrderStatus | undefined;
        for (const to of steps) {
          const allowed = ORDER_TRANSITIONS[s].includes(to);
          let accepted = true;
          try {
            const next = transition(s, to);
            expect(next).toBe(to);
          } catch (e) {
            accepted = false;
            expect(isAppError(e) && e.code).toBe("INTERNAL");
          }
          expect(accepted).toBe(allowed);
          if (!accepted) continue;
          if (isTerminal(s)) throw new Error(`left final status ${s}`);
          previous = s;
          s = to;
          // the venue's word only: a rejection follows a send or a lookup, never an acknowledgement or fill
          if (s === "rejected") expect(["sent", "unknown"]).toContain(previous);
          if (s === "intent") throw new Error("nothing returns to intent");
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("starts a new order as an intent with nothing filled", () => {
    const o = newOrder(
      { symbol: "BTC/USDT", side: "buy", type: "limit", qty: 0.5, limitPrice: 100 },
      "s1-d3-0",
      1_700_000_000_000,
      {
        decisionId: "d3",
      },
    );
    expect(o).toMatchObject({
      status: "intent",
      filledQty: 0,
      fees: 0,
      clientOrderId: "s1-d3-0",
      decisionId: "d3",
    });
    expect(Number.isNaN(o.avgFillPrice)).toBe(true);
  });
});
