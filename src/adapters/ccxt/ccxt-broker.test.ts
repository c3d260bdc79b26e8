// CcxtBroker through ccxt's real binance class (its signing, parsing and error mapping) pointed at
// the simulated exchange
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { describeBrokerContract } from "../../../test/support/broker-contract.ts";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import type { BrokerEvent } from "../../ports/broker.ts";
import type { Matcher } from "../sim-exchange/matcher.ts";
import { type SimExchange, type SimExchangeOptions, startSimExchange } from "../sim-exchange/server.ts";
import { addDecimal, CcxtBroker, decimal } from "./ccxt-broker.ts";

const KEY = "broker-key";
const SECRET = "broker-secret";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const resting = (): Matcher => ({ submit() {}, cancel() {}, closeBar: () => ({ fills: [], expired: [] }) });

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(
  o: Partial<SimExchangeOptions> = {},
  secret = SECRET,
): Promise<{ sim: SimExchange; broker: CcxtBroker }> {
  const sim = await startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    matcher: resting,
    clock: { kind: "manual" },
    hangMs: 300,
    ...o,
  });
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret, apiBase: sim.url, timeoutMs: 10_000 });
  open.push(broker, sim);
  return { sim, broker };
}

const limit = (clientOrderId: string, price = "20000", quantity = "0.01") =>
  ({ clientOrderId, symbol: "BTC/USDT", side: "buy", type: "limit", quantity, price }) as const;

describe("CcxtBroker against the simulated exchange", () => {
  it("submits, looks up by client id, lists, cancels and reports balances, rules, time and permissions", async () => {
    const { sim, broker } = await setup();
    const placed = await broker.submit(limit("k-1"));
    expect(placed).toMatchObject({
      kind: "accepted",
      order: { clientOrderId: "k-1", status: "open", quantity: "0.01", price: "20000" },
    });
    expect(await broker.lookup("BTC/USDT", "k-1")).toMatchObject({ status: "open", filledQuantity: "0" });
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(["k-1"]);
    expect(await broker.balances()).toEqual([{ asset: "USDT", free: "9799.8", locked: "200.2" }]);
    expect(await broker.cancel("BTC/USDT", "k-1")).toMatchObject({
      kind: "cancelled",
      order: { status: "cancelled" },
    });
    expect((await broker.cancel("BTC/USDT", "k-1")).kind).toBe("not-open");
    expect(await broker.lookup("BTC/USDT", "never-sent")).toBeUndefined();
    expect(await broker.openOrders("BTC/USDT")).toEqual([]);
    expect(await broker.positions(["BTC/USDT"])).toEqual([{ symbol: "BTC/USDT", quantity: "0" }]);
    expect(await broker.serverTime()).toBe(sim.now());
    expect(await broker.marketRules("BTC/USDT")).toMatchObject({
      symbol: "BTC/USDT",
      base: "BTC",
      quote: "USDT",
      marketType: "spot",
      tickSize: "0.01",
      minNotional: "5",
    });
    expect(await broker.permissions()).toEqual({ canTrade: true, canWithdraw: false });
    await expect(broker.marketRules("NOPE/USDT")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(sim.check()).toEqual([]);
  });

  it("a resend with the same client id never doubles the order", async () => {
    const { sim, broker } = await setup();
    expect((await broker.submit(limit("k-2"))).kind).toBe("accepted");
    expect(await broker.submit(limit("k-2"))).toMatchObject({
      kind: "rejected",
      code: "duplicate-client-order-id",
    });
    expect(sim.ledger().orders).toHaveLength(1);
  });

  it("maps the venue's refusals to rejections with their reason", async () => {
    const { sim, broker } = await setup();
    expect(await broker.submit(limit("r-1", "20000", "1"))).toMatchObject({
      kind: "rejected",
      code: "insufficient-funds",
    });
    expect(await broker.submit(limit("r-2", "100", "0.01"))).toMatchObject({
      kind: "rejected",
      code: "filter-failure",
    });
    sim.faults.force("create", "reject");
    expect(await broker.submit(limit("r-3"))).toMatchObject({ kind: "rejected", code: "insufficient-funds" });
    expect(sim.ledger().orders).toHaveLength(0);
  });

  it("a bad signature is refused and nothing is placed", async () => {
    const { sim, broker } = await setup({}, "wrong-secret");
    const r = await broker.submit(limit("s-1"));
    expect(r.kind).toBe("rejected");
    expect(r.kind === "rejected" && r.message).toMatch(/Signature for this request is not valid/);
    await expect(broker.balances()).rejects.toMatchObject({ message: expect.stringMatching(/Signature/) });
    expect(sim.ledger().orders).toHaveLength(0);
  });

  it("a timeout or 5xx is ambiguous, never a failure, and the lookup tells what happened", async () => {
    const { sim, broker } = await setup();
    sim.faults.force("create", "timeout-after");
    expect((await broker.submit(limit("a-1"))).kind).toBe("ambiguous");
    expect(await broker.lookup("BTC/USDT", "a-1")).toMatchObject({ clientOrderId: "a-1", status: "open" });
    sim.faults.force("create", "timeout-before");
    expect((await broker.submit(limit("a-2"))).kind).toBe("ambiguous");
    expect(await broker.lookup("BTC/USDT", "a-2")).toBeUndefined();
    for (const cid of ["a-3", "a-4", "a-5", "a-6"]) {
      sim.faults.force("create", "5xx");
      expect((await broker.submit(limit(cid))).kind).toBe("ambiguous");
      const inLedger = sim.ledger().orders.some((o) => o.clientOrderId === cid);
      expect((await broker.lookup("BTC/USDT", cid)) !== undefined).toBe(inLedger);
      // the resend under the same id is either the first acceptance or a duplicate: never two orders
      const again = await broker.submit(limit(cid));
      expect(
        again.kind === "accepted" ||
          (again.kind === "rejected" && again.code === "duplicate-client-order-id"),
      ).toBe(true);
    }
    expect(new Set(sim.ledger().orders.map((o) => o.clientOrderId)).size).toBe(sim.ledger().orders.length);
  });

  it("a refused cancel leaves the order open and a lookup that misses finds it on the next try", async () => {
    const { sim, broker } = await setup();
    expect((await broker.submit(limit("x-1"))).kind).toBe("accepted");
    sim.faults.force("cancel", "reject");
    expect((await broker.cancel("BTC/USDT", "x-1")).kind).toBe("not-open");
    expect(await broker.lookup("BTC/USDT", "x-1")).toMatchObject({ status: "open" });
    sim.faults.force("query", "reject");
    expect(await broker.lookup("BTC/USDT", "x-1")).toBeUndefined();
    expect(await broker.lookup("BTC/USDT", "x-1")).toMatchObject({ status: "open" });
    // a resend after the miss is refused as a duplicate: still one order
    expect(await broker.submit(limit("x-1"))).toMatchObject({
      kind: "rejected",
      code: "duplicate-client-order-id",
    });
    expect((await broker.cancel("BTC/USDT", "x-1")).kind).toBe("cancelled");
    expect(sim.ledger().orders).toHaveLength(1);
  });

  it("a 429 is throttled with the venue's Retry-After; nothing is placed", async () => {
    const { sim, broker } = await setup({ banMs: 0 });
    sim.faults.force("create", "429");
    const r = await broker.submit(limit("t-1"));
    expect(r).toMatchObject({ kind: "throttled" });
    expect(r.kind === "throttled" && r.retryAfterMs).toBeGreaterThan(0);
    expect(sim.ledger().orders).toHaveLength(0);
  });

  it("keeps the signature and the secret out of error messages", async () => {
    const { sim, broker } = await setup();
    await broker.marketRules("BTC/USDT");
    sim.faults.force("account", "timeout-before");
    const err = await broker.balances().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: "EXCHANGE_UNAVAILABLE" });
    sim.faults.force("create", "timeout-after");
    const r = await broker.submit(limit("sec-1"));
    for (const text of [
      err!.message,
      JSON.stringify(r),
      String((err as Error & { cause?: unknown }).cause ?? ""),
    ]) {
      expect(text).not.toMatch(/signature=[0-9a-f]{8}/);
      expect(text).not.toContain(SECRET);
    }
  });

  it("a time-scaled Retry-After below a second is honoured to the millisecond, and the wait is enough", async () => {
    const { sim, broker } = await setup({ retryAfterMs: 50 });
    sim.faults.force("create", "429");
    const r = await broker.submit(limit("t-2"));
    expect(r).toMatchObject({ kind: "throttled", retryAfterMs: 50 });
    await new Promise((w) => setTimeout(w, 50));
    expect((await broker.submit(limit("t-2"))).kind).toBe("accepted");
    expect(sim.statusCounts.get(418)).toBeUndefined();
  });

  it("reports a key that can withdraw", async () => {
    const { broker } = await setup({ apiKey: { key: KEY, secret: SECRET, canWithdraw: true } });
    expect(await broker.permissions()).toEqual({ canTrade: true, canWithdraw: true });
  });
});

describe("CcxtBroker user-data stream (Binance listenKey) from the simulated exchange", () => {
  it("pushes order changes, fills and balances that agree with what polling reads", async () => {
    const start = 600;
    const sim = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET },
      clock: { kind: "manual" },
      start: btc.ts[start]!,
    });
    const broker = new CcxtBroker("binance", {
      apiKey: KEY,
      secret: SECRET,
      apiBase: sim.url,
      timeoutMs: 10_000,
    });
    open.push(broker, sim);
    const events: BrokerEvent[] = [];
    const stop = await broker.subscribe!((e) => events.push(e));
    expect(
      (
        await broker.submit({
          clientOrderId: "w-1",
          symbol: "BTC/USDT",
          side: "buy",
          type: "market",
          quantity: "0.01",
        })
      ).kind,
    ).toBe("accepted");
    sim.advance(3_600_000);
    await expect.poll(() => events.filter((e) => e.kind === "fill").length, { timeout: 10_000 }).toBe(1);
    // the fill's balances are a frame of their own, pushed after its executionReport: wait for them too
    await expect
      .poll(
        () => events.findLastIndex((e) => e.kind === "balances") > events.findIndex((e) => e.kind === "fill"),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    const pushed = events.find((e) => e.kind === "fill");
    const [polled] = await broker.fillsSince("BTC/USDT", 0);
    expect(pushed?.kind === "fill" && pushed.fill).toEqual({ ...polled, clientOrderId: "w-1" });
    const orders = events.flatMap((e) => (e.kind === "order" ? [e.order] : []));
    expect(orders.map((o) => o.status)).toEqual(["open", "filled"]);
    expect(orders[1]).toMatchObject({ clientOrderId: "w-1", symbol: "BTC/USDT", filledQuantity: "0.01" });
    const lastBalances = events.filter((e) => e.kind === "balances").at(-1);
    expect(lastBalances?.kind === "balances" && lastBalances.balances.map((b) => b.asset).sort()).toEqual([
      "BTC",
      "USDT",
    ]);
    await stop();
    expect(events.some((e) => e.kind === "disconnected")).toBe(false);
  });

  it("reports a dropped stream as disconnected", async () => {
    const { broker } = await setup({ faults: "ws:disconnect=1" });
    const events: BrokerEvent[] = [];
    const stop = await broker.subscribe!((e) => events.push(e));
    await broker.submit(limit("w-2"));
    await expect.poll(() => events.some((e) => e.kind === "disconnected"), { timeout: 10_000 }).toBe(true);
    await stop();
  });
});

describe("intent committed before send, checked by the exchange (R2's hook)", () => {
  it("the exchange sees, from its own SQLite connection, every client id committed before the create arrived", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-intent-"));
    const writer = new Database(join(dir, "orders.db"));
    writer.pragma("journal_mode = WAL");
    writer.pragma("synchronous = FULL");
    writer.exec("CREATE TABLE intents (client_order_id TEXT PRIMARY KEY)");
    const reader = new Database(join(dir, "orders.db"), { readonly: true });
    const seen = reader.prepare("SELECT 1 FROM intents WHERE client_order_id = ?");
    const { broker, sim } = await setup({ verifyIntent: (cid) => seen.get(cid) !== undefined });
    try {
      const add = writer.prepare("INSERT INTO intents VALUES (?)");
      for (let i = 0; i < 20; i++) {
        add.run(`i-${i}`);
        expect((await broker.submit(limit(`i-${i}`, "20000", "0.001"))).kind).toBe("accepted");
      }
      // a client that sends first and commits afterwards is caught
      await broker.submit(limit("late-1", "20000", "0.001"));
      add.run("late-1");
      expect(sim.intentChecks).toEqual({ checked: 21, committed: 20, missing: ["late-1"] });
    } finally {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("decimal strings", () => {
  it("writes ccxt numbers without exponents and adds exactly", () => {
    expect([decimal(1e-8), decimal(0.00123), decimal(1.5e21), decimal(12)]).toEqual([
      "0.00000001",
      "0.00123",
      "1500000000000000000000",
      "12",
    ]);
    expect(addDecimal("0.1", "0.2")).toBe("0.3");
    expect(addDecimal("9799.8", "200.2")).toBe("10000");
    expect(addDecimal("-0.5", "0.25")).toBe("-0.25");
  });
});

describeBrokerContract("CcxtBroker (ccxt binance) against the simulated exchange", async () => {
  const start = 600;
  const sim = await startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "manual" },
    start: btc.ts[start]!,
  });
  const broker = new CcxtBroker("binance", {
    apiKey: KEY,
    secret: SECRET,
    apiBase: sim.url,
    timeoutMs: 10_000,
  });
  let bar = start;
  return {
    broker,
    symbol: "BTC/USDT",
    base: "BTC",
    quote: "USDT",
    refPrice: () => btc.close[bar - 1]!,
    closeBar: async () => {
      sim.advance(3_600_000);
      bar++;
    },
    close: async () => {
      await broker.close();
      await sim.close();
    },
  };
});
