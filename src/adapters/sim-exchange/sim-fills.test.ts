// Fills on the simulated exchange come from the one simulated venue, land exactly in the ledger
// (balances = initial + fills - fees, in 1e-8 units) and reach ccxt's real binance class
import { afterEach, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { createVenue } from "../../execution/venue/venue.ts";
import { CcxtBroker } from "../ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../ccxt/ccxt-market-data-source.ts";
import { type SimExchange, type SimExchangeOptions, startSimExchange } from "./server.ts";

const KEY = "fills-key";
const SECRET = "fills-secret";
const HOUR = 3_600_000;
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const START = 600;

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(o: Partial<SimExchangeOptions> = {}): Promise<{ sim: SimExchange; broker: CcxtBroker }> {
  const sim = await startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "manual" },
    start: btc.ts[START]!,
    ledgerRoute: true,
    ...o,
  });
  const broker = new CcxtBroker("binance", {
    apiKey: KEY,
    secret: SECRET,
    apiBase: sim.url,
    timeoutMs: 10_000,
  });
  open.push(broker, sim);
  return { sim, broker };
}

// exact decimal arithmetic for the reference values: integers of 1e-8
const u = (s: string): bigint => {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * 100_000_000n + BigInt(f.padEnd(8, "0").slice(0, 8));
};

describe("simulated exchange fills", () => {
  it("a market buy fills at the open of the bar it arrived in, and the books add up exactly", async () => {
    const { sim, broker } = await setup();
    const r = await broker.submit({
      clientOrderId: "m-1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      quantity: "0.01",
    });
    expect(r).toMatchObject({ kind: "accepted", order: { status: "open" } });
    sim.advance(HOUR);
    const fills = await broker.fillsSince("BTC/USDT", 0);
    expect(fills).toHaveLength(1);
    const f = fills[0]!;
    const openPrice = btc.open[START]!;
    expect(Number(f.price)).toBeCloseTo(openPrice, 8);
    expect(f).toMatchObject({
      venue: "binance",
      quantity: "0.01",
      feeCurrency: "USDT",
      side: "buy",
      ts: btc.ts[START]! + HOUR,
    });
    // fee = 0.1% of notional, in quote, rounded up to 1e-8
    const notional = (u(f.price) * u("0.01")) / 100_000_000n;
    const fee = (notional * 1000n + 999_999n) / 1_000_000n;
    expect(u(f.fee)).toBe(fee);
    const led = sim.ledger();
    expect(u(led.balances.USDT!.free)).toBe(u("10000") - notional - fee);
    expect(led.balances.BTC).toEqual({ free: "0.01000000", locked: "0.00000000" });
    expect(sim.check()).toEqual([]);
    expect(await broker.lookup("BTC/USDT", "m-1")).toMatchObject({
      status: "filled",
      filledQuantity: "0.01",
    });
    expect(await broker.positions(["BTC/USDT"])).toEqual([{ symbol: "BTC/USDT", quantity: "0.01" }]);
    // the same through the HTTP ledger
    expect(await (await fetch(`${sim.url}/sim/ledger`)).json()).toEqual(led);
  });

  it("gives the fills the venue gives when driven directly (the backtest's fills)", async () => {
    const { sim, broker } = await setup();
    const venue = createVenue({
      config: {
        initialCash: 10_000,
        market: "spot",
        fee: 0.001,
        slippage: { kind: "fixed", rate: 0 },
        leverage: 1,
        maintenanceMargin: 0.005,
        liquidationFee: 0.005,
        fundingRate: 0,
        fundingIntervalMs: 8 * HOUR,
        exits: {},
        cooldownBars: 0,
      },
      symbols: ["BTC/USDT"],
      barMs: HOUR,
    });
    const refFills: { price: number; qty: number }[] = [];
    // a script of orders, one per bar: buys and sells, market and limit
    const script: [string, "buy" | "sell", "market" | "limit", string, string?][] = [
      ["s-1", "buy", "market", "0.02"],
      ["s-2", "sell", "limit", "0.01", (Math.round(btc.close[START]! * 1.002 * 100) / 100).toFixed(2)],
      ["s-3", "buy", "limit", "0.01", (Math.round(btc.close[START + 1]! * 0.998 * 100) / 100).toFixed(2)],
      ["s-4", "sell", "market", "0.01"],
    ];
    for (let k = 0; k < 8; k++) {
      const step = script[k];
      if (step !== undefined) {
        const [cid, side, type, quantity, price] = step;
        const sent = await broker.submit({
          clientOrderId: cid,
          symbol: "BTC/USDT",
          side,
          type,
          quantity,
          ...(price === undefined ? {} : { price, timeInForce: "gtc" as const }),
        });
        expect(sent.kind).toBe("accepted");
        venue.submit({
          clientOrderId: cid,
          symbol: "BTC/USDT",
          side,
          type,
          qty: Number(quantity),
          ...(price === undefined ? {} : { limitPrice: Number(price), timeInForce: "gtc" as const }),
        });
      }
      const i = START + k;
      for (const e of venue.onBar(i, {
        "BTC/USDT": {
          ts: btc.ts[i]!,
          open: btc.open[i]!,
          high: btc.high[i]!,
          low: btc.low[i]!,
          close: btc.close[i]!,
          volume: btc.volume[i]!,
        },
      }))
        if (e.type === "fill") refFills.push({ price: e.fill.price, qty: e.fill.qty });
      sim.advance(HOUR);
    }
    const got = await broker.fillsSince("BTC/USDT", 0);
    expect(got.length).toBe(refFills.length);
    expect(got.length).toBeGreaterThanOrEqual(2);
    got.forEach((g, j) => {
      expect(Number(g.price)).toBeCloseTo(refFills[j]!.price, 8);
      expect(Number(g.quantity)).toBeCloseTo(refFills[j]!.qty, 8);
    });
    expect(sim.check()).toEqual([]);
  });

  it("splits fills into 2-5 parts when the seed says so, and the parts add up to the order", async () => {
    const { sim, broker } = await setup({ faults: "fill:partial=1", seed: 3 });
    await broker.submit({
      clientOrderId: "p-1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      quantity: "0.05",
    });
    sim.advance(HOUR);
    const fills = await broker.fillsSince("BTC/USDT", 0);
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(fills.length).toBeLessThanOrEqual(5);
    expect(fills.reduce((a, f) => a + u(f.quantity), 0n)).toBe(u("0.05"));
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
    expect(sim.check()).toEqual([]);
  });

  it("caps a market buy to the balance like the backtest's spot cash cap, and expires the rest", async () => {
    const { sim, broker } = await setup({ balances: { USDT: "1000" } });
    const price = btc.open[START]!;
    // ask for what 900 USDT buys at the open, then withdraw 400 before the bar closes
    const qty = (Math.floor((900 / price) * 1e5) / 1e5).toFixed(5);
    expect(
      (
        await broker.submit({
          clientOrderId: "c-1",
          symbol: "BTC/USDT",
          side: "buy",
          type: "market",
          quantity: qty,
        })
      ).kind,
    ).toBe("accepted");
    sim.deposit("USDT", "-400");
    sim.advance(HOUR);
    const o = await broker.lookup("BTC/USDT", "c-1");
    expect(o?.status === "expired" || o?.status === "filled").toBe(true);
    expect(Number(o?.filledQuantity)).toBeLessThan(Number(qty));
    expect(u(sim.ledger().balances.USDT!.free)).toBeGreaterThanOrEqual(0n);
    expect(sim.check()).toEqual([]);
  });
});

describe("simulated exchange funds", () => {
  it("sells base assets held from the start (not bought through the venue), never more than the balance", async () => {
    const { sim, broker } = await setup({ balances: { USDT: "0", BTC: "1" } });
    expect(
      (
        await broker.submit({
          clientOrderId: "b-1",
          symbol: "BTC/USDT",
          side: "sell",
          type: "market",
          quantity: "0.5",
        })
      ).kind,
    ).toBe("accepted");
    expect(
      await broker.submit({
        clientOrderId: "b-2",
        symbol: "BTC/USDT",
        side: "sell",
        type: "market",
        quantity: "0.6",
      }),
    ).toMatchObject({
      kind: "rejected",
      code: "insufficient-funds",
    });
    sim.advance(HOUR);
    expect(await broker.lookup("BTC/USDT", "b-1")).toMatchObject({ status: "filled", filledQuantity: "0.5" });
    const led = sim.ledger();
    expect(led.balances.BTC).toEqual({ free: "0.50000000", locked: "0.00000000" });
    expect(u(led.balances.USDT!.free)).toBeGreaterThan(0n);
    expect(sim.check()).toEqual([]);
  });
});

describe("simulated exchange clock and candles", () => {
  it("serves closed candles to kairos's ccxt market-data source (spot and USD-M markets loaded together)", async () => {
    const { sim } = await setup();
    const src = new CcxtMarketDataSource("binance", { apiBase: sim.url, timeoutMs: 10_000 });
    open.push(src);
    const page = await src.fetchCandles("BTC/USDT", "1h", btc.ts[START - 5]!, 10);
    // five closed candles and the live one at its open
    expect([...page.ts]).toEqual([...btc.ts.subarray(START - 5, START + 1)]);
    expect([...page.close.subarray(0, 5)]).toEqual(
      [...btc.close.subarray(START - 5, START)].map((x) => Number(x.toFixed(8))),
    );
  });

  it("on a real clock at 36,000x, bars close and orders fill by themselves", async () => {
    const { broker } = await setup({ clock: { kind: "real", speed: 36_000 } });
    await broker.submit({
      clientOrderId: "rt-1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      quantity: "0.01",
    });
    // an hour of market time is 0.1 s here
    await expect
      .poll(async () => (await broker.lookup("BTC/USDT", "rt-1"))?.status, { timeout: 30_000 })
      .toBe("filled");
  });

  it("after the replay's last bar the market is closed: orders are refused, nothing hangs", async () => {
    const { sim, broker } = await setup({ start: btc.ts[btc.ts.length - 2]! });
    expect(
      (
        await broker.submit({
          clientOrderId: "e-1",
          symbol: "BTC/USDT",
          side: "buy",
          type: "market",
          quantity: "0.01",
        })
      ).kind,
    ).toBe("accepted");
    sim.advance(2 * HOUR);
    expect((await broker.lookup("BTC/USDT", "e-1"))?.status).toBe("filled");
    const r = await broker.submit({
      clientOrderId: "e-2",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      quantity: "0.01",
    });
    expect(r).toMatchObject({ kind: "rejected", message: expect.stringMatching(/Market is closed/) });
  });

  it("an IOC limit that cannot trade in its bar expires; a GTC one rests", async () => {
    const { sim, broker } = await setup();
    const far = (Math.round(btc.low[START]! * 0.5 * 100) / 100).toFixed(2);
    const sub = (cid: string, tif: "ioc" | "gtc") =>
      broker.submit({
        clientOrderId: cid,
        symbol: "BTC/USDT",
        side: "buy",
        type: "limit",
        quantity: "0.01",
        price: far,
        timeInForce: tif,
      });
    expect((await sub("ioc-1", "ioc")).kind).toBe("accepted");
    expect((await sub("gtc-1", "gtc")).kind).toBe("accepted");
    sim.advance(HOUR);
    expect((await broker.lookup("BTC/USDT", "ioc-1"))?.status).toBe("expired");
    expect((await broker.lookup("BTC/USDT", "gtc-1"))?.status).toBe("open");
    expect(sim.ledger().balances.USDT!.locked).not.toBe("0.00000000");
    expect(sim.check()).toEqual([]);
  });

  it("serves closed candles as stored and the one holding the clock without its future", async () => {
    const { sim } = await setup();
    const rows = (await (
      await fetch(`${sim.url}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=3`)
    ).json()) as string[][];
    expect(rows.map((r) => Number(r[0]))).toEqual([btc.ts[START - 2], btc.ts[START - 1], btc.ts[START]]);
    expect(Number(rows[1]![4])).toBeCloseTo(btc.close[START - 1]!, 8);
    const live = rows[2]!;
    expect([live[1], live[2], live[3], live[4]].map(Number)).toEqual(Array(4).fill(Number(live[1])));
    expect(Number(live[5])).toBe(0);
  });
});
