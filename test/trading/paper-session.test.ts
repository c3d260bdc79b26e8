// A paper session end to end on the bundled BTC/USDT 1h bars: the books kairos keeps (baseline +
// fills) equal the paper venue's, and the session makes exactly the backtest's decisions and fills
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBacktest } from "../../src/app/run-backtest.ts";
import { tradeDrift } from "../../src/app/trade-drift.ts";
import { openSession } from "../../src/app/trade-runtime.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { accountView } from "../../src/execution/accounting.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { writeTestLimits } from "./trading-limits.ts";

let home: string;
let c: Container;
const BARS = 1500;
let fromIso: string;
let toIso: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "kairos-paper-"));
  c = createContainer({ home });
  // the session trades its whole 10,000 USDT equity: beyond the default limits
  writeTestLimits(home);
  const all = loadBundledSeries("binance", "BTC/USDT", "1h");
  const s = sliceSeries(all, all.ts.length - BARS);
  c.store.upsert(s);
  fromIso = new Date(s.ts[200]!).toISOString();
  toIso = new Date(s.ts[BARS - 1]! + 3_600_000).toISOString();
});

afterAll(() => {
  c.close();
  rmSync(home, { recursive: true, force: true });
});

describe("paper session", () => {
  it("paper = backtest: sma-cross on BTC/USDT 1h gives the backtest's decisions and fills, and kairos's books equal the venue's", async () => {
    const deps = c.trading();
    const r = await startTrading(deps, {
      id: "pb1",
      strategy: "sma-cross",
      params: { fast: 10, slow: 30 },
      symbols: "BTC/USDT",
      timeframe: "1h",
      from: fromIso,
      to: toIso,
      capital: 10_000,
    });
    expect(r.state).toBe("active");
    const live = openSession(deps, "pb1");
    const rec = await live.reconcile(false);
    expect(rec.differences).toEqual([]);
    expect(rec.ok).toBe(true);

    const rules = live.cfg.rules[0]!;
    const bt = runBacktest(
      { store: c.store },
      {
        strategy: "sma-cross",
        params: { fast: 10, slow: 30 },
        symbols: ["BTC/USDT"],
        timeframe: "1h",
        from: fromIso,
        to: toIso,
        fee: 0.001,
        lotSize: Number(rules.stepSize),
        priceTick: Number(rules.tickSize),
        minNotional: Number(rules.minNotional),
      },
    ).result;
    const fills = deps.orders.fillsOf("pb1");
    expect(bt.fills.length).toBeGreaterThan(10);
    expect(fills.map((f) => [f.ts, f.side])).toEqual(bt.fills.map((f) => [f.ts, f.side]));
    for (const [i, f] of fills.entries()) {
      const b = bt.fills[i]!;
      expect(Number(f.price)).toBeCloseTo(b.price, 6); // the backtest ticks in float (116523.15000000001)
      expect(Number(f.qty)).toBeCloseTo(b.qty, 9);
      expect(Number(f.fee)).toBeCloseTo(b.fee, 8);
    }
    const view = accountView(live.session.account());
    const venue = Object.fromEntries((await live.venue.balances()).map((b) => [b.asset, b.free]));
    const nonZero = Object.fromEntries(Object.entries(view.balances).filter(([, v]) => v !== "0"));
    expect(nonZero).toEqual(venue);
    const last = bt.equity[bt.equity.length - 1]!;
    const close = live.series[0]!.close[live.series[0]!.close.length - 1]!;
    const paperEquity = Number(view.balances.USDT) + Number(view.balances.BTC ?? 0) * close;
    expect(paperEquity).toBeCloseTo(last, 6);
    // the drift monitor agrees: all zero
    const drift = tradeDrift(deps, { id: "pb1" });
    process.stderr.write(`paper = backtest: ${JSON.stringify(drift)}\n`);
    expect(drift.firstDivergence).toBeUndefined();
    expect(drift.fills.matched).toBe(bt.fills.length);
    expect(drift.zero).toBe(true);
  });
});
