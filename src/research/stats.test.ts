import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { choose, combinations, maxDrawdownOfReturns, moments, quantile } from "./stats.ts";

describe("moments and helpers", () => {
  it("computes moments of a hand-worked series", () => {
    // xs = 1, 2, 3, 10: mean 4, deviations -3 -2 -1 6, m2 = 50/4, m3 = 180/4, m4 = 1394/4
    const m = moments([1, 2, 3, 10]);
    expect(m.mean).toBe(4);
    expect(m.sd).toBeCloseTo(Math.sqrt(50 / 3), 14);
    expect(m.skew).toBeCloseTo(45 / 12.5 ** 1.5, 12);
    expect(m.kurtosis).toBeCloseTo(348.5 / 156.25, 12);
  });
  it("gives skew 0 and kurtosis 3 on a large normal sample", () => {
    const r = createRng(3);
    const xs = Array.from({ length: 200_000 }, () => r.normal());
    const m = moments(xs);
    expect(m.skew).toBeCloseTo(0, 1);
    expect(m.kurtosis).toBeCloseTo(3, 1);
  });
  it("quantile interpolates like numpy", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0, 5], 0.95)).toBeCloseTo(9.5, 12);
  });
  it("max drawdown of +100% then -75% is 75%", () => {
    expect(maxDrawdownOfReturns([1, -0.75, 0.5])).toBeCloseTo(0.75, 12);
  });
  it("counts combinations", () => {
    expect(choose(16, 8)).toBe(12870);
    expect(combinations(6, 2)).toHaveLength(15);
    expect(combinations(4, 2)[5]).toEqual([2, 3]);
  });
});
