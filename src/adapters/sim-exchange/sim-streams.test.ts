// The simulated exchange's WebSocket streams: the user-data stream at /ws/<listenKey>, its seeded
// faults (drop, duplicate, reorder, disconnect) and the kline streams
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { FaultPlan, parseFaults } from "./faults.ts";
import type { SimExchange } from "./server.ts";
import { call, KEY, limitBuy, simsOn } from "./sim-test-client.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const { sim, closeSims } = simsOn(btc);
afterEach(closeSims);

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
    await expect.poll(() => got.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
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
      // every event was written to the socket before its create was answered; a pong comes back on
      // the same connection after them, so once it is here every event sent has been received
      await new Promise<void>((ok) => {
        ws.once("pong", () => ok());
        ws.ping();
      });
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

  it("a disconnect during a create still delivers the events sent before it, in order", async () => {
    const spec = "ws:disconnect=0.3";
    // the seed's draws, one per event sent on the open connection (the plan streams.ts draws from):
    // a seed whose first cut falls on a create's second event, after its executionReport was sent
    let seed = 1;
    let cutAt = 0;
    for (; ; seed++) {
      const plan = new FaultPlan(parseFaults(spec), seed);
      for (cutAt = 0; plan.stream() === undefined; ) cutAt++;
      if (cutAt % 2 === 1) break;
    }
    const s = await sim({ seed, faults: spec });
    const { ws, got } = await userStream(s);
    const closed = new Promise<void>((done) => ws.once("close", () => done()));
    // each create sends its executionReport, then its balances
    for (let i = 0; 2 * i <= cutAt; i++) await call(s, "POST", "/api/v3/order", limitBuy(`cut-${i}`));
    await closed;
    expect(got.map((m) => (JSON.parse(m) as { e: string }).e)).toEqual(
      Array.from({ length: cutAt }, (_, k) => (k % 2 === 0 ? "executionReport" : "outboundAccountPosition")),
    );
  });

  it("streams each closed candle on <symbol>@kline_<interval>", async () => {
    const s = await sim();
    const ws = new WebSocket(`${s.wsUrl}/btcusdt@kline_1h`);
    const got: { k: { t: number; x: boolean; o: string } }[] = [];
    ws.on("message", (m) => got.push(JSON.parse(String(m))));
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    const t0 = s.now();
    s.advance(3 * 3_600_000);
    await expect.poll(() => got.length, { timeout: 10_000 }).toBe(3);
    const i0 = btc.ts.indexOf(t0);
    expect(got.map((e) => e.k.t)).toEqual([btc.ts[i0], btc.ts[i0 + 1], btc.ts[i0 + 2]]);
    expect(got.every((e) => e.k.x)).toBe(true);
    expect(Number(got[0]!.k.o)).toBeCloseTo(btc.open[i0]!, 8);
    ws.close();
  });
});
