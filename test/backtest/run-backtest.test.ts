// The runBacktest use case over a real SQLite home: warm-up, benchmark, portfolio, stored funding, detail bars
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteFundingStore } from "../../src/adapters/sqlite/sqlite-funding-store.ts";
import { type RunBacktestRequest, runBacktest } from "../../src/app/run-backtest.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { asCli } from "../support/cli.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-runbt-"));
let db: Db;
let store: SqliteCandleStore;
let funding: SqliteFundingStore;
const H8 = 8 * 3_600_000;

beforeAll(() => {
  db = openDatabase(home);
  store = new SqliteCandleStore(db);
  funding = new SqliteFundingStore(db);
  // 2024-01 .. 2024-06 of 1h, the 5m detail of the same months
  const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
  const eth = loadBundledSeries("binance", "ETH/USDT", "1h");
  const from = btc.ts.findIndex((t) => t >= Date.UTC(2024, 0, 1));
  const to = btc.ts.findIndex((t) => t >= Date.UTC(2024, 6, 1));
  store.upsert(sliceSeries(btc, from - 200, to));
  const ef = eth.ts.findIndex((t) => t >= Date.UTC(2024, 0, 1));
  store.upsert(sliceSeries(eth, ef - 200, ef - 200 + (to - from + 200)));
  const b5 = loadBundledSeries("binance", "BTC/USDT", "5m");
  store.upsert(
    sliceSeries(
      b5,
      0,
      b5.ts.findIndex((t) => t >= Date.UTC(2024, 6, 1)),
    ),
  );
  // funding every 8h: 0.03% on even days, -0.01% on odd days
  const ts: number[] = [];
  const rate: number[] = [];
  for (let t = Date.UTC(2023, 11, 1); t < Date.UTC(2024, 6, 1); t += H8) {
    ts.push(t);
    rate.push(Math.floor(t / 86_400_000) % 2 === 0 ? 0.0003 : -0.0001);
  }
  funding.upsertFunding({
    exchange: "binance",
    symbol: "BTC/USDT:USDT",
    ts: Float64Array.from(ts),
    rate: Float64Array.from(rate),
  });
});
afterAll(() => {
  db.close();
  rmSync(home, { recursive: true, force: true });
});

describe("runBacktest", () => {
  it("starts at --from with the declared warm-up loaded before it, and reports alpha/beta vs BTC", () => {
    const run = runBacktest(
      { store, funding },
      {
        strategy: "sma-cross",
        params: { fast: 10, slow: 100 },
        symbols: ["ETH/USDT"],
        timeframe: "1h",
        from: "2024-02-01",
        to: "2024-06-01",
      },
    );
    const r = run.result;
    expect(r.warmupBars).toBe(99);
    expect(r.ts[0]).toBe(Date.UTC(2024, 1, 1));
    expect(r.ts[r.ts.length - 1]).toBe(Date.UTC(2024, 5, 1) - 3_600_000);
    expect(run.benchmark).toBe("BTC/USDT");
    expect(Number.isFinite(r.metrics.beta)).toBe(true);
    expect(r.metrics.beta).toBeGreaterThan(0);
    expect(run.series[0]!.ts[0]).toBe(Date.UTC(2024, 1, 1));
  });

  it("a two-symbol portfolio trades both on one cash balance", () => {
    const run = runBacktest(
      { store },
      { strategy: "ema-cross", symbols: ["BTC/USDT", "ETH/USDT"], timeframe: "1h", from: "2024-01-01" },
    );
    const syms = new Set(run.result.trades.map((t) => t.symbol));
    expect([...syms].sort()).toEqual(["BTC/USDT", "ETH/USDT"]);
    for (let k = 0; k < run.result.equity.length; k += 97) {
      const marked =
        run.result.cash[k]! +
        run.result.positions["BTC/USDT"]![k]! * run.series[0]!.close[k]! +
        run.result.positions["ETH/USDT"]![k]! * run.series[1]!.close[k]!;
      expect(run.result.equity[k]).toBeCloseTo(marked, 6);
    }
    // each symbol gets half: no position ever exceeds about half the equity at entry
    const maxShare = Math.max(
      ...run.result.fills
        .filter((f) => f.side === "buy")
        .map((f) => (f.qty * f.price) / run.result.equity[Math.max(0, f.bar - run.result.warmupBars - 1)]!),
    );
    expect(maxShare).toBeLessThan(0.56);
  });

  it("perpetuals pay the stored funding history at its 8h instants", () => {
    const run = runBacktest(
      { store, funding },
      {
        strategy: "sma-cross",
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        from: "2024-01-01",
        leverage: 2,
        market: "perp",
        fee: 0,
      },
    );
    const r = run.result;
    const s = run.series[0]!;
    let want = 0;
    for (let k = 0; k < s.ts.length; k++) {
      const t = s.ts[k]!;
      if (t % H8 !== 0) continue;
      want +=
        r.positions["BTC/USDT"]![k]! * s.open[k]! * (Math.floor(t / 86_400_000) % 2 === 0 ? 0.0003 : -0.0001);
    }
    expect(r.config.fundingHistory?.["BTC/USDT"]?.ts.length).toBeGreaterThan(500);
    expect(Math.abs(want)).toBeGreaterThan(1);
    expect(r.metrics.funding).toBeCloseTo(want, 6);
  });

  it("finer detail bars from the store can change which exit a bar takes, never the rules", () => {
    const base = {
      strategy: "donchian-breakout",
      symbols: ["BTC/USDT"],
      timeframe: "1h",
      from: "2024-01-01",
      stopLoss: "0.6%",
      takeProfit: "0.6%",
    } satisfies RunBacktestRequest;
    const coarse = runBacktest({ store }, base).result;
    const fine = runBacktest({ store }, { ...base, detailTimeframe: "5m" }).result;
    const exits = (r: typeof coarse) => r.trades.map((t) => t.exitReason).join(",");
    // with both levels 0.6% away, coarse bars often see both and must take the stop; 5m bars often know better
    const tp = (r: typeof coarse) => r.trades.filter((t) => t.exitReason === "take-profit").length;
    expect(tp(fine)).toBeGreaterThan(tp(coarse));
    expect(exits(fine)).not.toBe(exits(coarse));
    expect(() => asCli("backtest", () => runBacktest({ store }, { ...base, detailTimeframe: "4h" }))).toThrow(
      /--detail 4h must be a finer timeframe/,
    );
  });

  it("bad input is refused with one clear line", () => {
    const base = { strategy: "sma-cross", symbols: ["BTC/USDT"], timeframe: "1h" };
    expect(() => asCli("backtest", () => runBacktest({ store }, { ...base, strategy: "nope" }))).toThrow(
      /unknown strategy "nope": use one of sma-cross, ema-cross, rsi-reversion, donchian-breakout/,
    );
    expect(() => asCli("backtest", () => runBacktest({ store }, { ...base, fee: "ten" }))).toThrow(
      /--fee "ten": write a fraction/,
    );
    expect(() => asCli("backtest", () => runBacktest({ store }, { ...base, params: { fast: "x" } }))).toThrow(
      /sma-cross --fast: /,
    );
    expect(() =>
      asCli("backtest", () => runBacktest({ store }, { ...base, symbols: ["DOGE/USDT"] })),
    ).toThrow(/no DOGE\/USDT 1h candles/);
    expect(() =>
      asCli("backtest", () => runBacktest({ store }, { ...base, from: "2024-03-01", to: "2024-02-01" })),
    ).toThrow(/--to must be after --from/);
    expect(() => asCli("backtest", () => runBacktest({ store }, { ...base, leverage: 500 }))).toThrow(
      /--leverage 500/,
    );
    // the same rate three ways
    const a = runBacktest({ store }, { ...base, from: "2024-03-01", fee: "0.1%" }).result.metrics;
    const b = runBacktest({ store }, { ...base, from: "2024-03-01", fee: "10bps" }).result.metrics;
    const c = runBacktest({ store }, { ...base, from: "2024-03-01", fee: 0.001 }).result.metrics;
    expect(a).toEqual(b);
    expect(a).toEqual(c);
  });
});
