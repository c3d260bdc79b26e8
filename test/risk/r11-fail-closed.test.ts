// R11 fail closed: 1,000 injected faults (stale price, missing limits file, database unavailable,
// clock skew beyond 1 s) through a real trading session: 0 orders stored, 0 sent
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RISK_LIMITS_FILE, setRisk } from "../../src/app/risk-limits.ts";
import { createRng } from "../../src/domain/random.ts";
import type { Broker } from "../../src/ports/broker.ts";
import type { OrderStore } from "../../src/ports/order-store.ts";
import { HOUR, setupSession } from "./session-gate.ts";

const FAULTS = ["stale-price", "missing-limits", "database", "clock-skew", "no-server-time"] as const;
type Fault = (typeof FAULTS)[number];
const EXPECTED: Record<Fault, string> = {
  "stale-price": "stale-price",
  "missing-limits": "limits",
  database: "account",
  "clock-skew": "clock-skew",
  "no-server-time": "clock-skew",
};

function allowAll(home: string): void {
  const set = (key: string, value: string) => setRisk({ home, now: () => 0 }, { key, value, by: "test" });
  set("maxMessagesPerSecondVenue", "1000000");
  set("maxMessagesPerSecondStrategy", "1000000");
  set("throttleExecutions", "1000000");
  set("maxExposurePerSymbol", "1000000");
  set("maxExposureTotal", "1000000");
  set("maxPriceAgeMs", "5000");
}

describe("R11 fail closed", () => {
  it("with valid limits and no fault orders flow (the control)", async () => {
    const s = setupSession({ bars: 6, timing: "replay" });
    try {
      allowAll(s.home);
      for (let t = 0; t < 6; t++) await s.session.onClosedBar(t);
      expect(s.submits()).toBe(6);
      expect(s.risk.decisions.every((d) => d.accepted && d.limitsHash !== undefined)).toBe(true);
    } finally {
      s.close();
    }
  });

  it("1,000 injected faults: 0 orders stored, 0 sent, each refused by the check its fault breaks", async () => {
    const rng = createRng(11);
    let skew = 0;
    let serverFails = false;
    let dbDown = false;
    const s = setupSession({
      bars: 1000,
      timing: "live",
      broker: (b) => {
        const w: Broker = Object.create(b) as Broker;
        (w as { serverTime: Broker["serverTime"] }).serverTime = async () => {
          if (serverFails) throw new Error("venue time unavailable");
          return (await b.serverTime()) + skew;
        };
        return w;
      },
      orders: (st) => {
        const w: OrderStore = Object.create(st) as OrderStore;
        (w as { getSession: OrderStore["getSession"] }).getSession = (id) => {
          if (dbDown) throw new Error("SQLITE_CANTOPEN: unable to open database file");
          return st.getSession(id);
        };
        return w;
      },
    });
    try {
      allowAll(s.home);
      const counts = new Map<Fault, number>();
      for (let t = 0; t < 1000; t++) {
        const fault = FAULTS[t % FAULTS.length]!;
        counts.set(fault, (counts.get(fault) ?? 0) + 1);
        const closeTs = s.series.ts[t]! + HOUR;
        // a live session sees the bar at its close, plus a little latency
        s.time.t = closeTs + 50;
        skew = 0;
        serverFails = false;
        dbDown = false;
        if (fault === "stale-price") s.time.t = closeTs + 5_001 + Math.floor(rng.next() * 60_000);
        if (fault === "missing-limits") rmSync(join(s.home, RISK_LIMITS_FILE));
        if (fault === "database") dbDown = true;
        if (fault === "clock-skew")
          skew = (rng.next() < 0.5 ? -1 : 1) * (1_001 + Math.floor(rng.next() * 10_000));
        if (fault === "no-server-time") serverFails = true;
        const before = s.risk.decisions.length;
        const r = await s.session.onClosedBar(t);
        expect(r.orders, fault).toHaveLength(0);
        const mine = s.risk.decisions.slice(before);
        expect(mine.length, fault).toBe(1);
        expect(mine[0]!.accepted).toBe(false);
        expect(
          mine[0]!.checks.filter((c) => !c.pass).map((c) => c.check),
          fault,
        ).toContain(EXPECTED[fault]);
        if (fault === "missing-limits") allowAll(s.home);
      }
      expect(s.submits()).toBe(0);
      expect(s.store.ordersOf("r")).toHaveLength(0);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    } finally {
      s.close();
    }
  }, 120_000);
});
