import { describe, expect, it } from "vitest";
import {
  incompleteBeta,
  logGamma,
  normalCdf,
  normalQuantile,
  studentTCdf,
  wilsonInterval,
} from "./distributions.ts";

describe("distribution functions", () => {
  it("normal CDF and quantile match textbook values", () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644853626951472)).toBeCloseTo(0.05, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 6);
  });
  it("log gamma matches exact factorials", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
  it("incomplete beta has the closed forms of small parameters", () => {
    // I_x(1, b) = 1 - (1 - x)^b and I_x(a, 1) = x^a
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(0.6 ** 3, 12);
  });
  it("Student t CDF matches R's qt quantiles", () => {
    // qt(0.975, 10) = 2.228138852, qt(0.95, 3) = 2.353363435, qt(0.995, 30) = 2.749995654
    expect(studentTCdf(2.228138852, 10)).toBeCloseTo(0.975, 8);
    expect(studentTCdf(2.353363435, 3)).toBeCloseTo(0.95, 8);
    expect(studentTCdf(-2.749995654, 30)).toBeCloseTo(0.005, 8);
    // one degree of freedom is the Cauchy distribution: F(t) = 1/2 + atan(t)/pi
    expect(studentTCdf(1.7, 1)).toBeCloseTo(0.5 + Math.atan(1.7) / Math.PI, 12);
  });
  it("Wilson interval matches R's prop.test(52, 100, correct = FALSE)", () => {
    // the closed form worked out by hand; R prints 0.4231658 0.6153545
    const z = 1.959963984540054;
    const p = 0.52;
    const c = (p + (z * z) / 200) / (1 + (z * z) / 100);
    const h = (z * Math.sqrt((p * (1 - p)) / 100 + (z * z) / 40000)) / (1 + (z * z) / 100);
    const ci = wilsonInterval(52, 100);
    expect(ci.lo).toBeCloseTo(c - h, 6);
    expect(ci.hi).toBeCloseTo(c + h, 6);
    expect(ci.lo).toBeCloseTo(0.4231, 3);
    expect(ci.hi).toBeCloseTo(0.6153, 3);
  });
});

// moved from src/research/stats.test.ts with the one normal CDF (assertions unchanged)
describe("normal distribution", () => {
  it("matches published values of the standard normal CDF", () => {
    // values from R's pnorm / scipy.stats.norm.cdf
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalCdf(3)).toBeCloseTo(0.9986501019683699, 14);
    expect(normalCdf(-8)).toBeCloseTo(6.220960574271785e-16, 20);
  });
  it("inverts the CDF to machine precision", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    for (const p of [1e-6, 0.02, 0.3, 0.5, 0.77, 0.999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 13);
  });
});
