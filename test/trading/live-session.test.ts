// The live session loop end to end: `trade start --live` (keys from the environment, typed
// confirmation) against the simulated exchange running its own clock 18,000x faster than real time
// (one 1h candle every 200 ms), through ccxt's real binance class. The loop follows the exchange's
// klines: it acts on closed candles only, each once, in order, also across a restart; kairos's
// orders and fills equal the exchange's ledger; `trade stop` ends the loop and leaves nothing open.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../../src/adapters/ccxt/ccxt-market-data-source.ts";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { reconcileTrading, resumeTrading, stopTrading, tradeStatus } from "../../src/app/trade-control.ts";
import { tradeDrift } from "../../src/app/trade-drift.ts";
import { runLiveSession } from "../../src/app/trade-live-run.ts";
import { createLiveSession } from "../../src/app/trade-live-venue.ts";
import type { TradingDeps } from "../../src/app/trade-runtime.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { countingFetches } from "./counting-market.ts";
import { TEST_LIMITS, writeTestLimits } from "./trading-limits.ts";

const HOUR = 3_600_000;
const KEY = "kairosLiveLoopKey0123456789";
const SECRET = "kairosLiveLoopSecretDoNotPrint";
const SPEED = 18_000;
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
let home: string;
let c: Container;
const sims: SimExchange[] = [];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "kairos-live-loop-"));
  c = createContainer({ home });
  // a price is as old as the exchange's clock says: at 18,000x, 5 s of market time is under a millisecond of wall time, 24 h under 5 s
  writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
  process.env.KAIROS_BINANCE_API_KEY = KEY;
  process.env.KAIROS_BINANCE_SECRET = SECRET;
});
afterAll(async () => {
  for (const s of sims) await s.close();
  c.close();
  delete process.env.KAIROS_BINANCE_API_KEY;
  delete process.env.KAIROS_BINANCE_SECRET;
  rmSync(home, { recursive: true, force: true });
});

const fastDeps = (container: Container = c): TradingDeps => {
  const d = container.trading();
  return { ...d, live: { ...d.live!, pollMs: 20, clock: "venue" } };
};

async function startSim(faults?: string): Promise<SimExchange> {
  const sim = await startSimExchange({
    ...(faults === undefined ? {} : { faults, seed: 7 }),
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "real", speed: SPEED },
    start: btc.ts[600]!,
    fees: { maker: 0.001, taker: 0.001 },
  });
  sims.push(sim);
  return sim;
}

const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** kairos's orders and fills against the exchange's ledger, exactly */
function expectLedgerEquality(deps: TradingDeps, id: string, sim: SimExchange): void {
  const ledger = sim.ledger();
  // an order the venue refused is not in its books (its word is the reject); everything else is
  const all = deps.orders.ordersOf(id);
  for (const o of all.filter((x) => x.state === "rejected"))
    process.stderr.write(`rejected ${o.clientOrderId}: ${o.reason}\n`);
  const ours = all.filter((o) => o.state !== "intent" && o.state !== "rejected");
  const venueOrders = ledger.orders.filter((o) => o.external !== true);
  expect(venueOrders.map((o) => o.clientOrderId).sort()).toEqual(ours.map((o) => o.clientOrderId).sort());
  for (const o of ours) {
    const v = venueOrders.find((x) => x.clientOrderId === o.clientOrderId)!;
    expect(Number(o.filledQty)).toBe(Number(v.executedQty));
  }
  const fills = deps.orders.fillsOf(id);
  expect(fills.map((f) => f.tradeId).sort()).toEqual(ledger.fills.map((f) => String(f.id)).sort());
  for (const f of fills) {
    const v = ledger.fills.find((x) => String(x.id) === f.tradeId)!;
    expect([f.clientOrderId, Number(f.qty), Number(f.price), Number(f.fee)]).toEqual([
      v.clientOrderId,
      Number(v.qty),
      Number(v.price),
      Number(v.commission),
    ]);
  }
}

describe("live session loop against the simulated exchange at 18,000x", () => {
  it("trade start --live follows closed candles once each, matches the ledger, and trade stop ends it", async () => {
    const sim = await startSim();
    const deps = fastDeps();
    const seen: { barTs: number; at: number; decided: boolean }[] = [];
    const run = startTrading(
      deps,
      {
        id: "live1",
        strategy: "sma-cross",
        params: { fast: 3, slow: 8 },
        symbols: "BTC/USDT",
        timeframe: "1h",
        live: true,
        exchange: "binance",
        confirmLive: "binance",
        apiBase: sim.url,
        size: 0.95,
        reconcileEvery: 5,
      },
      (p) => {
        seen.push({ barTs: p.barTs, at: sim.now(), decided: p.decided });
        if (p.notes.length > 0) process.stderr.write(`${p.notes.join("; ")}\n`);
      },
    );
    await waitFor(() => seen.length >= 30 || deps.orders.getSession("live1")?.state === "halted", 60_000);
    const stopped = await stopTrading(deps, { id: "live1" });
    expect(stopped.id).toBe("live1");
    const r = await run;
    const s = deps.orders.getSession("live1")!;
    process.stderr.write(
      `live loop: ${r.barsActed} bars acted, ${seen.filter((x) => x.decided).length} decisions, ${deps.orders.fillsOf("live1").length} fills, state ${r.state} ${s.haltReason ?? ""} ${JSON.stringify(deps.orders.ordersOf("live1").map((o) => [o.clientOrderId, o.side, o.state, o.reason]))}\n`,
    );
    expect(s.haltReason).toBeUndefined();
    expect(s.mode).toBe("live");
    expect(r.state).toBe("stopped");
    expect(r.barsActed).toBeGreaterThanOrEqual(30);
    // closed candles only: each bar acted on had ended by the exchange's clock, and no bar before the session began
    const startTs = (s.config as { startTs: number }).startTs;
    for (const b of seen) {
      expect(b.barTs + HOUR).toBeLessThanOrEqual(b.at);
      expect(b.barTs).toBeGreaterThanOrEqual(startTs);
    }
    // once each, in order, none skipped
    expect(seen.map((b) => b.barTs)).toEqual(seen.map((_, i) => startTs + i * HOUR));
    expect(seen.filter((b) => b.decided).length).toBeGreaterThan(1);
    // decisions are stored with the bar they answer, one per bar at most
    const decisions = [];
    for (let q = 1; q <= (deps.orders.lastDecision("live1")?.seq ?? 0); q++)
      decisions.push(deps.orders.getDecision("live1", q)!.barTs);
    expect(new Set(decisions).size).toBe(decisions.length);
    expect(deps.orders.fillsOf("live1").length).toBeGreaterThan(0);
    expectLedgerEquality(deps, "live1", sim);
    // nothing of the session stays open on the exchange
    expect(sim.ledger().orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual(
      [],
    );
    const text = JSON.stringify(s) + JSON.stringify(deps.orders.ordersOf("live1"));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
  }, 120_000);

  it("trade stop asked while a bar is acted on (the kline-stream path): the loop still cancels what is open, nothing rests on the exchange", async () => {
    // 1,800x: a 1h bar every 2 s, so no bar closes while the session starts and every later one
    // comes by the kline stream
    const sim = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET },
      clock: { kind: "real", speed: 1_800 },
      start: btc.ts[600]! + 1_000,
      fees: { maker: 0.001, taker: 0.001 },
    });
    sims.push(sim);
    // a home of its own: the other sessions' positions count against the account's limits
    const ownHome = mkdtempSync(join(tmpdir(), "kairos-live-stop-"));
    writeTestLimits(ownHome, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const own = createContainer({ home: ownHome });
    const deps = fastDeps(own);
    const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    const source = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    // the REST candle fetches the loop makes (a bar fetched over REST is not the stream path)
    const { market, fetches: restFetches } = countingFetches(source);
    await createLiveSession(
      deps,
      "live1s",
      {
        strategy: "dca",
        params: { every: 1, step: 0.05, takeProfit: 0 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        capital: 10_000,
        fee: 0.001,
        slippage: 0,
        reconcileEveryBars: 1_000,
        sizeFraction: 0.95,
      },
      "binance",
      broker,
    );
    let stopAsked: Promise<unknown> | undefined;
    let fetchesAtStop = -1;
    try {
      const r = await runLiveSession(deps, "live1s", {
        broker,
        market,
        pollMs: 20,
        clock: "venue",
        // REST is not asked for a bar while the streams are up (10 h of the exchange's time, 20 s here)
        klineGraceMs: 10 * HOUR,
        // a session that never orders ends here and fails below instead of running on
        maxBars: 20,
        onBar: (p) => {
          // the stop lands inside the step that just sent this bar's order, before the loop looks again
          if (p.orders > 0 && stopAsked === undefined) {
            fetchesAtStop = restFetches();
            stopAsked = stopTrading(deps, { id: "live1s" });
          }
        },
      });
      await stopAsked;
      expect(stopAsked).toBeDefined();
      // no REST fetch since the window was loaded: the bar came by the stream
      expect(fetchesAtStop).toBe(1);
      expect(r.state).toBe("stopped");
      // the order sent in the bar the stop landed in was cancelled (it rests until the next close)
      expect(r.cancelled.length).toBeGreaterThan(0);
      const orders = deps.orders.ordersOf("live1s");
      const open = ["intent", "sent", "unknown", "acknowledged", "partially_filled"];
      expect(orders.filter((o) => open.includes(o.state)).map((o) => o.clientOrderId)).toEqual([]);
      const ledger = sim.ledger();
      expect(
        ledger.orders
          .filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")
          .map((o) => o.clientOrderId),
      ).toEqual([]);
      expectLedgerEquality(deps, "live1s", sim);
    } finally {
      await broker.close();
      await source.close();
      own.close();
      rmSync(ownHome, { recursive: true, force: true });
    }
  }, 120_000);

  it("fills come by the user-data stream; events it drops, duplicates or reorders are caught each bar without a halt", async () => {
    // 20% of stream events dropped, 5% duplicated, 5% reordered, 3% cut the connection; the full
    // reconciliation only every 50 bars
    const sim = await startSim("ws:drop=0.2,ws:duplicate=0.05,ws:reorder=0.05,ws:disconnect=0.03");
    const home3 = mkdtempSync(join(tmpdir(), "kairos-live-loop3-"));
    const c3 = createContainer({ home: home3 });
    writeTestLimits(home3, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const deps = fastDeps(c3);
    const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    const market = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    await createLiveSession(
      deps,
      "live3",
      {
        strategy: "sma-cross",
        params: { fast: 2, slow: 4 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        capital: 10_000,
        fee: 0.001,
        slippage: 0,
        reconcileEveryBars: 50,
        sizeFraction: 0.95,
      },
      "binance",
      broker,
    );
    const r = await runLiveSession(deps, "live3", {
      broker,
      market,
      pollMs: 20,
      clock: "venue",
      maxBars: 40,
    });
    await stopTrading(deps, { id: "live3" });
    await runLiveSession(deps, "live3", { broker, market, pollMs: 20 });
    await broker.close();
    const fills = deps.orders.fillsOf("live3");
    const bySource = Object.fromEntries(
      ["ws", "poll", "reconcile"].map((k) => [k, fills.filter((f) => f.source === k).length]),
    );
    process.stderr.write(
      `live loop under stream faults: ${r.barsActed} bars, fills by source ${JSON.stringify(bySource)}\n`,
    );
    expect(r.state).toBe("active");
    expect(deps.orders.getSession("live3")!.haltReason).toBeUndefined();
    expect(bySource.ws).toBeGreaterThan(0); // the stream carried fills
    expectLedgerEquality(deps, "live3", sim);
    c3.close();
    rmSync(home3, { recursive: true, force: true });
  }, 120_000);

  it("trade resume rebuilds the live broker from the stored session; stop --flatten sells every position; status and drift read it", async () => {
    const sim = await startSim();
    const home4 = mkdtempSync(join(tmpdir(), "kairos-live-loop4-"));
    const c4 = createContainer({ home: home4 });
    writeTestLimits(home4, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const deps = fastDeps(c4);
    const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url });
    const market = new CcxtMarketDataSource("binance", { apiBase: sim.url });
    await createLiveSession(
      deps,
      "live4",
      {
        // accumulates and never sells (takeProfit 0), so stop --flatten always has a position to sell
        strategy: "dca",
        params: { every: 2, step: 0.2, takeProfit: 0 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        capital: 10_000,
        fee: 0.001,
        slippage: 0,
        reconcileEveryBars: 5,
        sizeFraction: 0.95,
        apiBase: sim.url,
      },
      "binance",
      broker,
    );
    // the first process acts on 6 bars and ends (as if it was restarted)
    await runLiveSession(deps, "live4", { broker, market, pollMs: 20, clock: "venue", maxBars: 6 });
    await broker.close();
    // a new process: only the session id is given; exchange, origin and keys come from the stored config
    let acted = 0;
    const resumed = resumeTrading(deps, { id: "live4" }, () => {
      acted++;
    });
    const held = () => {
      const p = tradeStatus(deps, { id: "live4" }).positions["BTC/USDT"];
      return p !== undefined && Number(p.qty) > 0;
    };
    await waitFor(() => acted >= 6 && held(), 60_000);
    const status = tradeStatus(deps, { id: "live4" });
    expect([status.mode, status.state]).toEqual(["live", "active"]);
    const stop = await stopTrading(deps, { id: "live4", flatten: true });
    const r = await resumed;
    expect(r.state).toBe("stopped");
    expect(r.reconciliation.ok).toBe(true);
    expect(stop.flattenOrders.length).toBe(1);
    expect(stop.flattenOrders[0]!.side).toBe("sell");
    expect(["acknowledged", "filled"]).toContain(stop.flattenOrders[0]!.state);
    // the exchange fills the market sell when its bar closes; a reconciliation brings the fill in
    await waitFor(() => sim.ledger().orders.every((o) => o.status !== "NEW"), 10_000);
    const rec = await reconcileTrading(deps, { id: "live4" });
    const after = tradeStatus(deps, { id: "live4" });
    process.stderr.write(
      `live resume/flatten: ${acted} bars after resume, reconcile ${JSON.stringify(rec.differences)}, positions ${JSON.stringify(after.positions)}\n`,
    );
    expect(Object.values(after.positions).every((p) => Number(p.qty) === 0)).toBe(true);
    expect(after.openOrders).toEqual([]);
    expectLedgerEquality(deps, "live4", sim);
    // drift compares the live fills, one per order and counted in the bar they fell in, with a
    // backtest over the same period; at 18,000x an order can reach the exchange bars after its
    // decision, and the report must then name that
    const d = tradeDrift(deps, { id: "live4" });
    process.stderr.write(`live drift: ${JSON.stringify(d)}\n`);
    const filledOrders = new Set(deps.orders.fillsOf("live4").map((f) => f.clientOrderId));
    expect(d.fills.session).toBe(filledOrders.size);
    expect(d.fills.backtest).toBeGreaterThan(0);
    if (!d.zero)
      expect(d.firstDivergence?.cause).toMatch(
        /late candle|partial fill|reject|decision|slippage|no fill|size|fee/,
      );
    c4.close();
    rmSync(home4, { recursive: true, force: true });
  }, 120_000);

  it("a restarted loop acts on the bars that closed while it was down, none twice", async () => {
    const sim = await startSim();
    // its own home: each simulated exchange numbers its trades from 1, and fills are keyed by (venue, trade id)
    const home2 = mkdtempSync(join(tmpdir(), "kairos-live-loop2-"));
    const c2 = createContainer({ home: home2 });
    writeTestLimits(home2, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const deps = fastDeps(c2);
    const mk = () => ({
      broker: new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url }),
      market: new CcxtMarketDataSource("binance", { apiBase: sim.url }),
    });
    const a = mk();
    await createLiveSession(
      deps,
      "live2",
      {
        strategy: "sma-cross",
        params: { fast: 3, slow: 8 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        capital: 10_000,
        fee: 0.001,
        slippage: 0,
        reconcileEveryBars: 4,
        sizeFraction: 0.95,
      },
      "binance",
      a.broker,
    );
    const acted: number[] = [];
    const r1 = await runLiveSession(deps, "live2", {
      ...a,
      pollMs: 20,
      clock: "venue",
      maxBars: 8,
      onBar: (p) => acted.push(p.barTs),
    });
    await a.broker.close();
    expect([r1.state, deps.orders.lastReconciliation("live2")?.differences]).toEqual(["active", []]);
    expect(r1.barsActed).toBe(8);
    // down while 5 bars of exchange time close (a wait on the exchange's clock, not on this machine's)
    const lastClose = acted.at(-1)! + HOUR;
    await waitFor(() => sim.now() >= lastClose + 5 * HOUR, 30_000);
    const b = mk();
    const r2 = await runLiveSession(deps, "live2", {
      ...b,
      pollMs: 20,
      clock: "venue",
      maxBars: 12,
      onBar: (p) => acted.push(p.barTs),
    });
    await stopTrading(deps, { id: "live2" });
    const r3 = await runLiveSession(deps, "live2", { ...b, pollMs: 20 });
    await b.broker.close();
    expect(r2.barsActed).toBe(12);
    expect(r3.state).toBe("stopped");
    const startTs = (deps.orders.getSession("live2")!.config as { startTs: number }).startTs;
    expect(acted).toEqual(acted.map((_, i) => startTs + i * HOUR));
    expectLedgerEquality(deps, "live2", sim);
    c2.close();
    rmSync(home2, { recursive: true, force: true });
  }, 120_000);
});
