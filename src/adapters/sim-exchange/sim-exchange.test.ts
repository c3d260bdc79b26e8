// The simulated exchange over raw HTTP, signed the way Binance documents (HMAC-SHA256 of query +
// body): protocol, auth, filters, idempotency (limits and faults: sim-admission.test.ts; streams:
// sim-streams.test.ts)
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { call, KEY, limitBuy, SECRET, simsOn } from "./sim-test-client.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const { sim, closeSims } = simsOn(btc);
afterEach(closeSims);

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
    await expect.poll(() => reports.filter((r) => r.x === "CANCELED").length, { timeout: 10_000 }).toBe(3);
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
