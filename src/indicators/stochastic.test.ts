// The slow stochastic runs through three pieces of code (the warm-up loop, a kernel generated for
// the period, the loop again for the last blocks) or the general loop; whatever the period, the
// smoothing and the length, its outputs must be the streaming form's, bit for bit. The stream
// finds its extremes with monotonic deques, an independent algorithm.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StochasticStream, stochastic } from "./stochastic.ts";
import { blockKernel, blockKernelSource, MAX_BLOCK_PERIOD } from "./stochastic-block.ts";

/** A random walk with flat bars, repeated highs and an occasional NaN */
const bars = fc
  .array(
    fc.tuple(
      fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      fc.double({ min: 0, max: 0.02, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.nat(40),
    ),
    { minLength: 0, maxLength: 400, size: "max" },
  )
  .map((steps) => {
    const n = steps.length;
    const high = new Float64Array(n);
    const low = new Float64Array(n);
    const close = new Float64Array(n);
    let p = 100;
    steps.forEach(([r, w, c, kind], i) => {
      p *= Math.exp(r);
      const flat = kind === 0;
      high[i] = kind === 1 ? Number.NaN : flat ? p : p * (1 + w);
      low[i] = flat ? p : p * (1 - w);
      close[i] = flat ? p : low[i]! + (p * (1 + w) - low[i]!) * c;
    });
    return { high, low, close };
  });

describe("stochastic batch = stream for every period and smoothing", () => {
  it("holds bit for bit through the generated kernels, the loops and the general path", () => {
    fc.assert(
      fc.property(
        bars,
        fc.integer({ min: 1, max: MAX_BLOCK_PERIOD + 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        ({ high, low, close }, kPeriod, kSmooth, dPeriod) => {
          const out = stochastic(high, low, close, kPeriod, kSmooth, dPeriod);
          const s = new StochasticStream(kPeriod, kSmooth, dPeriod);
          for (let i = 0; i < close.length; i++) {
            const k = s.update({ high: high[i]!, low: low[i]!, close: close[i]! });
            if (!Object.is(k, out.k[i]) || !Object.is(s.d, out.d[i]))
              throw new Error(
                `(${kPeriod},${kSmooth},${dPeriod}) bar ${i} of ${close.length}: stream ${k}/${s.d}, batch ${out.k[i]}/${out.d[i]}`,
              );
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("runs the kernel on long series too (many block pairs, an odd block, a partial block)", () => {
    const n = 14 * 2 * 37 + 14 + 5;
    const high = new Float64Array(n);
    const low = new Float64Array(n);
    const close = new Float64Array(n);
    let p = 50;
    for (let i = 0; i < n; i++) {
      p *= 1 + Math.sin(i * 0.7) * 0.01 + Math.cos(i * 1.3) * 0.004;
      high[i] = p * (1 + 0.003 * (1 + Math.sin(i)));
      low[i] = p * (1 - 0.003 * (1 + Math.cos(i * 0.5)));
      close[i] = (high[i]! + low[i]!) / 2 + (high[i]! - low[i]!) * 0.3 * Math.sin(i * 2.1);
    }
    for (const [kp, ks, dp] of [
      [14, 3, 3],
      [5, 1, 3],
      [9, 2, 1],
      [MAX_BLOCK_PERIOD, 3, 3],
    ] as const) {
      const out = stochastic(high, low, close, kp, ks, dp);
      const s = new StochasticStream(kp, ks, dp);
      for (let i = 0; i < n; i++) {
        expect(Object.is(s.update({ high: high[i]!, low: low[i]!, close: close[i]! }), out.k[i])).toBe(true);
        expect(Object.is(s.d, out.d[i])).toBe(true);
      }
    }
  });

  it("generates kernels only up to MAX_BLOCK_PERIOD and smoothing of at most 3, from integers", () => {
    expect(blockKernel(MAX_BLOCK_PERIOD + 1, 3, 3)).toBeUndefined();
    expect(blockKernel(14, 4, 3)).toBeUndefined();
    expect(blockKernel(14, 3, 3)).toBe(blockKernel(14, 3, 3));
    // the generated text holds numbers and fixed names only
    expect(blockKernelSource(14, 3, 3)).not.toMatch(/\$\{|undefined|NaN/);
  });
});
