// A long-running trading process keeps only bounded lists in memory: the CI-sized version of the soak
// (`npm run bench -- trading-soak`, 24 simulated hours). A real session (SQLite order store, paper
// venue, the pre-trade gate) judges an order on every bar for more bars than the gate keeps
// decisions; the gate's list, its in-flight reservations, the session's account and the live loop's bar window must stay
// within their bounds while every order is still judged, recorded in the audit trail and sent.
// KAIROS_FULL=1 runs 5x the bars.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_DECISIONS_KEPT } from "../../src/app/risk-gate.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import { BarWindow } from "../../src/execution/bar-window.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { setupSession } from "../risk/session-gate.ts";

const BARS = GATE_DECISIONS_KEPT * (process.env.KAIROS_FULL === "1" ? 5 : 1) + 150;

function allowAll(home: string): void {
  for (const [key, value] of Object.entries({
    maxMessagesPerSecondVenue: "1000000",
    maxMessagesPerSecondStrategy: "1000000",
    throttleExecutions: "1000000",
    maxExposurePerSymbol: "1000000",
    maxExposureTotal: "1000000",
    maxPriceAgeMs: "5000",
  }))
    setRisk({ home, now: () => 0 }, { key, value, by: "test" });
}

describe("bounded memory of a long-running session", () => {
  it(`the risk gate keeps the newest ${GATE_DECISIONS_KEPT} decisions over ${BARS} bars, each order still judged, logged and sent`, async () => {
    const s = setupSession({ bars: BARS, timing: "replay" });
    try {
      allowAll(s.home);
      const lifecycle = new OrderLifecycle({
        store: s.store,
        broker: s.paper,
        clock: s.time,
        sleep: s.time.sleep,
      });
      let most = 0;
      for (let t = 0; t < BARS; t++) {
        // the paper venue fills the previous bar's order at this bar's open, as a paper session runs
        const bar = {
          ts: s.series.ts[t]!,
          open: s.series.open[t]!,
          high: s.series.high[t]!,
          low: s.series.low[t]!,
        };
        const fills = s.paper.onBars([
          { symbol: "BTC/USDT", bar: { ...bar, close: s.series.close[t]!, volume: s.series.volume[t]! } },
        ]);
        lifecycle.recordFills(fills, "paper");
        await lifecycle.settle("r");
        const r = await s.session.onClosedBar(t);
        // the flipper changes its target on every bar: one order judged and sent per bar
        expect(r.orders, `bar ${t}`).toHaveLength(1);
        const last = s.risk.decisions.at(-1);
        expect(last?.orderId).toBe(r.orders[0]!.clientOrderId);
        most = Math.max(most, s.risk.decisions.length);
        // filled orders give their reservation back: only this bar's order is in flight
        expect(s.risk.gate.inFlightCount, `bar ${t}`).toBeLessThanOrEqual(1);
        // the session's running account keeps no key per fill applied (it grew for the session's life)
        expect(s.session.account().applied.size, `bar ${t}`).toBe(0);
      }
      expect(s.submits()).toBe(BARS);
      expect(most).toBe(GATE_DECISIONS_KEPT);
      expect(s.risk.decisions).toHaveLength(GATE_DECISIONS_KEPT);
      // the newest ones, in order: the oldest kept is the order of bar BARS - KEPT
      const orders = s.store.ordersOf("r").sort((a, b) => a.decisionSeq - b.decisionSeq);
      expect(orders).toHaveLength(BARS);
      expect(s.risk.decisions.map((d) => d.orderId)).toEqual(
        orders.slice(-GATE_DECISIONS_KEPT).map((o) => o.clientOrderId),
      );
      // nothing dropped from memory is lost: every decision is in the file and the audit trail
      const lines = readFileSync(join(s.home, "risk-decisions.jsonl"), "utf8").trim().split("\n");
      expect(lines).toHaveLength(BARS);
      expect(s.store.fillsOf("r").length).toBeGreaterThanOrEqual(BARS - 1);
    } finally {
      s.close();
    }
  }, 240_000);

  it("the live loop's bar window holds at most its bound however many bars are appended", () => {
    const maxBars = 50;
    const w = new BarWindow("sim", ["A/USDT", "B/USDT"], "1m", maxBars, 16);
    const cap = (): number => (w.views()[0]!.ts.buffer as ArrayBuffer).byteLength / 8;
    let biggest = 0;
    for (let i = 0; i < 20 * maxBars; i++) {
      const bar = { ts: i * 60_000, open: i, high: i + 1, low: i - 1, close: i, volume: 1 };
      w.append([bar, { ...bar, close: -i }]);
      expect(w.length).toBe(Math.min(i + 1, maxBars));
      expect(w.views()[1]!.close[w.length - 1]).toBe(-i);
      biggest = Math.max(biggest, cap());
    }
    // storage stops growing once the window is full: it doubles only while the live part is the
    // larger one (capacity below twice the bound), so it never reaches four times the bound
    expect(biggest).toBeLessThan(4 * maxBars);
    expect(w.views()[0]!.ts[0]).toBe((20 * maxBars - maxBars) * 60_000);
  });
});
