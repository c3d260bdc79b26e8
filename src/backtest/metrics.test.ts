import { describe, expect, it } from "vitest";
import { tradeOf } from "../../test/support/backtest-fixtures.ts";
import type { Trade } from "../domain/trade.ts";
import {
  buyAndHoldCurve,
  computeMetrics,
  curveStats,
  maxDrawdownOf,
  relativeStats,
  sharpeOf,
} from "./metrics.ts";

// hand-computed: returns 0.1, -0.2, 0.25, 0 ; mean 0.0375
const eq = new Float64Array([100, 110, 88, 110, 110]);

describe("metrics on a hand-computed curve", () => {
  it("sharpe, sortino, volatility, drawdown", () => {
    const r = [0.1, -0.2, 0.25, 0];
    const mean = 0.0375;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    const c = curveStats(eq, 365);
    expect(c.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 12);
    expect(sharpeOf(eq, 365)).toBeCloseTo(c.sharpe, 12);
    expect(c.sortino).toBeCloseTo((mean / Math.sqrt(0.04 / 3)) * Math.sqrt(365), 12);
    expect(c.volatility).toBeCloseTo(sd * Math.sqrt(365), 12);
    expect(c.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(maxDrawdownOf(eq)).toBeCloseTo(0.2, 12);
    // peak at bar 1, recovered at bar 3
    expect(c.maxDrawdownBars).toBe(2);
    expect(c.maxDrawdownPeak).toBe(1);
    expect(c.totalReturn).toBeCloseTo(0.1, 12);
    expect(c.annualReturn).toBeCloseTo(1.1 ** (365 / 4) - 1, 9);
  });

  it("an unrecovered drawdown lasts to the end", () => {
    const c = curveStats(new Float64Array([1, 2, 1.5, 1.8, 1.9]), 365);
    expect(c.maxDrawdownBars).toBe(3);
    expect(c.maxDrawdown).toBeCloseTo(0.25, 12);
  });

  it("beta of a curve against itself is 1, alpha 0, IR 0", () => {
    const rel = relativeStats(eq, eq, 365);
    expect(rel.beta).toBeCloseTo(1, 12);
    expect(rel.alpha).toBeCloseTo(0, 12);
    expect(rel.informationRatio).toBe(0);
    const doubled = new Float64Array(eq.length);
    doubled[0] = 1;
    for (let i = 1; i < eq.length; i++) doubled[i] = doubled[i - 1]! * (1 + 2 * (eq[i]! / eq[i - 1]! - 1));
    expect(relativeStats(doubled, eq, 365).beta).toBeCloseTo(2, 12);
  });

  it("trade figures and buy-and-hold", () => {
    const t = (pnl: number): Trade => tradeOf(pnl);
    const ts = new Float64Array([0, 1, 2, 3, 4].map((i) => i * 86_400_000));
    const bh = buyAndHoldCurve([new Float64Array([10, 11, 12, 11, 13])], 100);
    expect(Array.from(bh)).toEqual([100, 110, 120, 110, 130].map((x) => expect.closeTo(x, 9)));
    const m = computeMetrics({
      timeframe: "1d",
      ts,
      equity: eq,
      trades: [t(30), t(-10), t(-5)],
      fees: 1.5,
      funding: 0,
      tradedNotional: 200,
      exposedBars: 2,
      buyAndHoldEquity: bh,
    });
    expect(m.winRate).toBeCloseTo(1 / 3, 12);
    expect(m.profitFactor).toBeCloseTo(2, 12);
    expect(m.expectancy).toBeCloseTo(5, 12);
    expect(m.exposure).toBeCloseTo(0.4, 12);
    expect(m.turnover).toBeCloseTo(200 / 103.6, 12);
    expect(m.maxDrawdownMs).toBe(2 * 86_400_000);
    expect(m.calmar).toBeCloseTo(m.annualReturn / 0.2, 9);
    expect(m.buyAndHold.totalReturn).toBeCloseTo(0.3, 12);
    expect(Number.isNaN(m.alpha)).toBe(true);
  });
});
