// Kill switch on the paper venue: every open order cancelled, HALTED latched (account file and
// session, a fresh read after "restart" still halted), nothing submitted afterwards.
// R8 on the simulated exchange (100 trials x 150 orders) is r8-kill.test.ts; the bulk cancel's
// fallbacks are kill-bulk.test.ts.
import { describe, expect, it } from "vitest";
import { killAll } from "../../src/app/kill.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import { readTradingState } from "../../src/app/risk-trading-state.ts";
import { setupSession } from "./session-gate.ts";

describe("kill switch", () => {
  it("cancels every open order, latches HALTED, and nothing is submitted after", async () => {
    const s = setupSession({ bars: 60, timing: "replay" });
    try {
      const set = (key: string, value: string) =>
        setRisk({ home: s.home, now: () => 0 }, { key, value, by: "t" });
      set("maxExposurePerSymbol", "1000000");
      set("maxExposureTotal", "1000000");
      set("throttleExecutions", "1000");
      for (let t = 0; t < 50; t++) await s.session.onClosedBar(t);
      expect(s.submits()).toBe(50);
      expect((await s.paper.openOrders()).length).toBe(50);
      const r = await killAll(
        { home: s.home, orders: s.store, clock: s.time, sleep: s.time.sleep, venueFor: () => s.paper },
        { by: "alice" },
      );
      expect(r).toMatchObject({ cancelled: 50, stillOpen: 0, state: "halted", sessions: ["r"] });
      expect(r.sendMs).toBeLessThanOrEqual(r.confirmMs);
      expect((await s.paper.openOrders()).length).toBe(0);
      expect(readTradingState(s.home).state).toBe("halted");
      expect(s.store.getSession("r")!.state).toBe("halted");
      // even a session forced back to active cannot submit: the account latch refuses
      s.store.setState("r", "active");
      for (let t = 50; t < 60; t++) await s.session.onClosedBar(t);
      expect(s.submits()).toBe(50);
    } finally {
      s.close();
    }
  });
});
