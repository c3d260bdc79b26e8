// Paper = backtest through CcxtBroker: the trading session and order lifecycle, talking to the
// simulated exchange through ccxt's real binance class, make the backtest's fills on the same bars.
// The test drives the exchange's clock one bar at a time (the live candle loop is not built yet)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { runBacktest } from "../../src/app/run-backtest.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { accountView } from "../../src/execution/accounting.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { TradingSession } from "../../src/execution/trading-session.ts";
import { getFamily } from "../../src/strategies/registry.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const HOUR = 3_600_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("paper = backtest through CcxtBroker", () => {
  it("sma-cross on BTC/USDT 1h through ccxt and the simulated exchange gives the backtest's fills", async () => {
    const all = loadBundledSeries("binance", "BTC/USDT", "1h");
    const n0 = all.ts.length - 300;
    const series = sliceSeries(all, n0);
    const k = 100; // first bar acted on; earlier ones are warm-up
    const sim = await startBundledSimExchange({ start: series.ts[k]!, fees: { maker: 0.001, taker: 0.001 } });
    const broker = bundledSimBroker(sim);
    const home = mkdtempSync(join(tmpdir(), "kairos-ccxt-session-"));
    dirs.push(home);
    const store = SqliteOrderStore.open(home, () => sim.now());
    const clock = { now: () => sim.now() };
    const lc = new OrderLifecycle({
      store,
      broker,
      clock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const rules = await broker.marketRules("BTC/USDT");
    const balances = Object.fromEntries((await broker.balances()).map((b) => [b.asset, b.free]));
    const session = {
      id: "cx",
      mode: "paper" as const,
      venue: "binance",
      state: "active" as const,
      config: {},
      createdAt: 0,
      updatedAt: 0,
    };
    store.createSession(session);
    const fam = getFamily("sma-cross")!;
    const params = fam.params.parse({ fast: 10, slow: 30 }) as Record<string, number | boolean>;
    const ts = new TradingSession(
      { store, broker, lifecycle: lc, clock },
      {
        session,
        strategy: fam.create(params),
        series: [series],
        rules: new Map([["BTC/USDT", rules]]),
        baseline: balances,
        startTs: series.ts[k - 1]!,
        sizeFraction: 0.95,
      },
    );
    // bar t closes when the exchange's clock reaches its end: decide on it, then let the next bar run
    for (let t = 0; t < series.ts.length - 1; t++) {
      if (t >= k) {
        sim.advance(HOUR);
        await lc.syncFills("BTC/USDT", series.ts[k]!, "poll");
        await lc.settle("cx");
      }
      if (t >= k - 1) await ts.onClosedBar(t);
    }
    const fills = store.fillsOf("cx");
    const rejected = store.ordersOf("cx").filter((o) => o.state === "rejected");
    const ledger = sim.ledger();
    const view = accountView(ts.account());
    const venue = Object.fromEntries(
      Object.entries(ledger.balances).map(([a, b]) => [a, String(Number(b.free) + Number(b.locked))]),
    );
    await broker.close();
    await sim.close();
    store.close();

    const c = createContainer({ home: mkdtempSync(join(tmpdir(), "kairos-ccxt-bt-")) });
    dirs.push(c.home);
    c.store.upsert(series);
    const bt = runBacktest(
      { store: c.store },
      {
        strategy: "sma-cross",
        params: { fast: 10, slow: 30 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        from: new Date(series.ts[k - 1]!).toISOString(),
        to: new Date(series.ts[series.ts.length - 1]!).toISOString(),
        fee: 0.001,
        initialCash: Number(balances.USDT),
        lotSize: Number(rules.stepSize),
        priceTick: Number(rules.tickSize),
        minNotional: Number(rules.minNotional),
        // a Binance-like venue refuses a buy the balance cannot cover at submit, where the backtest caps it at the fill: leave room
        sizeFraction: 0.95,
      },
    ).result;
    c.close();
    process.stderr.write(`ccxt session: ${fills.length} fills, backtest ${bt.fills.length}\n`);
    expect(rejected).toEqual([]);
    expect(bt.fills.length).toBeGreaterThan(6);
    // the exchange stamps a fill with the moment it matched (here the end of its bar); the backtest with the bar's open
    const barOf = (ms: number): number => Math.floor((ms - 1) / HOUR) * HOUR;
    expect(fills.map((f) => [barOf(f.ts), f.side])).toEqual(bt.fills.map((f) => [f.ts, f.side]));
    for (const [i, f] of fills.entries()) {
      expect(Number(f.qty)).toBeCloseTo(bt.fills[i]!.qty, 9);
      expect(Number(f.price)).toBeCloseTo(bt.fills[i]!.price, 6);
      expect(Number(f.fee)).toBeCloseTo(bt.fills[i]!.fee, 7); // the exchange rounds commissions to 8 decimals
    }
    for (const [asset, v] of Object.entries(view.balances))
      expect(Number(v)).toBeCloseTo(Number(venue[asset] ?? 0), 8);
  }, 300_000);
});
