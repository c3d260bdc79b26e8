import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCK, blockCount, blockMinMax, superCount, superMinMax } from "./block-summary.ts";

/** The definition, written plainly: min/max of each block, -Inf/+Inf for a block holding a NaN */
function naive(src: number[]): { min: number[]; max: number[] } {
  const min: number[] = [];
  const max: number[] = [];
  for (let i = 0; i < src.length; i += BLOCK) {
    const block = src.slice(i, i + BLOCK);
    const bad = block.some(Number.isNaN);
    min.push(bad ? Number.NEGATIVE_INFINITY : block.reduce((a, b) => (b < a ? b : a)));
    max.push(bad ? Number.POSITIVE_INFINITY : block.reduce((a, b) => (b > a ? b : a)));
  }
  return { min, max };
}

const value = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

describe("block summaries", () => {
  it("blockMinMax gives each block's min and max (ties, infinities, NaN, a partial last block)", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), (xs) => {
        const src = Float64Array.from(xs);
        const min = new Float64Array(blockCount(src.length));
        const max = new Float64Array(blockCount(src.length));
        blockMinMax(src, min, max);
        const want = naive(xs);
        // == rather than Object.is: which zero a tie of -0 and +0 returns does not matter to a skip test
        expect(Array.from(min).every((v, b) => v === want.min[b])).toBe(true);
        expect(Array.from(max).every((v, b) => v === want.max[b])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("superMinMax gives the min and max over each run of eight blocks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (xs) => {
          const src = Float64Array.from(xs);
          const nb = blockCount(src.length);
          const min = new Float64Array(nb);
          const max = new Float64Array(nb);
          blockMinMax(src, min, max);
          const smin = new Float64Array(superCount(src.length));
          const smax = new Float64Array(superCount(src.length));
          superMinMax(min, max, smin, smax);
          for (let s = 0; s < smin.length; s++) {
            const part = xs.slice(s * 8 * BLOCK, (s + 1) * 8 * BLOCK);
            expect(smin[s]).toBe(Math.min(...part));
            expect(smax[s]).toBe(Math.max(...part));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
