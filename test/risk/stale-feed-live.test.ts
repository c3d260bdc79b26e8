// A frozen feed in a live session end to end: the simulated exchange (6,000x: one 1h candle every
// 600 ms) replays bundled BTC/USDT 1h whose candles freeze for 39 hours (flat at the last close,
// no volume: the feed stopped moving while bars kept closing), then trade again. A live DCA session
// (a buy every bar) through ccxt's binance class: while the price's last trade is within
// maxPriceAgeMs its buys pass; past it every buy is refused with stale-price and nothing reaches the
// exchange; once the market trades again buys pass again. Price age is in market time here (the
// gate runs on the exchange's clock), so the limit is 24 market hours, as in the live loop tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../../src/adapters/ccxt/ccxt-market-data-source.ts";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { runLiveSession } from "../../src/app/trade-live-run.ts";
import { createLiveSession } from "../../src/app/trade-live-venue.ts";
import type { TradingDeps } from "../../src/app/trade-runtime.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { TEST_LIMITS, writeTestLimits } from "../trading/trading-limits.ts";

const HOUR = 3_600_000;
const KEY = "kairosStaleFeedKey0123456789";
const SECRET = "kairosStaleFeedSecretDoNotPrint";
const START = 600;
/** bars [FROZEN_FROM, FROZEN_TO) are frozen: the last trade closed at ts[FROZEN_FROM] */
const FROZEN_FROM = START + 12;
const FROZEN_TO = FROZEN_FROM + 39;
const MAX_AGE = 24 * HOUR;

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe("stale reference price in a live session on the simulated exchange", () => {
  it("a frozen feed: buys pass until the last trade is older than maxPriceAgeMs, then are refused with stale-price and never reach the exchange", async () => {
    // a copy: the bundled series is shared within the worker
    const src = sliceSeries(loadBundledSeries("binance", "BTC/USDT", "1h"), 0, 1000);
    const btc = {
      ...src,
      ts: src.ts.slice(),
      open: src.open.slice(),
      high: src.high.slice(),
      low: src.low.slice(),
      close: src.close.slice(),
      volume: src.volume.slice(),
    };
    const last = btc.close[FROZEN_FROM - 1]!;
    for (let i = FROZEN_FROM; i < FROZEN_TO; i++) {
      btc.open[i] = last;
      btc.high[i] = last;
      btc.low[i] = last;
      btc.close[i] = last;
      btc.volume[i] = 0;
    }
    const sim: SimExchange = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET },
      // 6,000x, not faster: an order the gate passes just before the price goes stale must reach the
      // exchange within the market hour the ledger check below allows. At 18,000x that hour is 200 ms
      // of wall time: a bar's close to its create at the exchange took up to 160 ms under two CPU
      // hogs, and a create 400 ms late failed the check though the gate had judged it fresh; here
      // the hour is 600 ms, and the same 400 ms late create passes
      clock: { kind: "real", speed: 6_000 },
      start: btc.ts[START]!,
      balances: { USDT: "10000" },
    });
    cleanup.push(() => sim.close());
    const home = mkdtempSync(join(tmpdir(), "kairos-stale-feed-"));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    const c: Container = createContainer({ home });
    cleanup.push(() => c.close());
    writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: String(MAX_AGE) });
    const d = c.trading();
    const deps: TradingDeps = { ...d, live: { ...d.live!, pollMs: 20, clock: "venue" } };
    const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    cleanup.push(() => broker.close());
    const market = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    cleanup.push(() => market.close());
    await createLiveSession(
      deps,
      "stale1",
      {
        strategy: "dca",
        params: { every: 1, step: 0.01, takeProfit: 0 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        capital: 10_000,
        fee: 0.001,
        slippage: 0,
        reconcileEveryBars: 1000,
        sizeFraction: 1,
        apiBase: sim.url,
      },
      "binance",
      broker,
    );
    const bars: { barTs: number; orders: number; notes: string[] }[] = [];
    await runLiveSession(deps, "stale1", {
      broker,
      market,
      pollMs: 20,
      clock: "venue",
      maxBars: FROZEN_TO - START + 6,
      onBar: (p) => bars.push({ barTs: p.barTs, orders: p.orders, notes: p.notes }),
    });
    const lastTrade = btc.ts[FROZEN_FROM]!;
    const stale = bars.filter((b) => b.barTs + HOUR - lastTrade > MAX_AGE && b.barTs < btc.ts[FROZEN_TO]!);
    const fresh = bars.filter(
      (b) => b.barTs + HOUR - lastTrade < MAX_AGE - 2 * HOUR || b.barTs > btc.ts[FROZEN_TO]!,
    );
    expect(stale.length).toBeGreaterThanOrEqual(10);
    for (const b of stale) {
      expect(b.orders, new Date(b.barTs).toISOString()).toBe(0);
      expect(b.notes.join("\n")).toMatch(/refused by the risk gate \(.*stale-price/);
    }
    // before the freeze ages past the limit, and once the market trades again, buys pass
    expect(fresh.filter((b) => b.orders > 0).length).toBeGreaterThanOrEqual(fresh.length - 2);
    expect(bars.some((b) => b.barTs > btc.ts[FROZEN_TO]! && b.orders > 0)).toBe(true);
    // nothing reached the exchange while the price was stale
    const staleFrom = lastTrade + MAX_AGE;
    const staleTo = btc.ts[FROZEN_TO]!;
    const created = sim.ledger().orders.map((o) => Number(o.time));
    expect(created.filter((t) => t > staleFrom + HOUR && t < staleTo)).toEqual([]);
    expect(created.length).toBeGreaterThan(10);
    // 34 s at 6,000x under a CPU hog; CI is 2-3x slower
  }, 300_000);
});
