import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { choose, combinations, maxDrawdownOfReturns, moments, normCdf, normInv, quantile } from "./stats.ts";

describe("normal distribution", () => {
  it("matches published values of the standard normal CDF", () => {
    // values from R's pnorm / scipy.stats.norm.cdf
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normCdf(3)).toBeCloseTo(0.9986501019683699, 14);
    expect(normCdf(-8)).toBeCloseTo(6.220960574271785e-16, 20);
  });
  it("inverts the CDF to machine precision", () => {
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normInv(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normInv(0.01)).toBeCloseTo(-2.3263478740408408, 12);
    expect(normInv(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    for (const p of [1e-6, 0.02, 0.3, 0.5, 0.77, 0.999]) expect(normCdf(normInv(p))).toBeCloseTo(p, 13);
  });
});

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
