// Approvals on a live session (the simulated exchange speaking Binance's REST, real ccxt broker,
// keys from the environment): an agent proposes, a person approves, and the order reaches the
// exchange through the session's pre-trade gate and lifecycle, priced at the exchange's latest
// candle; the exchange's ledger holds exactly that order. A gate refusal at approval time (a
// limit lowered meanwhile) leaves the proposal failed and the exchange untouched.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { paperApprovalDeps } from "../../src/app/approval-paper.ts";
import { approve, type CallerIdentity, proposeOrder } from "../../src/app/approval-service.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import { createLiveSession, withLiveVenue } from "../../src/app/trade-live-venue.ts";
import { configOf, type TradingDeps } from "../../src/app/trade-runtime.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { TEST_LIMITS, writeTestLimits } from "../trading/trading-limits.ts";

const KEY = "kairosApprovalKey0123456789";
const SECRET = "kairosApprovalSecretDoNotPrint";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const agent: CallerIdentity = { kind: "agent", channel: "mcp", credentialId: "token:agent-live" };
const alice: CallerIdentity = { kind: "person", channel: "cli", credentialId: "os-user:alice" };
let home: string;
let c: Container;
let sim: SimExchange;
let deps: TradingDeps;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "kairos-live-approval-"));
  c = createContainer({ home });
  writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: String(3 * 3_600_000) });
  process.env.KAIROS_BINANCE_API_KEY = KEY;
  process.env.KAIROS_BINANCE_SECRET = SECRET;
  // real time: the price barely moves between the proposal and the approval
  sim = await startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "real", speed: 1 },
    start: btc.ts[600]! + 1_800_000,
    fees: { maker: 0.001, taker: 0.001 },
  });
  const d = c.trading();
  deps = { ...d, live: { ...d.live!, clock: "venue" } };
  const cfg = {
    strategy: "sma-cross",
    params: { fast: 3, slow: 8 },
    symbols: ["BTC/USDT"],
    timeframe: "1h" as const,
    capital: 1000,
    fee: 0.001,
    slippage: 0,
    reconcileEveryBars: 5,
    apiBase: sim.url,
  };
  const { CcxtBroker } = await import("../../src/adapters/ccxt/ccxt-broker.ts");
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
  try {
    await createLiveSession(deps, "lv1", cfg, "binance", broker);
  } finally {
    await broker.close();
  }
});
afterAll(async () => {
  await sim?.close();
  c?.close();
  delete process.env.KAIROS_BINANCE_API_KEY;
  delete process.env.KAIROS_BINANCE_SECRET;
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

describe("approvals on a live session", () => {
  it("a person's approval places exactly the proposed order on the exchange, through the gate", async () => {
    const a = paperApprovalDeps(deps);
    const p = await proposeOrder(a, agent, {
      sessionId: "lv1",
      symbol: "BTC/USDT",
      side: "buy",
      quantity: "0.002",
    });
    expect(p.order.venue).toBe(deps.orders.getSession("lv1")!.venue);
    expect(p.riskAccepted, JSON.stringify(p.riskChecks.filter((x) => !x.pass))).toBe(true);
    const r = await approve(a, alice, { id: p.id, orderHash: p.orderHash });
    expect(r.outcome, r.reason).toBe("placed");
    const ours = deps.orders.ordersOf("lv1");
    expect(ours.map((o) => [o.clientOrderId, o.side, o.qty, o.type])).toEqual([
      [r.clientOrderId, "buy", "0.002", "market"],
    ]);
    const venue = sim.ledger().orders.filter((o) => o.external !== true);
    expect(venue.map((o) => o.clientOrderId)).toEqual([r.clientOrderId]);
  });

  it("a limit lowered after the proposal: the gate refuses at approval, nothing reaches the exchange", async () => {
    const a = paperApprovalDeps(deps);
    const p = await proposeOrder(a, agent, {
      sessionId: "lv1",
      symbol: "BTC/USDT",
      side: "buy",
      quantity: "0.002",
    });
    setRisk({ home, now: () => Date.now() }, { key: "maxOrderValue", value: "10", by: "alice" });
    const before = sim.ledger().orders.length;
    const r = await approve(a, alice, { id: p.id });
    expect(r.outcome).toBe("refused");
    expect(r.state).toBe("failed");
    expect(r.reason).toMatch(/refused by the risk gate \(order-value/);
    expect(sim.ledger().orders.length).toBe(before);
    // the same venue as the session's, with its keys, is what withLiveVenue reaches
    await withLiveVenue(deps, configOf(deps.orders.getSession("lv1")!), async (v) => {
      expect(v.broker.venue).toBe(deps.orders.getSession("lv1")!.venue);
    });
  });
});
