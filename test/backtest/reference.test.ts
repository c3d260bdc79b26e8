// The engine against a separate plain implementation of the same rules, written without the engine's code
import { describe, expect, it } from "vitest";
import { runEngine } from "../../src/backtest/engine.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { smaCross } from "../../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

/** SMA(20/50) long-only all-in, fee f, no slippage: the DESIGN.md rules in plain loops */
function plainReference(close: Float64Array, open: Float64Array, fee: number, cash0: number) {
  const n = close.length;
  const smaAt = (i: number, p: number): number => {
    if (i < p - 1) return Number.NaN;
    let s = 0;
    for (let k = i - p + 1; k <= i; k++) s += close[k]!;
    return s / p;
  };
  const start = 49;
  let cash = cash0;
  let qty = 0;
  let target = 0;
  let orderQty = Number.NaN;
  const equity: number[] = [];
  const entries: number[] = [];
  for (let t = start; t < n; t++) {
    if (!Number.isNaN(orderQty)) {
      const p = open[t]!;
      const delta = orderQty - qty;
      if (delta > 0) {
        const buy = Math.min(delta, cash / (p * (1 + fee)));
        cash -= buy * p * (1 + fee);
        qty += buy;
        entries.push(t);
      } else if (delta < 0) {
        cash += -delta * p * (1 - fee);
        qty += delta;
      }
      orderQty = Number.NaN;
    }
    const e = cash + qty * close[t]!;
    equity.push(e);
    const want = smaAt(t, 20) > smaAt(t, 50) ? 1 : 0;
    if (want !== target && t < n - 1) {
      target = want;
      orderQty = (want * e) / close[t]!;
    }
  }
  return { equity, entries };
}

describe("engine vs plain reference: SMA(20/50) on bundled BTC/USDT 1h", () => {
  it("matches the equity curve bar for bar to 1e-9 and the entries exactly", () => {
    const s = loadBundledSeries("binance", "BTC/USDT", "1h");
    const p = smaCross.params.parse({ fast: 20, slow: 50 });
    const res = runEngine({
      series: [s],
      strategy: smaCross.create(p),
      config: defaultExecution({ fee: 0.001 }),
      start: 49,
    });
    const ref = plainReference(s.close, s.open, 0.001, 10_000);
    expect(res.equity.length).toBe(ref.equity.length);
    let worst = 0;
    for (let i = 0; i < ref.equity.length; i++)
      worst = Math.max(worst, Math.abs(res.equity[i]! / ref.equity[i]! - 1));
    const firstBad = ref.equity.findIndex((x, i) => Math.abs(res.equity[i]! / x - 1) > 1e-9);
    expect({ firstBad, worst }).toEqual({ firstBad: -1, worst: expect.any(Number) });
    expect(worst).toBeLessThan(1e-9);
    const entryBars = res.fills.filter((f) => f.side === "buy").map((f) => f.bar);
    expect(entryBars).toEqual(ref.entries);
    expect(res.trades.length).toBe(ref.entries.length);
    expect(res.trades.length).toBeGreaterThan(100);
  });
});
