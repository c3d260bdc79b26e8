// The kill switch's bulk cancel on kairos's simulated exchange through ccxt's binance class: one
// DELETE /api/v3/openOrders per market, per-order cancels where the bulk answer did not settle an
// order (a refused or ambiguous bulk cancel, an order that filled meanwhile), and every order's final
// state in the order store equal to the exchange's own ledger afterwards. The exchange runs in
// this process so faults can be forced on its next requests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { killAll } from "../../src/app/kill.ts";
import type { MarketRules } from "../../src/ports/broker.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";
import { writeTestLimits } from "../trading/trading-limits.ts";
import { type KillRig, placeResting, R8_SYMBOLS } from "./r8-kill-sim.ts";

const HOUR = 3_600_000;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** The exchange in process, a CcxtBroker on it, a home; counts the requests the exchange served */
async function setup() {
  const requests: string[] = [];
  const sim: SimExchange = await startBundledSimExchange({
    markets: R8_SYMBOLS.map((symbol) => ({ symbol, timeframe: "1h" as const })),
    balances: { USDT: "100000000" },
    weightLimit: 1e9,
    // the unfilled-order limit has its own test (R5 orders); this one places its books at once
    orderLimits: [{ limit: 1e9, windowMs: 10_000 }],
    hangMs: 50,
  });
  cleanup.push(() => sim.close());
  // ccxt's timeout as the product sets it (10 s), not the helper's 2 s: a bulk cancel timing out on a
  // loaded machine would be a problem and a per-order fallback, where these tests assert none
  const broker = bundledSimBroker(sim, { timeoutMs: 10_000 });
  cleanup.push(() => broker.close());
  const count = broker as unknown as { ex: { fetch: (url: string, method?: string) => Promise<unknown> } };
  const send = count.ex.fetch.bind(count.ex);
  // the requests ccxt sends, by method and path (the broker's own weight gate wraps the same fetch)
  count.ex.fetch = (url: string, method = "GET", ...rest: unknown[]) => {
    requests.push(`${method} ${new URL(url).pathname}`);
    return (send as (...a: unknown[]) => Promise<unknown>)(url, method, ...rest);
  };
  const rules = new Map<string, MarketRules>();
  for (const s of R8_SYMBOLS) rules.set(s, await broker.marketRules(s));
  const series = new Map(R8_SYMBOLS.map((s) => [s, loadBundledSeries("binance", s, "1h")]));
  const home = mkdtempSync(join(tmpdir(), "kairos-kill-bulk-"));
  cleanup.push(async () => rmSync(home, { recursive: true, force: true }));
  writeTestLimits(home, { maxExposurePerSymbol: "1e9", maxExposureTotal: "1e9" });
  const rig = {
    home,
    broker,
    rules,
    ref(symbol: string) {
      const s = series.get(symbol as (typeof R8_SYMBOLS)[number])!;
      let i = s.ts.length - 1;
      while (i > 0 && s.ts[i]! + HOUR > sim.now()) i--;
      return s.close[i]!;
    },
  } as unknown as KillRig;
  return { sim, broker, home, rig, requests };
}

/** Every order of the sessions in the store against the exchange's ledger: same final state */
function expectStoreMatchesLedger(orders: readonly OrderRecord[], sim: SimExchange): void {
  const ledger = new Map(sim.ledger().orders.map((o) => [String(o.clientOrderId), String(o.status)]));
  const venueWord: Record<string, string> = { cancelled: "CANCELED", filled: "FILLED" };
  for (const o of orders)
    expect([o.clientOrderId, venueWord[o.state] ?? o.state]).toEqual([
      o.clientOrderId,
      ledger.get(o.clientOrderId),
    ]);
}

describe("kill switch: bulk cancel per market", () => {
  it("one DELETE /api/v3/openOrders per market cancels ours and foreign orders; the store matches the exchange", async () => {
    const { sim, broker, home, rig, requests } = await setup();
    const { container } = await placeResting(rig, "b", 10);
    try {
      sim.placeManualOrder("BTCUSDT", "BUY", "LIMIT", "0.01000", "20000.00");
      sim.placeManualOrder("ETHUSDT", "BUY", "LIMIT", "0.0100", "1000.00");
      const t = container.trading();
      const before = requests.length;
      const r = await killAll(
        { home, orders: t.orders, clock: t.clock, sleep: t.sleep, venueFor: () => broker },
        { by: "test" },
      );
      const sent = requests.slice(before);
      expect(sent.filter((x) => x === "DELETE /api/v3/openOrders")).toHaveLength(3);
      expect(sent.filter((x) => x === "DELETE /api/v3/order")).toHaveLength(0);
      expect(r).toMatchObject({
        cancelled: 30,
        stillOpen: 0,
        foreignCancelled: 2,
        cancelRequests: { bulk: 3, single: 0 },
        problems: [],
      });
      expect(r.sendMs).toBeLessThanOrEqual(r.confirmMs);
      expect(sim.ledger().orders.filter((o) => o.status === "NEW")).toEqual([]);
      const ours = t.orders.ordersOf("b");
      expect(ours.every((o) => o.state === "cancelled")).toBe(true);
      expectStoreMatchesLedger(ours, sim);
      expect(sim.check()).toEqual([]);
    } finally {
      container.close();
    }
  });

  it("a refused or ambiguous bulk cancel and an order filled meanwhile fall back to per-order cancels and lookups; nothing is resent", async () => {
    const { sim, broker, home, rig, requests } = await setup();
    const { container } = await placeResting(rig, "f", 10);
    try {
      const t = container.trading();
      const ids = new Set(t.orders.ordersOf("f").map((o) => o.clientOrderId));
      // an order kairos did not send
      sim.placeManualOrder("ETHUSDT", "BUY", "LIMIT", "0.0100", "1000.00");
      // one of ours the exchange fills behind kairos's back (a buy far above the market, then a bar
      // closes): the store still says acknowledged
      const filled = t.orders.ordersOf("f").find((o) => o.symbol === "ETH/USDT")!;
      const eth = rig.rules.get("ETH/USDT")!;
      const fillPrice = (rig.ref("ETH/USDT") * 1.2).toFixed(2);
      const fillQty = (
        Math.ceil(10 / Number(fillPrice) / Number(eth.stepSize)) * Number(eth.stepSize)
      ).toFixed(4);
      const now = Date.now();
      const intent: OrderRecord = {
        ...filled,
        clientOrderId: "f-fills",
        decisionSeq: 2,
        leg: 0,
        qty: fillQty,
        limitPrice: fillPrice,
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      };
      delete (intent as { venueOrderId?: string }).venueOrderId;
      t.orders.recordDecision(
        { sessionId: "f", seq: 2, barTs: now, targets: {}, explanation: "fills", createdAt: now },
        [intent],
      );
      const { OrderLifecycle } = await import("../../src/execution/order-lifecycle.ts");
      await new OrderLifecycle({ store: t.orders, broker, clock: t.clock, sleep: t.sleep }).send("f-fills");
      sim.advance(HOUR);
      expect(sim.ledger().orders.find((o) => o.clientOrderId === "f-fills")?.status).toBe("FILLED");
      expect(t.orders.getOrder("f-fills")!.state).toBe("acknowledged");
      // forced on the next bulk cancels: a refusal (-2011, orders left open) and a 503 (processed or not)
      sim.faults.force("cancelAll", "reject", 1);
      sim.faults.force("cancelAll", "5xx", 1);
      const creates = requests.filter((x) => x === "POST /api/v3/order").length;
      const r = await killAll(
        { home, orders: t.orders, clock: t.clock, sleep: t.sleep, venueFor: () => broker },
        { by: "test" },
      );
      expect(r.stillOpen).toBe(0);
      expect(r.cancelRequests.bulk).toBe(3);
      expect(r.cancelRequests.single).toBeGreaterThanOrEqual(10);
      expect(r.problems.some((p) => /cancelling all open orders/.test(p))).toBe(true);
      // the kill never submits
      expect(requests.filter((x) => x === "POST /api/v3/order").length).toBe(creates);
      expect(sim.ledger().orders.filter((o) => o.status === "NEW")).toEqual([]);
      const ours = t.orders.ordersOf("f");
      expect(ours.filter((o) => ids.has(o.clientOrderId)).every((o) => o.state === "cancelled")).toBe(true);
      expect(t.orders.getOrder("f-fills")!.state).toBe("filled");
      expectStoreMatchesLedger(ours, sim);
      expect(sim.check()).toEqual([]);
    } finally {
      container.close();
    }
  });

  it("bulkCancel false sends one cancel per order (the bench's peer)", async () => {
    const { broker, home, rig, requests, sim } = await setup();
    const { container } = await placeResting(rig, "p", 5);
    try {
      const t = container.trading();
      const before = requests.length;
      const r = await killAll(
        { home, orders: t.orders, clock: t.clock, sleep: t.sleep, venueFor: () => broker, bulkCancel: false },
        { by: "test" },
      );
      expect(r).toMatchObject({ cancelled: 15, stillOpen: 0, cancelRequests: { bulk: 0, single: 15 } });
      expect(requests.slice(before).filter((x) => x === "DELETE /api/v3/order")).toHaveLength(15);
      expect(requests.slice(before).filter((x) => x === "DELETE /api/v3/openOrders")).toHaveLength(0);
      expectStoreMatchesLedger(t.orders.ordersOf("p"), sim);
    } finally {
      container.close();
    }
  });
});
