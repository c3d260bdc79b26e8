// Test "Bots": grid, DCA and TWAP place the same orders on kairos's simulated exchange (ccxt's real
// binance class pointed at it, through the order lifecycle and the pre-trade risk gate) as in the
// backtest on the same bars, compared order by order: side, price, quantity and bar. The bot's
// strategy is resolved the way `kairos bot start` resolves it (strategyOf), the backtest runs the
// same object; the exchange's clock is driven one bar at a time, as in test/trading/ccxt-session.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { backtestBot } from "../../src/app/bot-backtest.ts";
import { botParams } from "../../src/app/bot-params.ts";
import { SessionRiskGate } from "../../src/app/risk-gate.ts";
import { loadSeries, type SessionConfig, strategyOf } from "../../src/app/trade-runtime.ts";
import type { BotKind } from "../../src/bots/registry.ts";
import { createContainer } from "../../src/composition-root.ts";
import { type CandleSeries, sliceSeries } from "../../src/domain/candle-series.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { TradingSession } from "../../src/execution/trading-session.ts";
import type { MarketRules } from "../../src/ports/broker.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";
import { writeTestLimits } from "../trading/trading-limits.ts";

const HOUR = 3_600_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const BARS = 260;
const series: CandleSeries = sliceSeries(all, all.ts.length - BARS);
const K = 60; // first bar the exchange runs; the bot decides from the close of bar K-1 on

interface OrderLine {
  /** the bar the order was decided on (market orders), or filled in (limit orders) */
  bar: number;
  filledIn?: number;
  side: string;
  qty: number;
  price: number;
}

/** A home holding the bars, as `kairos bot start` and `kairos bot backtest` read them */
const c = createContainer({ home: tmp("kairos-bots-store-") });
c.store.upsert(series);
afterAll(() => c.close());

/** The bot on the simulated exchange: every order it decides, with the bar it decided on and its fill price */
async function onSim(kind: string, raw: Record<string, number | boolean | string>, usdt: string) {
  const sim = await startBundledSimExchange({
    start: series.ts[K]!,
    fees: { maker: 0.001, taker: 0.001 },
    balances: { USDT: usdt },
  });
  const broker = bundledSimBroker(sim);
  const home = tmp("kairos-bots-sim-");
  writeTestLimits(home);
  const store = SqliteOrderStore.open(home, () => sim.now());
  const clock = { now: () => sim.now() };
  try {
    const lifecycle = new OrderLifecycle({
      store,
      broker,
      clock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const rules = await broker.marketRules("BTC/USDT");
    const baseline = Object.fromEntries((await broker.balances()).map((b) => [b.asset, b.free]));
    const startTs = series.ts[K - 1]!;
    const session = {
      id: kind.slice(0, 4),
      mode: "paper" as const,
      venue: "binance",
      state: "active" as const,
      config: {},
      createdAt: 0,
      updatedAt: 0,
    };
    store.createSession(session);
    // the parameters and the strategy object exactly as `kairos bot start` makes them
    const params = botParams(kind as BotKind, raw, { timeframe: "1h", start: startTs, rules });
    const { strategy } = strategyOf(kind, params);
    const cfg = { exchange: "binance", symbols: ["BTC/USDT"], timeframe: "1h", startTs } as SessionConfig;
    const window = loadSeries(c.store, cfg, strategy.warmup);
    const bars = window[0]!;
    const risk = new SessionRiskGate({
      home,
      orders: store,
      broker,
      clock,
      rules: new Map([["BTC/USDT", rules]]),
      timing: "replay",
    });
    const ts = new TradingSession(
      { store, broker, lifecycle, clock, risk },
      {
        session,
        strategy,
        series: window,
        rules: new Map([["BTC/USDT", rules]]),
        baseline,
        startTs,
        sizeFraction: 0.95,
      },
    );
    // bar t closes when the exchange's clock reaches its end: fills of the last decision, then the next one
    const k = bars.ts.indexOf(series.ts[K]!);
    for (let t = 0; t < bars.ts.length; t++) {
      if (t >= k) {
        sim.advance(HOUR);
        await lifecycle.syncFills("BTC/USDT", startTs, "poll");
        await lifecycle.settle(session.id);
      }
      if (t >= k - 1 && t < bars.ts.length - 1) await ts.onClosedBar(t);
    }
    const refused = risk.decisions.filter((d) => !d.accepted).map((d) => d.reason);
    const orders = store.ordersOf(session.id);
    const lines: OrderLine[] = orders.map((o) => {
      const d = store.getDecision(session.id, o.decisionSeq)!;
      const fills = store.fillsOfOrder(o.clientOrderId);
      const q = fills.reduce((a, f) => a + Number(f.qty), 0);
      const price = fills.reduce((a, f) => a + Number(f.qty) * Number(f.price), 0) / q;
      // the exchange stamps a fill with the moment it matched (the end of its bar here)
      const filledIn = fills.length === 0 ? Number.NaN : Math.floor((fills[0]!.ts - 1) / HOUR) * HOUR;
      return { bar: d.barTs, filledIn, side: o.side, qty: Number(o.qty), price };
    });
    return { lines, rules, baseline, states: orders.map((o) => o.state), refused };
  } finally {
    await broker.close();
    await sim.close();
    store.close();
  }
}

/** The same bot through `kairos bot backtest` on the same bars: one line per fill, at the bar it was decided on */
function inBacktest(
  kind: BotKind,
  raw: Record<string, number | boolean | string>,
  cash: number,
  rules: MarketRules,
): OrderLine[] {
  const bt = backtestBot(
    { store: c.store },
    {
      kind,
      params: raw,
      symbol: "BTC/USDT",
      timeframe: "1h",
      from: series.ts[K - 1]!,
      capital: cash,
      fee: 0.001,
      size: 0.95,
      // the exchange's rules, as `kairos bot backtest --lot-size --price-tick --min-notional` takes them
      lotSize: Number(rules.stepSize),
      priceTick: Number(rules.tickSize),
      minNotional: Number(rules.minNotional),
    },
  );
  // a market order decided at bar b's close fills at bar b+1's open; a resting limit order in the bar that reaches it
  return bt.fills.map((f) => ({
    bar: Date.parse(f.bar) - (f.type === "limit" ? 0 : HOUR),
    side: f.side,
    qty: f.qty,
    price: f.price,
  }));
}

function expectSameOrders(sim: OrderLine[], bt: OrderLine[]): void {
  expect(sim.map((o) => [o.bar, o.side])).toEqual(bt.map((o) => [o.bar, o.side]));
  for (const [i, o] of sim.entries()) {
    expect(o.qty).toBeCloseTo(bt[i]!.qty, 9);
    expect(o.price).toBeCloseTo(bt[i]!.price, 6);
  }
}

describe("Bots", () => {
  it("grid places the backtest's orders on the simulated exchange", async () => {
    const raw = { levels: 4, spacing: 0.004, anchor: 24 };
    const s = await onSim("grid", raw, "10000");
    const bt = inBacktest("grid", raw, Number(s.baseline.USDT), s.rules);
    process.stderr.write(
      `bots grid: ${s.lines.length} orders on the exchange, ${bt.length} in the backtest\n`,
    );
    expect(s.refused).toEqual([]);
    expect(s.states.every((x) => x === "filled")).toBe(true);
    expect(bt.length).toBeGreaterThan(8);
    expectSameOrders(s.lines, bt);
  }, 300_000);

  it("DCA places the backtest's orders on the simulated exchange", async () => {
    const raw = { every: 12, step: 0.1, takeProfit: 0.015 };
    const s = await onSim("dca", raw, "10000");
    const bt = inBacktest("dca", raw, Number(s.baseline.USDT), s.rules);
    process.stderr.write(
      `bots dca: ${s.lines.length} orders on the exchange, ${bt.length} in the backtest\n`,
    );
    expect(s.refused).toEqual([]);
    expect(s.states.every((x) => x === "filled")).toBe(true);
    expect(bt.length).toBeGreaterThan(8);
    expect(bt.some((o) => o.side === "sell")).toBe(true); // the take-profit sold at least once
    expectSameOrders(s.lines, bt);
  }, 300_000);

  it("TWAP places the backtest's slices on the simulated exchange, each within its participation cap", async () => {
    const raw = { qty: 1.5, side: "buy", bars: 40, participation: 0.0001 };
    const s = await onSim("twap", raw, "400000");
    const bt = inBacktest("twap", raw, Number(s.baseline.USDT), s.rules);
    process.stderr.write(
      `bots twap: ${s.lines.length} slices on the exchange, ${bt.length} in the backtest\n`,
    );
    expect(s.refused).toEqual([]);
    expect(s.states.every((x) => x === "filled")).toBe(true);
    expectSameOrders(s.lines, bt);
    expect(s.lines.length).toBeGreaterThan(20);
    // every slice is at most 0.0001 of the volume of the bar it was decided on, and the parent is never exceeded
    for (const o of s.lines)
      expect(o.qty).toBeLessThanOrEqual(0.0001 * series.volume[series.ts.indexOf(o.bar)]! + 1e-12);
    const total = s.lines.reduce((a, o) => a + o.qty, 0);
    expect(total).toBeLessThanOrEqual(1.5 + 1e-9);
    // the cap bound on some bars and the even split on others: the schedule shows both
    expect(s.lines.some((o) => o.qty < 1.5 / 40 - 1e-9)).toBe(true);
  }, 300_000);

  it("iceberg clips rest and fill on the simulated exchange in the backtest's bars, at its prices", async () => {
    // a price the market comes back to now and then over the run: clips fill one after another
    const price = (Math.round(series.close[K - 1]! * 0.999 * 100) / 100).toFixed(2);
    const raw = { qty: 0.05, side: "buy", price: Number(price), clip: 0.01 };
    const s = await onSim("iceberg", raw, "10000");
    const bt = inBacktest("iceberg", raw, Number(s.baseline.USDT), s.rules);
    const filled = s.lines.filter((o) => !Number.isNaN(o.price));
    process.stderr.write(
      `bots iceberg: ${filled.length} clips filled on the exchange, ${bt.length} in the backtest\n`,
    );
    expect(s.refused).toEqual([]);
    expect(bt.length).toBeGreaterThan(1);
    // never more than one clip working: every order but the last is filled
    expect(s.states.slice(0, -1).every((x) => x === "filled")).toBe(true);
    expectSameOrders(
      filled.map((o) => ({ ...o, bar: o.filledIn! })),
      bt,
    );
  }, 300_000);
});
