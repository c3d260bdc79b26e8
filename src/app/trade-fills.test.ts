// P&L today of a paper session, against a reference computed here from the fills and the bundled
// CSV's closes: for each UTC day inside the replay, equity at 00:00 (fills before it, the last close
// before it) and at the session's last bar; and the fills as the order store has them, in time order
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { writeTestLimits } from "../../test/trading/trading-limits.ts";
import { type Container, createContainer } from "../composition-root.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import { tradeFills } from "./trade-fills.ts";
import { startTrading } from "./trade-start.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
let home: string;
let c: Container;
const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const s = sliceSeries(all, all.ts.length - 800);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "kairos-fills-"));
  c = createContainer({ home });
  writeTestLimits(home);
  c.store.upsert(s);
  await startTrading(c.trading(), {
    id: "pf1",
    strategy: "sma-cross",
    params: { fast: 5, slow: 20 },
    symbols: "BTC/USDT",
    timeframe: "1h",
    from: new Date(s.ts[100]!).toISOString(),
    capital: 10_000,
  });
});
afterAll(() => {
  c.close();
  rmSync(home, { recursive: true, force: true });
});

/** the last close of a candle that ended by `at` (open + 1h <= at), from the CSV */
function closeBy(at: number): number {
  let v = Number.NaN;
  for (let i = 0; i < s.ts.length; i++) if (s.ts[i]! + HOUR <= at) v = s.close[i]!;
  return v;
}

describe("trade fills and P&L today", () => {
  it("fills in time order with ISO times; P&L today = equity at the last bar minus at 00:00 UTC, for every day of the replay", () => {
    const deps = c.trading();
    const stored = deps.orders.fillsOf("pf1");
    expect(stored.length).toBeGreaterThan(10);
    const lastBar = deps.orders.getSession("pf1")!.lastBarTs!;
    const equity = (fills: typeof stored, at: number): number => {
      let usdt = 10_000;
      let btc = 0;
      for (const f of fills) {
        const q = Number(f.qty);
        const p = Number(f.price);
        const sign = f.side === "buy" ? 1 : -1;
        btc += sign * q;
        usdt -= sign * q * p;
        if (f.feeAsset === "USDT") usdt -= Number(f.fee);
        else btc -= Number(f.fee);
      }
      return usdt + (btc === 0 ? 0 : btc * closeBy(at));
    };
    const firstDay = Math.floor(stored[0]!.ts / DAY) * DAY;
    let checked = 0;
    for (let day = firstDay; day <= lastBar; day += DAY) {
      // noon of that day by the trading clock
      const now = day + 12 * HOUR;
      const r = tradeFills({ ...deps, clock: { now: () => now } }, { id: "pf1" });
      const before = stored.filter((f) => f.ts < day);
      const atStart = equity(before, day);
      const atNow = equity(stored, Math.min(now + 1, lastBar + HOUR));
      expect(r.today.day).toBe(new Date(day).toISOString().slice(0, 10));
      expect(r.today.startTs).toBe(day);
      expect(Number(r.today.equityAtStart)).toBeCloseTo(atStart, 6);
      expect(Number(r.today.equity)).toBeCloseTo(atNow, 6);
      expect(Number(r.today.pnl)).toBeCloseTo(atNow - atStart, 6);
      expect(r.today.fills).toBe(stored.length - before.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    const r = tradeFills(deps, { id: "pf1", limit: 5 });
    expect(r.total).toBe(stored.length);
    const sorted = [...stored].sort((a, b) => a.ts - b.ts).slice(-5);
    expect(r.fills.map((f) => [f.time, f.side, f.qty, f.price])).toEqual(
      sorted.map((f) => [new Date(f.ts).toISOString(), f.side, f.qty, f.price]),
    );
    // the wall clock's today is long after the bundled data: nothing happened today
    expect(Number(tradeFills(deps, { id: "pf1" }).today.pnl)).toBe(0);
    expect(() => tradeFills(deps, { id: "nope" })).toThrow(/no trading session/);
  }, 60_000);
});
