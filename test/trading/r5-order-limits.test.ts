// R5 orders: Binance's unfilled-order limit (exchangeInfo rateLimits ORDERS, 100 per 10 s and
// 200,000 per day; the simulated exchange enforces it with 429 / -1015 "Too many new orders").
// A strategy asks for more new orders at once than two time-scaled windows allow; through
// CcxtBroker's gate every order is deferred, none refused and none lost: 0 -1015, each window's new
// orders <= 90% of its limit, every order on the exchange's books. The same burst without the gate
// is refused with -1015, so the exchange does enforce the limit the gate keeps under.
import { afterEach, describe, expect, it } from "vitest";
import { binanceNewOrders, binanceRequestWeight } from "../../src/adapters/ccxt/request-weight-gate.ts";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

// Binance's 10 s window scaled to 1 s, and a longer window standing in for the day
const LIMITS = [
  { limit: 20, windowMs: 1000 },
  { limit: 50, windowMs: 3000 },
];
const ASKED = 120; // 6x the short window's limit, 2.4x the long one's, in one burst

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function burst(sim: SimExchange, gated: boolean) {
  const broker = bundledSimBroker(sim, gated ? {} : { requestWeight: false });
  open.push(broker);
  await broker.marketRules("BTC/USDT"); // markets (and the declared limits) first, as a session does
  // resting limit buys far below the market: none fills, so every one stays in the unfilled count
  const outcomes = await Promise.all(
    Array.from({ length: ASKED }, (_, i) =>
      broker.submit({
        clientOrderId: `ol-${gated ? "g" : "n"}-${i}`,
        symbol: "BTC/USDT",
        side: "buy",
        type: "limit",
        quantity: "0.01",
        price: "1000",
      }),
    ),
  );
  return { broker, outcomes };
}

describe("R5 orders: the unfilled-order limit", () => {
  it("more new orders than two windows allow: all deferred, 0 -1015, <= 90% of each limit per window, none lost", async () => {
    const sim = await startBundledSimExchange({ orderLimits: LIMITS });
    open.push(sim);
    const t0 = Date.now();
    const { broker, outcomes } = await burst(sim, true);
    const use = sim.orderLimits();
    const placed = sim.ledger().orders.filter((o) => String(o.clientOrderId).startsWith("ol-g-"));
    console.log(
      `R5 orders: asked ${ASKED} at once; accepted ${outcomes.filter((o) => o.kind === "accepted").length}, on the books ${placed.length}; per window ${JSON.stringify(use)}; 429s ${sim.statusCounts.get(429) ?? 0}; ${Date.now() - t0} ms`,
    );
    // the gate took the limits from exchangeInfo
    expect(broker.weightGate?.orderWindows).toEqual([
      { limit: 20, windowMs: 1000, cap: 18 },
      { limit: 50, windowMs: 3000, cap: 45 },
    ]);
    expect(outcomes.every((o) => o.kind === "accepted")).toBe(true);
    expect(placed.length).toBe(ASKED);
    expect(new Set(placed.map((o) => o.clientOrderId)).size).toBe(ASKED);
    expect(use.map((u) => u.refused)).toEqual([0, 0]);
    expect(sim.statusCounts.get(429) ?? 0).toBe(0);
    expect(broker.weightGate?.stats.orderLimited).toBe(0);
    expect(broker.weightGate?.stats.orders).toBe(ASKED);
    expect(use[0]!.maxPlaced).toBeLessThanOrEqual(18);
    expect(use[1]!.maxPlaced).toBeLessThanOrEqual(45);
    // the budget is used, not merely obeyed
    expect(use[1]!.maxPlaced).toBeGreaterThanOrEqual(30);
  }, 60_000);

  it("the same burst without the gate is refused with 429 / -1015 by the exchange", async () => {
    const sim = await startBundledSimExchange({ orderLimits: LIMITS });
    open.push(sim);
    const { outcomes } = await burst(sim, false);
    const refused = sim.orderLimits().reduce((s, u) => s + u.refused, 0);
    expect(refused).toBeGreaterThan(0);
    expect(sim.statusCounts.get(429)).toBe(refused);
    expect(outcomes.some((o) => o.kind !== "accepted")).toBe(true);
    // what the exchange accepted never passed a limit
    expect(sim.orderLimits().map((u) => u.maxCount <= u.limit)).toEqual([true, true]);
  }, 60_000);

  it("charges Binance's documented request weights (developers.binance.com, spot REST)", () => {
    const b = "https://api.binance.com";
    const cases: [string, string, number][] = [
      ["DELETE", `${b}/api/v3/openOrders?symbol=BTCUSDT`, 1],
      ["GET", `${b}/api/v3/openOrders?symbol=BTCUSDT`, 6],
      ["GET", `${b}/api/v3/openOrders`, 80],
      ["POST", `${b}/api/v3/order`, 1],
      ["DELETE", `${b}/api/v3/order?symbol=BTCUSDT`, 1],
      ["GET", `${b}/api/v3/order?symbol=BTCUSDT`, 4],
      ["GET", `${b}/api/v3/myTrades?symbol=BTCUSDT`, 20],
      ["GET", `${b}/api/v3/myTrades?symbol=BTCUSDT&orderId=7`, 5],
      ["GET", `${b}/api/v3/allOrders?symbol=BTCUSDT`, 20],
      ["GET", `${b}/api/v3/account`, 20],
      ["GET", `${b}/api/v3/exchangeInfo`, 20],
      ["GET", `${b}/api/v3/klines?symbol=BTCUSDT&interval=1m`, 2],
      ["GET", `${b}/api/v3/time`, 1],
    ];
    expect(cases.map(([m, u]) => binanceRequestWeight(m, u))).toEqual(cases.map((c) => c[2]));
    expect(binanceNewOrders("POST", `${b}/api/v3/order`)).toBe(1);
    expect(binanceNewOrders("POST", `${b}/api/v3/order/test`)).toBe(0);
    expect(binanceNewOrders("DELETE", `${b}/api/v3/order`)).toBe(0);
  });
});
