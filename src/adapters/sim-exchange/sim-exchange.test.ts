// The simulated exchange over raw HTTP and WebSocket, signed the way Binance documents
// (HMAC-SHA256 of query + body): protocol, auth, filters, idempotency, rate limits, seeded faults
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import type { Matcher } from "./matcher.ts";
import { type SimExchange, type SimExchangeOptions, startSimExchange } from "./server.ts";

const KEY = "test-key-0001";
const SECRET = "test-secret-0001";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");

// protocol tests need a venue where nothing trades: orders rest until cancelled
const resting = (): Matcher => ({ submit() {}, cancel() {}, closeBar: () => ({ fills: [], expired: [] }) });

const opened: SimExchange[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function sim(o: Partial<SimExchangeOptions> = {}): Promise<SimExchange> {
  const s = await startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    matcher: resting,
    clock: { kind: "manual" },
    ...o,
  });
  opened.push(s);
  return s;
}

interface Call {
  status: number;
  body: { code?: number; msg?: string } & Record<string, unknown>;
  headers: Headers;
}

async function call(
  s: SimExchange,
  method: string,
  path: string,
  params: Record<string, string> = {},
  o: { secret?: string; key?: string | null; timestamp?: number; sign?: boolean } = {},
): Promise<Call> {
  const q = new URLSearchParams({ ...params, timestamp: String(o.timestamp ?? Date.now()) });
  let query = q.toString();
  if (o.sign !== false)
    query += `&signature=${createHmac("sha256", o.secret ?? SECRET)
      .update(query)
      .digest("hex")}`;
  const headers: Record<string, string> = {};
  if (o.key !== null) headers["X-MBX-APIKEY"] = o.key ?? KEY;
  const post = method === "POST";
  const res = await fetch(`${s.url}${path}${post ? "" : `?${query}`}`, {
    method,
    headers: post ? { ...headers, "content-type": "application/x-www-form-urlencoded" } : headers,
    ...(post ? { body: query } : {}),
  });
  return { status: res.status, body: (await res.json()) as Call["body"], headers: res.headers };
}

const limitBuy = (cid: string, price = "20000.00", quantity = "0.01000") => ({
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity,
  price,
  newClientOrderId: cid,
});

describe("simulated exchange: authentication", () => {
  it("accepts a correctly signed request and refuses a bad signature, a wrong or missing key and a stale timestamp", async () => {
    const s = await sim();
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
    const bad = await call(s, "GET", "/api/v3/account", {}, { secret: "not-the-secret" });
    expect([bad.status, bad.body.code, bad.body.msg]).toEqual([
      400,
      -1022,
      "Signature for this request is not valid.",
    ]);
    expect((await call(s, "GET", "/api/v3/account", {}, { key: "other-key" })).body.code).toBe(-2015);
    expect((await call(s, "GET", "/api/v3/account", {}, { key: null })).body.code).toBe(-2014);
    expect((await call(s, "GET", "/api/v3/account", {}, { sign: false })).body.code).toBe(-1102);
    const stale = await call(s, "GET", "/api/v3/account", {}, { timestamp: Date.now() - 6000 });
    expect(stale.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    // a refused create leaves nothing behind
    await call(s, "POST", "/api/v3/order", limitBuy("a1"), { secret: "not-the-secret" });
    expect(s.ledger().orders).toHaveLength(0);
  });

  it("reports the key's permissions, including withdrawals", async () => {
    const a = await sim();
    expect((await call(a, "GET", "/api/v3/account")).body).toMatchObject({
      canTrade: true,
      canWithdraw: false,
    });
    const b = await sim({ apiKey: { key: KEY, secret: SECRET, canWithdraw: true } });
    expect((await call(b, "GET", "/api/v3/account")).body).toMatchObject({ canWithdraw: true });
    expect((await call(b, "GET", "/sapi/v1/account/apiRestrictions")).body).toMatchObject({
      enableWithdrawals: true,
    });
  });
});

describe("simulated exchange: orders", () => {
  it("creates, finds by client id, refuses a duplicate client id, cancels once", async () => {
    const s = await sim();
    const created = await call(s, "POST", "/api/v3/order", limitBuy("kairos-1"));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ clientOrderId: "kairos-1", status: "NEW", origQty: "0.01000000" });
    const dup = await call(s, "POST", "/api/v3/order", limitBuy("kairos-1"));
    expect(dup.body).toEqual({ code: -2010, msg: "Duplicate order sent." });
    const found = await call(s, "GET", "/api/v3/order", { symbol: "BTCUSDT", origClientOrderId: "kairos-1" });
    expect(found.body).toMatchObject({ orderId: created.body.orderId, status: "NEW" });
    expect((await call(s, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" })).body).toHaveLength(1);
    // the reservation: 0.01 x 20000 plus the 0.1% fee
    expect(s.ledger().balances.USDT).toEqual({ free: "9799.80000000", locked: "200.20000000" });
    const cancelled = await call(s, "DELETE", "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: "kairos-1",
    });
    expect(cancelled.body).toMatchObject({ status: "CANCELED", origClientOrderId: "kairos-1" });
    expect(
      (await call(s, "DELETE", "/api/v3/order", { symbol: "BTCUSDT", origClientOrderId: "kairos-1" })).body,
    ).toEqual({
      code: -2011,
      msg: "Unknown order sent.",
    });
    expect(
      (await call(s, "GET", "/api/v3/order", { symbol: "BTCUSDT", origClientOrderId: "nope" })).body,
    ).toEqual({
      code: -2013,
      msg: "Order does not exist.",
    });
    expect(s.ledger().balances.USDT).toEqual({ free: "10000.00000000", locked: "0.00000000" });
    expect((await call(s, "GET", "/api/v3/allOrders", { symbol: "BTCUSDT" })).body).toHaveLength(1);
    expect(s.check()).toEqual([]);
  });

  it("DELETE /api/v3/openOrders cancels every open order of one market, lists them and streams each cancel; symbol required", async () => {
    const s = await sim({ series: [btc, loadBundledSeries("binance", "ETH/USDT", "1h")], retryAfterMs: 20 });
    const res = await fetch(`${s.url}/api/v3/userDataStream`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const ws = new WebSocket(`${s.wsUrl}/${((await res.json()) as { listenKey: string }).listenKey}`);
    await new Promise<void>((ok, bad) => {
      ws.once("open", () => ok());
      ws.once("error", bad);
    });
    const reports: { x: string; c: string }[] = [];
    ws.on("message", (m) => {
      const e = JSON.parse(String(m)) as { e: string; x: string; c: string };
      if (e.e === "executionReport") reports.push({ x: e.x, c: e.c });
    });
    for (const [i, price] of ["20000.00", "19999.00", "19998.00"].entries())
      expect((await call(s, "POST", "/api/v3/order", limitBuy(`bulk-${i}`, price))).status).toBe(200);
    const eth = { ...limitBuy("eth-1", "1000.00", "0.0100"), symbol: "ETHUSDT" };
    expect((await call(s, "POST", "/api/v3/order", eth)).status).toBe(200);
    // Binance's words for a missing or unknown symbol and an unsigned request; nothing is cancelled
    expect((await call(s, "DELETE", "/api/v3/openOrders")).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    expect((await call(s, "DELETE", "/api/v3/openOrders", { symbol: "NOPEUSDT" })).body).toEqual({
      code: -1121,
      msg: "Invalid symbol.",
    });
    expect(
      (await call(s, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" }, { sign: false })).status,
    ).toBe(400);
    // a refused bulk cancel (seeded or forced fault) leaves every order open
    s.faults.force("cancelAll", "reject");
    expect((await call(s, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" })).body).toEqual({
      code: -2011,
      msg: "Unknown order sent.",
    });
    s.faults.force("cancelAll", "429");
    expect((await call(s, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" })).status).toBe(429);
    await new Promise((w) => setTimeout(w, 40));
    expect((await call(s, "GET", "/api/v3/openOrders", { symbol: "BTCUSDT" })).body).toHaveLength(3);
    const bulk = await call(s, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" });
    expect(bulk.status).toBe(200);
    const rows = bulk.body as unknown as Record<string, unknown>[];
    expect(rows.map((r) => [r.origClientOrderId, r.status, r.symbol, r.executedQty])).toEqual([
      ["bulk-0", "CANCELED", "BTCUSDT", "0.00000000"],
      ["bulk-1", "CANCELED", "BTCUSDT", "0.00000000"],
      ["bulk-2", "CANCELED", "BTCUSDT", "0.00000000"],
    ]);
    expect(Object.keys(rows[0]!).sort()).toEqual(
      [
        "symbol",
        "origClientOrderId",
        "orderId",
        "orderListId",
        "clientOrderId",
        "transactTime",
        "price",
        "origQty",
        "executedQty",
        "cummulativeQuoteQty",
        "status",
        "timeInForce",
        "type",
        "side",
        "selfTradePreventionMode",
      ].sort(),
    );
    // the other market is untouched; the reserves of the cancelled orders are released
    expect((await call(s, "GET", "/api/v3/openOrders")).body).toMatchObject([{ clientOrderId: "eth-1" }]);
    expect(s.ledger().orders.filter((o) => o.status === "CANCELED")).toHaveLength(3);
    expect(s.check()).toEqual([]);
    // none left on the market: -2011, as Binance answers
    expect((await call(s, "DELETE", "/api/v3/openOrders", { symbol: "BTCUSDT" })).body).toEqual({
      code: -2011,
      msg: "Unknown order sent.",
    });
    await expect.poll(() => reports.filter((r) => r.x === "CANCELED").length).toBe(3);
    expect(reports.filter((r) => r.x === "CANCELED").map((r) => r.c)).toEqual(["bulk-0", "bulk-1", "bulk-2"]);
    ws.close();
  });

  it("applies PRICE_FILTER, LOT_SIZE, NOTIONAL and the balance in Binance's words", async () => {
    const s = await sim();
    const info = (await call(s, "GET", "/api/v3/exchangeInfo")).body as {
      symbols: { filters: { filterType: string }[] }[];
    };
    expect(info.symbols[0]!.filters.map((f) => f.filterType)).toEqual([
      "PRICE_FILTER",
      "LOT_SIZE",
      "NOTIONAL",
    ]);
    const msg = async (p: Record<string, string>) => (await call(s, "POST", "/api/v3/order", p)).body;
    expect(await msg(limitBuy("f1", "20000.001"))).toEqual({
      code: -1013,
      msg: "Filter failure: PRICE_FILTER",
    });
    expect(await msg(limitBuy("f2", "20000", "0.0100005"))).toEqual({
      code: -1013,
      msg: "Filter failure: LOT_SIZE",
    });
    expect(await msg(limitBuy("f3", "100", "0.01"))).toEqual({
      code: -1013,
      msg: "Filter failure: NOTIONAL",
    });
    expect(await msg(limitBuy("f4", "20000", "1"))).toEqual({
      code: -2010,
      msg: "Account has insufficient balance for requested action.",
    });
    expect(await msg({ ...limitBuy("bad id!"), newClientOrderId: "bad id!" })).toMatchObject({ code: -1100 });
    expect(s.ledger().orders).toHaveLength(0);
  });

  it("asks the caller at each create whether the client order id is already committed", async () => {
    const committed = new Set(["c-1"]);
    const s = await sim({ verifyIntent: (cid) => committed.has(cid) });
    await call(s, "POST", "/api/v3/order", limitBuy("c-1"));
    await call(s, "POST", "/api/v3/order", limitBuy("c-2"));
    expect(s.intentChecks).toEqual({ checked: 2, committed: 1, missing: ["c-2"] });
  });

  it("refuses a request body past 64 KiB without buffering it", async () => {
    const s = await sim();
    const r = await fetch(`${s.url}/api/v3/order`, { method: "POST", body: "x".repeat(200_000) }).catch(
      () => undefined,
    );
    // the server answers 413 and drops the connection; a client may see either
    if (r !== undefined) expect(r.status).toBe(413);
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
  });

  it("serves the ledger at /sim/ledger only when asked to", async () => {
    expect((await fetch(`${(await sim()).url}/sim/ledger`)).status).toBe(404);
    const s = await sim({ ledgerRoute: true });
    const body = (await (await fetch(`${s.url}/sim/ledger`)).json()) as { initial: unknown };
    expect(body.initial).toEqual({ USDT: "10000.00000000" });
  });
});

describe("simulated exchange: limits and faults", () => {
  it("answers 429 with Retry-After over the weight limit, then bans (418) a client that ignores it", async () => {
    const s = await sim({ weightLimit: 50 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await call(s, "GET", "/api/v3/account");
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get("retry-after");
    }
    expect(statuses).toEqual([200, 200, 429, 418]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // weight is counted for what was served (20 per account call), reported per window
    expect(s.weight()).toMatchObject({ limit: 50, windows: [{ used: 40 }] });
  });

  it("states the weight window it really counts in: exchangeInfo and the used-weight header name it", async () => {
    const rl = async (s: SimExchange) => {
      const r = await call(s, "GET", "/api/v3/exchangeInfo");
      const info = r.body as {
        rateLimits: { rateLimitType: string; interval: string; intervalNum: number }[];
      };
      const w = info.rateLimits.find((x) => x.rateLimitType === "REQUEST_WEIGHT")!;
      const used = [...r.headers.keys()].filter((k) => /^x-mbx-used-weight-/.test(k));
      return { interval: w.interval, intervalNum: w.intervalNum, used };
    };
    expect(await rl(await sim())).toEqual({
      interval: "MINUTE",
      intervalNum: 1,
      used: ["x-mbx-used-weight-1m"],
    });
    // Binance's minute at 60x
    expect(await rl(await sim({ weightWindowMs: 1000 }))).toEqual({
      interval: "SECOND",
      intervalNum: 1,
      used: ["x-mbx-used-weight-1s"],
    });
    expect(await rl(await sim({ weightWindowMs: 10_000 }))).toEqual({
      interval: "SECOND",
      intervalNum: 10,
      used: ["x-mbx-used-weight-10s"],
    });
    await expect(sim({ weightWindowMs: 1500 })).rejects.toThrow(/not a whole number of seconds/);
  });

  it("a client that waits out the Retry-After is served again, and windows reset the weight", async () => {
    const s = await sim({ weightLimit: 30, weightWindowMs: 1000 });
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
    const r = await call(s, "GET", "/api/v3/account");
    expect(r.status).toBe(429);
    await new Promise((w) => setTimeout(w, Number(r.headers.get("retry-after")) * 1000));
    expect((await call(s, "GET", "/api/v3/account")).status).toBe(200);
    expect(s.weight().windows.map((w) => w.used)).toEqual([20, 20]);
  });

  it("draws the same faults for the same seed, per endpoint", async () => {
    const spec = "account:429=0.1,account:5xx=0.2,time:5xx=0.5";
    const run = async (seed: number): Promise<number[]> => {
      const s = await sim({ seed, faults: spec, banMs: 0 });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await call(s, "GET", i % 3 === 0 ? "/api/v3/time" : "/api/v3/account");
        out.push(r.status);
        if (r.status === 429) await new Promise((w) => setTimeout(w, 1));
      }
      return out;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(a.some((x) => x === 503)).toBe(true);
  });
});

describe("simulated exchange: user-data stream", () => {
  it("pushes executionReport and outboundAccountPosition to the listenKey stream", async () => {
    const s = await sim();
    const res = await fetch(`${s.url}/api/v3/userDataStream`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const { listenKey } = (await res.json()) as { listenKey: string };
    const ws = new WebSocket(`${s.wsUrl}/${listenKey}`);
    const got: { e: string; x?: string; c?: string }[] = [];
    await new Promise<void>((ok, bad) => {
      ws.once("open", () => ok());
      ws.once("error", bad);
    });
    ws.on("message", (m) => got.push(JSON.parse(String(m))));
    await call(s, "POST", "/api/v3/order", limitBuy("ws-1"));
    await call(s, "DELETE", "/api/v3/order", { symbol: "BTCUSDT", origClientOrderId: "ws-1" });
    await expect.poll(() => got.length).toBeGreaterThanOrEqual(4);
    expect(got.filter((e) => e.e === "executionReport").map((e) => [e.x, e.c])).toEqual([
      ["NEW", "ws-1"],
      ["CANCELED", "ws-1"],
    ]);
    expect(got.some((e) => e.e === "outboundAccountPosition")).toBe(true);
    ws.close();
  });
});

describe("simulated exchange: stream faults and kline streams", () => {
  async function userStream(s: SimExchange): Promise<{ ws: WebSocket; got: string[] }> {
    const res = await fetch(`${s.url}/api/v3/userDataStream`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const { listenKey } = (await res.json()) as { listenKey: string };
    const ws = new WebSocket(`${s.wsUrl}/${listenKey}`);
    const got: string[] = [];
    ws.on("message", (m) => got.push(String(m)));
    await new Promise<void>((ok, bad) => {
      ws.once("open", () => ok());
      ws.once("error", bad);
    });
    return { ws, got };
  }

  it("drops, duplicates and reorders events as the seed says, the same way every time", async () => {
    const run = async (): Promise<string[]> => {
      const s = await sim({ seed: 5, faults: "ws:drop=0.2,ws:duplicate=0.2,ws:reorder=0.2" });
      const { ws, got } = await userStream(s);
      for (let i = 0; i < 10; i++)
        await call(s, "POST", "/api/v3/order", limitBuy(`f-${i}`, "20000", "0.001"));
      await call(s, "GET", "/api/v3/account");
      await new Promise((w) => setTimeout(w, 200));
      ws.close();
      // order ids and client ids only: event times vary with the wall clock
      return got.map((m) => {
        const e = JSON.parse(m) as { e: string; c?: string; B?: { f: string }[] };
        return e.e === "executionReport" ? `order:${e.c}` : `balance:${e.B?.[0]?.f}`;
      });
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const sent = 20; // one executionReport and one outboundAccountPosition per create
    expect(a.length).not.toBe(sent);
    const orders = a.filter((x) => x.startsWith("order:"));
    expect(new Set(orders).size).toBeLessThan(10); // some were dropped
    expect(orders.length).toBeGreaterThan(new Set(orders).size); // some came twice
  });

  it("closes the socket on a disconnect fault", async () => {
    const s = await sim({ seed: 1, faults: "ws:disconnect=1" });
    const { ws } = await userStream(s);
    const closed = new Promise<void>((done) => ws.once("close", () => done()));
    await call(s, "POST", "/api/v3/order", limitBuy("d-1"));
    await closed;
  });

  it("streams each closed candle on <symbol>@kline_<interval>", async () => {
    const s = await sim();
    const ws = new WebSocket(`${s.wsUrl}/btcusdt@kline_1h`);
    const got: { k: { t: number; x: boolean; o: string } }[] = [];
    ws.on("message", (m) => got.push(JSON.parse(String(m))));
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    const t0 = s.now();
    s.advance(3 * 3_600_000);
    await expect.poll(() => got.length).toBe(3);
    const i0 = btc.ts.indexOf(t0);
    expect(got.map((e) => e.k.t)).toEqual([btc.ts[i0], btc.ts[i0 + 1], btc.ts[i0 + 2]]);
    expect(got.every((e) => e.k.x)).toBe(true);
    expect(Number(got[0]!.k.o)).toBeCloseTo(btc.open[i0]!, 8);
    ws.close();
  });
});
