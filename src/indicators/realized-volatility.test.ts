import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  closeToCloseVolatility,
  closeToCloseVolatilityAt,
  realizedVolatility,
} from "./realized-volatility.ts";

/** The definition written plainly: sample sd (ddof 1) of the last `p` log returns, times sqrt(ann) */
function plain(close: number[], t: number, p: number, ann: number): number {
  if (t < p) return Number.NaN;
  const r: number[] = [];
  for (let i = t - p + 1; i <= t; i++) r.push(Math.log(close[i]! / close[i - 1]!));
  const m = r.reduce((a, b) => a + b, 0) / p;
  const v = r.reduce((a, b) => a + (b - m) ** 2, 0) / (p - 1);
  return Math.sqrt(v) * Math.sqrt(ann);
}

const closesArb = fc
  .array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 3, maxLength: 400 })
  .map((rs) => {
    const c = [100];
    for (const r of rs) c.push(c[c.length - 1]! * Math.exp(r));
    return c;
  });

describe("realised volatility: one definition (closeToCloseVolatility)", () => {
  it("hand-worked: closes 100, 110, 99, 108.9 over 2 returns, per bar and annualised by 365", () => {
    const c = Float64Array.from([100, 110, 99, 108.9]);
    // returns ln 1.1, ln 0.9, ln 1.1: sd of (ln 1.1, ln 0.9) = |ln 1.1 - ln 0.9| / sqrt 2
    const a = Math.abs(Math.log(1.1) - Math.log(0.9)) / Math.SQRT2;
    const v = closeToCloseVolatility(c, 2);
    expect(Number.isNaN(v[0]!) && Number.isNaN(v[1]!)).toBe(true);
    expect(v[2]).toBeCloseTo(a, 14);
    expect(v[3]).toBeCloseTo(a, 14);
    expect(closeToCloseVolatility(c, 2, 365)[2]).toBeCloseTo(a * Math.sqrt(365), 12);
    expect(closeToCloseVolatilityAt(c, 2, 2, 365)).toBeCloseTo(a * Math.sqrt(365), 12);
  });

  it("property: the array form, the bar-by-bar form and the indicator's close-to-close estimator all equal the plain definition", () => {
    fc.assert(
      fc.property(closesArb, fc.integer({ min: 2, max: 60 }), fc.constantFrom(1, 365, 8760), (c, p, ann) => {
        const close = Float64Array.from(c);
        const arr = closeToCloseVolatility(close, p, ann);
        const ind = realizedVolatility(
          { open: close, high: close, low: close, close },
          "close-to-close",
          p,
          ann,
        );
        let maxSq = 0;
        for (let t = 0; t < c.length; t++) {
          if (t > 0) maxSq = Math.max(maxSq, Math.log(c[t]! / c[t - 1]!) ** 2);
          const want = plain(c, t, p, ann);
          // compared as variances: running sums lose about p * eps of the largest squared return seen so
          // far, so a near-zero sd (a flat window after a move) can differ by sqrt of that, not by 1e-12
          const tol = 1e-9 * want * want + 64 * Number.EPSILON * p * maxSq * ann;
          for (const got of [arr[t]!, ind[t]!, closeToCloseVolatilityAt(close, t, p, ann)]) {
            if (Number.isNaN(want)) expect(got).toBeNaN();
            else expect(Math.abs(got * got - want * want)).toBeLessThanOrEqual(tol);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is 0 when the returns do not vary (a constant growth rate)", () => {
    const c = Float64Array.from({ length: 30 }, (_, i) => 100 * 1.01 ** i);
    expect(closeToCloseVolatility(c, 10)[20]).toBeLessThan(1e-7);
    expect(
      closeToCloseVolatilityAt(
        Float64Array.from({ length: 30 }, () => 5),
        20,
        10,
      ),
    ).toBe(0);
  });
});
