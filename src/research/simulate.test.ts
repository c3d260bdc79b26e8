import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulateBasket, simulateExposure } from "./simulate.ts";

describe("simulateExposure", () => {
  it("follows a 5-bar example worked by hand", () => {
    const open = [10, 10, 11, 12, 12];
    const close = [10, 11, 12, 12, 13];
    // long decided at bar 1's close, filled at bar 2's open (11) with a 0.1% fee: the cash cap binds,
    // qty = 1 / (11 * 1.001); flat decided at bar 3, sold at bar 4's open (12) less the fee
    const r = simulateExposure(open, close, [0, 1, 1, 0, 0], { fee: 0.001, slippage: 0 });
    const q = 1 / 11.011;
    expect(Array.from(r.returns)).toEqual([
      0,
      0,
      expect.closeTo(q * 12 - 1, 12),
      0,
      expect.closeTo(-0.001, 12),
    ]);
    expect(r.trades.count).toBe(1);
    expect(r.trades.entry[0]).toBe(2);
    expect(r.trades.exit[0]).toBe(4);
    expect(r.trades.ret[0]).toBeCloseTo((12 * 0.999) / 11.011 - 1, 12);
    expect(r.barsInMarket).toBe(2);
  });

  it("slippage moves the fill price against the trader", () => {
    const r = simulateExposure([10, 10, 10], [10, 10, 10], [1, 1, 1], { fee: 0, slippage: 0.01 });
    expect(r.returns[1]).toBeCloseTo(1 / 1.01 - 1, 12);
    expect(r.trades.exit[0]).toBe(3); // still open at the end
  });

  it("property: always long without costs earns close-to-close returns after the first fill", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 3, maxLength: 60 }),
        (rs) => {
          const close = [100];
          for (const x of rs) close.push(close[close.length - 1]! * (1 + x));
          const open = close.map((c, i) => (i === 0 ? c : close[i - 1]!));
          const r = simulateExposure(
            open,
            close,
            close.map(() => 1),
            { fee: 0, slippage: 0 },
          );
          for (let t = 1; t < close.length; t++)
            if (Math.abs(r.returns[t]! - (close[t]! / close[t - 1]! - 1)) > 1e-12) return false;
          return true;
        },
      ),
    );
  });
});

describe("simulateBasket", () => {
  it("one symbol in a basket behaves as simulateExposure", () => {
    const open = new Float64Array([10, 10, 11, 12, 12, 11]);
    const close = new Float64Array([10, 11, 12, 12, 13, 11]);
    const w = new Float64Array([0, 1, 1, 0, 1, 1]);
    const a = simulateExposure(open, close, w, { fee: 0.001, slippage: 0.0005 });
    const b = simulateBasket([open], [close], [w], { fee: 0.001, slippage: 0.0005 });
    for (let t = 0; t < 6; t++) expect(b.returns[t]).toBeCloseTo(a.returns[t]!, 12);
  });
  it("a symbol joins only from its first bar", () => {
    const nan = Number.NaN;
    const open = [new Float64Array([10, 10, 10, 10]), new Float64Array([nan, nan, 5, 5])];
    const close = [new Float64Array([10, 10, 10, 10]), new Float64Array([nan, nan, 5, 10])];
    // the weight on symbol 2 before it exists is ignored; from bar 2's close it is bought at bar 3's open
    const w = [new Float64Array([0, 0, 0, 0]), new Float64Array([1, 1, 1, 1])];
    const r = simulateBasket(open, close, w, { fee: 0, slippage: 0 });
    expect(Array.from(r.returns)).toEqual([0, 0, 0, 1]);
  });
});

describe("agreement with the sweep engine's definition path", () => {
  it("final equity and Sharpe equal the sweep engine's simulateExposures for every screen family", async () => {
    const { loadBundledSeries } = await import("../../test/support/bundled-data.ts");
    const { prepareSeries } = await import("../backtest/sweep/prepared.ts");
    const { simulateExposures, RESULT_STRIDE, R_FINAL_EQUITY, R_SHARPE, R_TRADES } = await import(
      "../backtest/sweep/simulate.ts"
    );
    const { SCREEN_FAMILIES, isBasket } = await import("../strategies/catalog.ts");
    const s = loadBundledSeries("binance", "ETH/USDT", "1d");
    const prep = prepareSeries(s);
    const costs = { fee: 0.001, slippage: 0.002 };
    for (const f of SCREEN_FAMILIES) {
      if (isBasket(f)) continue;
      const e = f.exposures(s, f.params.parse({}));
      const mine = simulateExposure(s.open, s.close, e, costs, undefined, s);
      const row = new Float64Array(RESULT_STRIDE);
      simulateExposures(prep, e, { ...costs, initialCash: 1, fraction: 1, barsPerYear: 365 }, row, 0);
      let eq = 1;
      for (const r of mine.returns) eq *= 1 + r;
      expect(eq, f.name).toBeCloseTo(row[R_FINAL_EQUITY]!, 9);
      const m = sharpeOf(mine.returns.subarray(1)) * Math.sqrt(365);
      expect(m, f.name).toBeCloseTo(row[R_SHARPE]!, 9);
      expect(mine.trades.count, f.name).toBe(row[R_TRADES]);
    }
  });
});

function sharpeOf(xs: Float64Array): number {
  let s = 0;
  let q = 0;
  for (const x of xs) {
    s += x;
    q += x * x;
  }
  const n = xs.length;
  const mean = s / n;
  const v = (q - s * mean) / (n - 1);
  return v > 0 ? mean / Math.sqrt(v) : 0;
}
