// The kill switch and a create still on its way: a session's order was sent (its intent committed,
// marked `sent`, the request out) when the switch is pulled, and the network holds it for 2.5 s,
// longer than the kill's cancel passes take. It then reaches the exchange and rests. The kill
// watches such creates until they can no longer arrive and cancels the order the moment the
// exchange holds it: nothing of the session is left open on the exchange, and kairos's books say
// the same as the exchange's ledger. (Before the watch the kill returned `stillOpen: 1` and the
// order rested open, with nothing left to cancel it.) The exchange runs in its own process behind
// a door that holds the one create; ccxt's binance class speaks to it.
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { killAll } from "../../src/app/kill.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { writeTestLimits } from "../trading/trading-limits.ts";
import { placeResting, restingBuy, startKillRig } from "./r8-kill-sim.ts";

const HOLD_MS = 2500;
const LATE = "kf-late";

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("kill switch: a create still on its way", () => {
  it(`a create held ${HOLD_MS} ms on its way reaches the exchange after the switch and is cancelled there: none open, books = ledger`, async () => {
    const rig = await startKillRig("kairos-kill-in-flight-", {
      holdCreateMs: (id) => (id === LATE ? HOLD_MS : 0),
    });
    writeTestLimits(rig.home, { maxExposurePerSymbol: "1e9", maxExposureTotal: "1e9" });
    const { container, ids } = await placeResting(rig, "kf", 2);
    try {
      const t = container.trading();
      const now = Date.now();
      // below the resting ones: a buy that rests once it arrives
      const late = restingBuy(rig, {
        clientOrderId: LATE,
        sessionId: "kf",
        seq: 2,
        leg: 0,
        symbol: "BTC/USDT",
        fraction: 0.4,
        at: now,
      });
      t.orders.recordDecision(
        { sessionId: "kf", seq: 2, barTs: now, targets: {}, explanation: "a late create", createdAt: now },
        [late],
      );
      // the session's own lifecycle sends it; the door holds the request on its way to the exchange
      const lifecycle = new OrderLifecycle({
        store: t.orders,
        broker: rig.broker,
        clock: t.clock,
        sleep: t.sleep,
      });
      const sending = lifecycle.send(LATE);
      await until(() => rig.creates.some((c) => c.id === LATE), 30_000, "the create to leave kairos");
      expect(t.orders.getOrder(LATE)?.state).toBe("sent");

      const result = await killAll(
        { home: rig.home, orders: t.orders, clock: t.clock, sleep: t.sleep, venueFor: () => rig.broker },
        { by: "kill-in-flight test" },
      );
      // the session's lifecycle hears the exchange's acceptance of the held create
      await sending;

      expect(result.problems).toEqual([]);
      expect(result.stillOpen).toBe(0);
      // the kill waited for the held create to arrive (it reaches the exchange after HOLD_MS)
      expect(result.confirmMs).toBeGreaterThan(HOLD_MS - 500);
      const ledger = await rig.sim.ledger();
      const status = new Map(ledger.orders.map((o) => [String(o.clientOrderId), String(o.status)]));
      // the held create reached the exchange and was cancelled there; every resting order too
      expect(status.get(LATE)).toBe("CANCELED");
      for (const id of [...ids, LATE]) {
        expect([id, status.get(id)]).toEqual([id, "CANCELED"]);
        expect([id, t.orders.getOrder(id)?.state]).toEqual([id, "cancelled"]);
      }
      expect((await rig.broker.openOrders()).filter((o) => o.clientOrderId.startsWith("kf"))).toEqual([]);
      expect(t.orders.getSession("kf")?.state).toBe("halted");
    } finally {
      container.close();
      await rig.close();
      rmSync(rig.home, { recursive: true, force: true });
    }
  }, 120_000);
});
