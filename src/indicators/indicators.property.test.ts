// Properties every registry indicator must have: stream = batch, no look-ahead, finite after warm-up,
// the declared warm-up, scale invariance where it holds, and bad input rejected or survived
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocColumns } from "../domain/candle-series.ts";
import { isAppError } from "../errors.ts";
import { bollinger } from "./bollinger.ts";
import { INDICATORS } from "./registry.ts";
import type { IndicatorInput } from "./registry-types.ts";
import { rsi } from "./rsi.ts";

const HOUR = 3_600_000;

type Step = [number, number, number, number, number];

/** A random walk of OHLCV bars with flat bars (h = l) and zero-volume bars mixed in */
function series(steps: Step[], scale = 1): IndicatorInput {
  const n = steps.length;
  const s = {
    ...allocColumns(n),
    benchmark: new Float64Array(n),
    timeframe: "1h" as const,
  };
  let p = 100;
  let q = 50;
  for (let i = 0; i < n; i++) {
    const [r0, up, down, kind, vol] = steps[i]!;
    // moves are 0 or well above one ulp, so scaling cannot turn rounding noise into a direction
    const r = Math.abs(r0) < 1e-4 ? 0 : r0;
    const o = p;
    if (kind === 0) {
      // a flat bar: nothing traded at another price
      s.open[i] = s.high[i] = s.low[i] = s.close[i] = o * scale;
    } else {
      p = o * Math.exp(r);
      s.open[i] = o * scale;
      s.close[i] = p * scale;
      s.high[i] = Math.max(o, p) * (1 + up) * scale;
      s.low[i] = Math.min(o, p) * (1 - down) * scale;
    }
    s.volume[i] = kind === 1 ? 0 : vol;
    q *= Math.exp(r * 0.7 + (up - down) * 0.3);
    s.benchmark[i] = q;
    s.ts[i] = 1_700_000_000_000 + i * HOUR;
  }
  return s;
}

const step = fc.tuple(
  fc.double({ min: -0.05, max: 0.05, noNaN: true }),
  fc.double({ min: 0, max: 0.03, noNaN: true }),
  fc.double({ min: 0, max: 0.03, noNaN: true }),
  fc.nat(9),
  fc.double({ min: 0, max: 1000, noNaN: true }),
);
const steps = (min: number, max: number) => fc.array(step, { minLength: min, maxLength: max });
/** A run of flat bars, as illiquid markets have */
const flatRun = fc
  .integer({ min: 0, max: 60 })
  .map((k) => Array.from({ length: k }, (): Step => [0, 0, 0, 0, 0]));

const barOf = (x: IndicatorInput, i: number) => ({
  ts: x.ts[i]!,
  open: x.open[i]!,
  high: x.high[i]!,
  low: x.low[i]!,
  close: x.close[i]!,
  volume: x.volume[i]!,
  benchmark: x.benchmark![i]!,
});

const slice = (x: IndicatorInput, to: number): IndicatorInput => ({
  ts: x.ts.subarray(0, to),
  open: x.open.subarray(0, to),
  high: x.high.subarray(0, to),
  low: x.low.subarray(0, to),
  close: x.close.subarray(0, to),
  volume: x.volume.subarray(0, to),
  benchmark: x.benchmark!.subarray(0, to),
  timeframe: "1h",
});

describe.each(INDICATORS.map((i) => [i.name, i] as const))("%s", (_name, ind) => {
  /** Throws at the first bar where the stream's outputs differ from the batch's (bitwise) */
  const streamIsBatch = (x: IndicatorInput, n: number): void => {
    const out = ind.batch(x);
    const s = ind.stream({}, { timeframe: "1h" });
    for (let i = 0; i < n; i++) {
      const v = s.update(barOf(x, i));
      ind.outputs.forEach((o, j) => {
        if (!Object.is(v[j], out[o]![i]))
          throw new Error(`${o} at bar ${i}: stream ${v[j]} batch ${out[o]![i]}`);
      });
    }
  };

  it("streaming gives the batch numbers bar for bar (bitwise)", () => {
    fc.assert(
      fc.property(steps(1, 250), (st) => streamIsBatch(series(st), st.length)),
      { numRuns: 25 },
    );
  });

  it("streaming gives the batch numbers bar for bar with NaN highs, lows and closes mixed in", () => {
    fc.assert(
      fc.property(steps(1, 250), fc.array(fc.nat(249), { maxLength: 12 }), (st, holes) => {
        const x = series(st);
        holes.forEach((h, k) => {
          if (h < st.length) [x.high, x.low, x.close][k % 3]![h] = Number.NaN;
        });
        streamIsBatch(x, st.length);
      }),
      { numRuns: 25 },
    );
  });

  it("appending future bars never changes past outputs", () => {
    fc.assert(
      fc.property(steps(2, 250), fc.double({ min: 0, max: 1, noNaN: true }), (st, f) => {
        const x = series(st);
        const cut = Math.max(1, Math.floor(st.length * f));
        const full = ind.batch(x);
        const past = ind.batch(slice(x, cut));
        for (const o of ind.outputs)
          for (let i = 0; i < cut; i++)
            if (!Object.is(past[o]![i], full[o]![i])) throw new Error(`${o} at bar ${i} changed`);
      }),
      { numRuns: 25 },
    );
  });

  it("is finite after the declared warm-up, and not before, even across flat and zero-volume bars", () => {
    fc.assert(
      fc.property(steps(0, 120), flatRun, steps(0, 150), (a, flat, b) => {
        const st = [...a, ...flat, ...b];
        const x = series(st);
        const out = ind.batch(x);
        const w = ind.warmup();
        for (let i = 0; i < st.length; i++) {
          const all = ind.outputs.every((o) => Number.isFinite(out[o]![i]));
          if (i >= w && !all) throw new Error(`non-finite at bar ${i} (warm-up ${w})`);
          if (i < w && all) throw new Error(`all outputs defined at bar ${i}, before the warm-up ${w}`);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("survives NaN, zero and negative prices without throwing", () => {
    fc.assert(
      fc.property(steps(5, 100), fc.nat(99), fc.constantFrom(Number.NaN, 0, -5), (st, at, bad) => {
        const x = series(st);
        const i = at % st.length;
        x.close[i] = bad;
        x.low[i] = bad;
        const out = ind.batch(x);
        const s = ind.stream({}, { timeframe: "1h" });
        for (let k = 0; k < st.length; k++) s.update(barOf(x, k));
        for (const o of ind.outputs) expect(out[o]!.length).toBe(st.length);
      }),
      { numRuns: 10 },
    );
  });

  it("rejects out-of-range parameters with INVALID_INPUT naming the parameter", () => {
    const shape = (ind.params as unknown as { def?: { shape?: Record<string, unknown> } }).def?.shape;
    const first = Object.keys(shape ?? {}).find((k) => k !== "source");
    if (first === undefined) return;
    const bad = { [first]: first === "acceleration" || first === "maximum" ? 5 : -1 };
    let err: unknown;
    try {
      ind.batch(series([[0, 0, 0, 2, 1]]), bad);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe("INVALID_INPUT");
    expect(String((err as Error).message)).toContain(`"${first}"`);
  });
});

describe("scale invariance", () => {
  it("RSI and %B are unchanged (bitwise) when prices are scaled by a power of two, and to 1e-9 otherwise", () => {
    fc.assert(
      fc.property(steps(30, 200), fc.constantFrom(2 ** -20, 2 ** 12, 7.3, 1e-6), (st, k) => {
        const a = series(st);
        const b = series(st, k);
        const exact = Math.log2(k) % 1 === 0;
        const r1 = rsi(a.close, 14);
        const r2 = rsi(b.close, 14);
        const bb = bollinger(a.close, 20, 2);
        const p1 = bb.percentB;
        const p2 = bollinger(b.close, 20, 2).percentB;
        for (let i = 0; i < st.length; i++) {
          if (exact) {
            expect(Object.is(r1[i], r2[i])).toBe(true);
            expect(Object.is(p1[i], p2[i])).toBe(true);
          } else {
            if (!Number.isNaN(r1[i]!)) expect(Math.abs(r1[i]! - r2[i]!)).toBeLessThan(1e-9 * 100);
            // the running-sum variance loses about eps*(mean/sd)^2 relative accuracy, which %B carries
            // scaled by its distance from the middle: the bound follows that conditioning, so it is
            // 1e-9 on ordinary windows and looser only on nearly flat ones
            if (!Number.isNaN(p1[i]!)) {
              const sd = (bb.upper[i]! - bb.middle[i]!) / 2;
              const cond = sd > 0 ? (bb.middle[i]! / sd) ** 2 : 0;
              const tol = Math.max(1e-9, 100 * Number.EPSILON * cond * (1 + Math.abs(p1[i]! - 0.5)));
              expect(Math.abs(p1[i]! - p2[i]!)).toBeLessThan(tol);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
