// Closed candles from the exchange's kline streams: the simulated exchange's combined stream
// (/stream?streams=...) through CcxtBroker.subscribeCandles delivers every market's closed candle
// once, equal to the replayed bars, never the one in progress; and the live session loop acts on
// bars from the stream alone (no REST klines after its start), one decision per bar, in order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../../src/adapters/ccxt/ccxt-market-data-source.ts";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { runLiveSession } from "../../src/app/trade-live-run.ts";
import { createLiveSession } from "../../src/app/trade-live-venue.ts";
import { createContainer } from "../../src/composition-root.ts";
import type { CandleEvent } from "../../src/ports/broker.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { countingFetches } from "./counting-market.ts";
import { TEST_LIMITS, writeTestLimits } from "./trading-limits.ts";

const HOUR = 3_600_000;
const KEY = "kairosKlineStreamKey0123456789";
const SECRET = "kairosKlineStreamSecretNeverPrinted";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const eth = loadBundledSeries("binance", "ETH/USDT", "1h");
// an instant both series hold, far enough in for history before it
const start = Math.max(btc.ts[600]!, eth.ts[600]!);
let sim: SimExchange;

beforeAll(async () => {
  sim = await startSimExchange({
    series: [btc, eth],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "manual" },
    start,
    balances: { USDT: "10000" },
  });
});
afterAll(async () => {
  await sim.close();
});

/** A home for a loop test: both markets allowed, the gate on the exchange's (manual) clock */
const loopHome = (dir: string) => {
  const c = createContainer({ home: dir });
  // the exchange's clock is manual: prices are as old as it says
  writeTestLimits(dir, { ...TEST_LIMITS, allowlist: "BTC/USDT,ETH/USDT", maxPriceAgeMs: String(24 * HOUR) });
  const d = c.trading();
  return { c, deps: { ...d, live: { ...d.live!, clock: "venue" as const } } };
};

/** The two-market session both loop tests run: dca buying both markets on every bar */
const createDcaSession = (
  deps: Parameters<typeof createLiveSession>[0],
  id: string,
  broker: Parameters<typeof createLiveSession>[4],
) =>
  createLiveSession(
    deps,
    id,
    {
      strategy: "dca",
      params: { every: 1, step: 0.02, takeProfit: 0 },
      symbols: ["BTC/USDT", "ETH/USDT"],
      timeframe: "1h",
      capital: 10_000,
      fee: 0.001,
      slippage: 0,
      reconcileEveryBars: 1000,
      sizeFraction: 0.95,
    },
    "binance",
    broker,
  );

/** A proxy's default: the broker's own member, its methods bound to it */
const passThrough = (target: CcxtBroker, prop: string | symbol, recv: unknown): unknown => {
  const v = Reflect.get(target, prop, recv) as unknown;
  return typeof v === "function" ? v.bind(target) : v;
};

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("kline streams", () => {
  it("deliver each closed candle of every market once, equal to the replayed bars", async () => {
    const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    const got: CandleEvent[] = [];
    const stop = await broker.subscribeCandles!(["BTC/USDT", "ETH/USDT"], "1h", (e) => got.push(e));
    const t0 = sim.now();
    sim.advance(3 * HOUR);
    await until(() => got.length >= 6);
    await new Promise((r) => setTimeout(r, 100)); // nothing more comes: the bar in progress is not closed
    await stop();
    sim.advance(HOUR);
    await new Promise((r) => setTimeout(r, 100)); // unsubscribed: nothing after stop
    await broker.close();
    expect(got).toHaveLength(6);
    for (const [symbol, s] of [
      ["BTC/USDT", btc],
      ["ETH/USDT", eth],
    ] as const) {
      const mine = got.filter((e) => e.kind === "candle" && e.symbol === symbol);
      // the three bars that closed in the three hours opened at t0, t0 + 1h, t0 + 2h
      const want = [0, 1, 2].map((k) => s.ts.indexOf(t0 + k * HOUR));
      expect(mine.map((e) => (e.kind === "candle" ? e.ts : 0))).toEqual(want.map((i) => s.ts[i]));
      mine.forEach((e, k) => {
        const i = want[k]!;
        expect(e).toMatchObject({
          open: s.open[i],
          high: s.high[i],
          low: s.low[i],
          close: s.close[i],
          volume: s.volume[i],
        });
      });
    }
  });

  it("refuses a combined stream that names anything but klines", async () => {
    const ws = new WebSocket(`${sim.wsUrl.replace(/\/ws$/, "")}/stream?streams=btcusdt@depth`);
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => undefined);
    });
    ws.terminate();
    expect(status).toBe(404);
  });
});

describe("the live loop on kline streams", () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "kairos-kline-loop-"));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("acts on every bar from the streams alone, once each, in order, with no REST klines after its start", async () => {
    const { c, deps } = loopHome(home);
    const ccxtBroker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    // the streams are open once subscribeCandles has resolved (the exchange registers a connection
    // before it answers the upgrade): only then does a bar closing on the exchange reach the loop
    let streamsOpen = 0;
    const broker = new Proxy(ccxtBroker, {
      get(target, prop, recv) {
        if (prop === "subscribeCandles")
          return async (...a: Parameters<NonNullable<CcxtBroker["subscribeCandles"]>>) => {
            const stop = await target.subscribeCandles!(...a);
            streamsOpen++;
            return stop;
          };
        return passThrough(target, prop, recv);
      },
    });
    const inner = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    const { market, fetches: restKlines } = countingFetches(inner);
    await createDcaSession(deps, "kl", broker);
    const acted: number[] = [];
    // a day of venue time before REST is asked: every bar here must come from the streams
    const run = runLiveSession(deps, "kl", {
      broker,
      market,
      pollMs: 10,
      clock: "venue",
      klineGraceMs: 24 * HOUR,
      maxBars: 6,
      onBar: (p) => acted.push(p.barTs),
    });
    // the history is fetched over REST (one page per market) before the streams are opened: a bar
    // closing before they are open would come by REST after the grace, which here is a day
    await until(
      () => deps.orders.getSession("kl")?.state === "active" && restKlines() >= 2 && streamsOpen === 1,
    );
    const restAtStart = restKlines();
    const t0 = sim.now();
    for (let k = 0; k < 6; k++) {
      sim.advance(HOUR);
      await until(() => acted.length > k);
    }
    const r = await run;
    await broker.close();
    await inner.close();
    const decisions = deps.orders.ordersOf("kl").map((o) => o.decisionSeq);
    c.close();
    expect(r.barsActed).toBe(6);
    // the bar in progress at the start closes first, then one a step
    expect(acted).toEqual([0, 1, 2, 3, 4, 5].map((k) => t0 + k * HOUR));
    expect(restKlines()).toBe(restAtStart);
    // dca buys both markets each bar: six decisions of two orders
    expect(new Set(decisions).size).toBe(6);
    expect(decisions).toHaveLength(12);
    expect(sim.check()).toEqual([]);
  }, 60_000);

  it("acts at once on a bar whose candles all came while the loop was reading the exchange's clock", async () => {
    // an exchange of its own: the tests above spent the shared one's balance and moved its clock
    const sim = await startSimExchange({
      series: [btc, eth],
      apiKey: { key: KEY, secret: SECRET },
      clock: { kind: "manual" },
      start,
      balances: { USDT: "10000" },
    });
    const { c, deps } = loopHome(join(home, "clock-read"));
    const ccxtBroker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    const acted: number[] = [];
    // once the first bar was acted on, the loop's next reading of the exchange's clock is held
    // until the test lets it go; candles delivered to the loop are counted on their way in
    let streamsOpen = 0;
    let delivered = 0;
    let held: (() => void) | undefined;
    const broker = new Proxy(ccxtBroker, {
      get(target, prop, recv) {
        if (prop === "subscribeCandles")
          return async (...a: Parameters<NonNullable<CcxtBroker["subscribeCandles"]>>) => {
            const stop = await target.subscribeCandles!(a[0], a[1], (e) => {
              if (e.kind === "candle") delivered++;
              a[2](e);
            });
            streamsOpen++;
            return stop;
          };
        if (prop === "serverTime")
          return async () => {
            if (acted.length === 1 && held === undefined)
              await new Promise<void>((r) => {
                held = r;
              });
            return target.serverTime();
          };
        return passThrough(target, prop, recv);
      },
    });
    const market = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    await createDcaSession(deps, "kc", broker);
    // a poll interval of ten minutes: a bar waiting for the next poll is not acted on in this test's time
    const run = runLiveSession(deps, "kc", {
      broker,
      market,
      pollMs: 600_000,
      clock: "venue",
      klineGraceMs: 24 * HOUR,
      maxBars: 2,
      onBar: (p) => acted.push(p.barTs),
    });
    await until(() => deps.orders.getSession("kc")?.state === "active" && streamsOpen === 1);
    const t0 = sim.now();
    sim.advance(HOUR);
    await until(() => acted.length === 1 && held !== undefined);
    // the next bar closes, and both markets' candles reach the loop, while it waits for the clock
    const before = delivered;
    sim.advance(HOUR);
    await until(() => delivered === before + 2);
    held!();
    await until(() => acted.length === 2, 30_000);
    const r = await run;
    await broker.close();
    await market.close();
    c.close();
    await sim.close();
    expect(r.barsActed).toBe(2);
    expect(acted).toEqual([t0, t0 + HOUR]);
  }, 60_000);
});
