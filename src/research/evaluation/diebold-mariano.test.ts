import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { dieboldMariano } from "./diebold-mariano.ts";

describe("dieboldMariano", () => {
  it("matches a case worked by hand (n = 5, h = 2)", () => {
    // d = 1 2 0 4 3: mean 2, gamma0 = 10/5 = 2, gamma1 = -2/5 = -0.4, V = 2 - 0.8 = 1.2
    // DM = 2 / sqrt(1.2 / 5) = 4.0824829; HLN factor sqrt((5 + 1 - 4 + 2/5) / 5) = sqrt(0.48); stat = 2*sqrt(2)
    const r = dieboldMariano([1, 2, 0, 4, 3], 2);
    expect(r.meanDiff).toBe(2);
    expect(r.stat).toBeCloseTo(2 * Math.SQRT2, 10);
    // t with 4 df: F(t) = 1/2 + t (t^2 + 6) / (2 (t^2 + 4)^1.5); at t^2 = 8: 1/2 + 2*sqrt(2)*14 / (2 * 12^1.5)
    const expected = 0.5 - (2 * Math.SQRT2 * 14) / (2 * 12 ** 1.5);
    expect(r.pValue).toBeCloseTo(expected, 10);
  });
  it("h = 1 reduces to the plain t statistic times the HLN factor", () => {
    const d = [0.5, -0.2, 0.9, 0.1, 0.4, -0.3, 0.8];
    const n = d.length;
    const m = d.reduce((a, b) => a + b, 0) / n;
    const v = d.reduce((a, b) => a + (b - m) ** 2, 0) / n;
    const r = dieboldMariano(d, 1);
    expect(r.stat).toBeCloseTo((m / Math.sqrt(v / n)) * Math.sqrt((n - 1) / n), 12);
  });
  it("keeps its size under the null with dependent differentials (h = 6)", () => {
    const rng = createRng(11);
    let rejections = 0;
    const reps = 400;
    for (let k = 0; k < reps; k++) {
      // an MA(5) loss differential: what overlapping 6-bar forecasts produce
      const e = Array.from({ length: 305 }, () => rng.normal());
      const d = Array.from(
        { length: 300 },
        (_, t) => e[t]! + e[t + 1]! + e[t + 2]! + e[t + 3]! + e[t + 4]! + e[t + 5]!,
      );
      if (dieboldMariano(d, 6).pValue < 0.05) rejections++;
    }
    expect(rejections / reps).toBeGreaterThan(0.02);
    expect(rejections / reps).toBeLessThan(0.1);
  });
  it("has power against a real difference", () => {
    const rng = createRng(12);
    const d = Array.from({ length: 500 }, () => 0.3 + rng.normal());
    expect(dieboldMariano(d, 1).pValue).toBeLessThan(1e-6);
  });
});
