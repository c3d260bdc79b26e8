// Issue 16, point 1 ("in-flight orders counted at intent time"), across gate instances: an order
// judged by one gate (another process, a person's approval, or before a restart) and still in flight
// in the order store reserves its exposure in every other gate of the session, so two orders judged
// apart never jointly exceed a limit. Once it leaves flight the reservation is released; the filled
// part of a partially filled order counts through the positions, only its rest through the reservation.
// The adoption is written into the audit log, so `audit replay` still matches every verdict.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { replayAudit } from "../../src/app/audit-replay.ts";
import type { SessionRiskGate } from "../../src/app/risk-gate.ts";
import { createContainer } from "../../src/composition-root.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { tempHome } from "../support/cli.ts";
import { gateSession } from "../support/gate-session.ts";

const home = tempHome("kairos-adopt-");
const c = createContainer({ home });
afterAll(() => {
  c.close();
  rmSync(`${home}-anchors`, { recursive: true, force: true });
});

describe("in-flight orders judged by another gate", () => {
  it("a fresh gate counts the session's stored in-flight orders against max exposure, and frees them when they leave flight", async () => {
    const rules = new Map([["BTC/USDT", defaultRules("BTC/USDT", 1000)]]);
    const { t, newGate } = gateSession(c, home, {
      id: "ad",
      by: "adopt-test",
      limits: {
        maxExposurePerSymbol: "1000",
        maxExposureTotal: "1000",
        maxOrderValue: "1000",
        throttleExecutions: "1000",
      },
      rules,
    });
    let clock = 1_780_000_000_000;
    let seq = 0;
    const intent = (qty: string): OrderRecord => {
      seq++;
      return {
        clientOrderId: `ad-${seq}`,
        sessionId: "ad",
        decisionSeq: seq,
        leg: 0,
        venue: "paper",
        symbol: "BTC/USDT",
        side: "buy",
        type: "limit",
        qty,
        limitPrice: "1000",
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: clock,
        updatedAt: clock,
      };
    };
    const screen = async (gate: SessionRiskGate, o: OrderRecord, position = 0) => {
      clock += 5_000;
      const r = await gate.screen([o], {
        sessionId: "ad",
        barTs: clock - 3_600_000,
        closeTs: clock,
        prices: { "BTC/USDT": 1000 },
        positions: { "BTC/USDT": position },
        equity: 10_000,
      });
      if (r.accepted.length > 0)
        t.orders.recordDecision(
          {
            sessionId: "ad",
            seq: o.decisionSeq,
            barTs: clock,
            targets: {},
            explanation: "t",
            createdAt: clock,
          },
          r.accepted,
        );
      return r;
    };

    // gate A accepts $800 and stores it (in flight, nothing filled)
    const a = newGate();
    const first = intent("0.8");
    expect((await screen(a, first)).accepted).toHaveLength(1);
    // gate B, fresh (another process): $500 more would make $1,300 > $1,000
    const b = newGate();
    const second = await screen(b, intent("0.5"));
    expect(second.accepted).toHaveLength(0);
    expect(second.refused[0]!.reason).toMatch(/^exposure-symbol/);
    // $200 more fits beside the $800 in flight
    expect((await screen(b, intent("0.2"))).accepted).toHaveLength(1);

    // the first order is half filled: 0.4 held through the position, 0.4 still reserved; with the
    // $200 order above that is $1,000: nothing more fits
    t.orders.updateOrder(first.clientOrderId, { state: "partially_filled", filledQty: "0.4" });
    const c3 = newGate();
    expect((await screen(c3, intent("0.01"), 0.4)).accepted).toHaveLength(0);

    // both leave flight (first filled, the $200 one cancelled): a fresh gate sees only the 0.8 position
    t.orders.updateOrder(first.clientOrderId, { state: "filled", filledQty: "0.8" });
    t.orders.updateOrder("ad-3", { state: "cancelled" });
    const d = newGate();
    expect((await screen(d, intent("0.2"), 0.8)).accepted).toHaveLength(1);
    expect((await screen(d, intent("0.01"), 0.8)).accepted).toHaveLength(0);
    // and gate B, which adopted the first order, released it when it left flight
    expect((await screen(b, intent("0.0"), 0.8)).refused).toHaveLength(1); // zero quantity: input check
    const rep = replayAudit(c.audit(), c.auditCrypto);
    expect(rep.chainOk).toBe(true);
    expect(rep.mismatches).toEqual([]);
    expect(rep.matched).toBe(rep.checks);
    expect(rep.checks).toBe(7);
  });
});
