// TWAP never exceeds its participation cap (fast-check): the slice function alone over random
// inputs, and the whole algorithm through the backtest engine over random bars, where every order
// it sends is checked against the volume of the bar it was decided on, the parent quantity is never
// exceeded, and with enough volume the parent is done exactly by the end of the schedule
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runEngine } from "../backtest/engine.ts";
import { defaultExecution } from "../backtest/types.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { decimalsOf, floorToStepNumber } from "./quantity.ts";
import { twapSlice, twapStrategy } from "./twap.ts";

const RUNS = Number(process.env.KAIROS_FULL === "1" ? 20_000 : 300);
const HOUR = 3_600_000;
const STEPS = [1, 0.1, 0.001, 0.00001, 1e-8] as const;

// a whole number of steps (up to float rounding of the division) and written to the step's decimals
const onStep = (q: number, step: number): boolean => {
  const n = q / step;
  return Math.abs(n - Math.round(n)) < 1e-9 + 1e-12 * n && Number(q.toFixed(decimalsOf(step))) === q;
};

describe("twapSlice", () => {
  it("is a whole number of steps, at most the participation cap, the remaining quantity and the even share", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.constantFrom(...STEPS),
        (remainingRaw, slicesLeft, volume, participation, step) => {
          const remaining = floorToStepNumber(remainingRaw, step);
          const q = twapSlice({
            remaining,
            slicesLeft,
            volume,
            participation,
            step,
            price: 1,
            minNotional: 0,
          });
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBeLessThanOrEqual(participation * volume);
          expect(q).toBeLessThanOrEqual(remaining);
          // the even share counted in whole steps (float division is a hair off the exact quotient)
          expect(q).toBeLessThanOrEqual((remaining / slicesLeft) * (1 + 1e-12) + step * 1e-9);
          expect(onStep(q, step)).toBe(true);
          // the last bar sends everything the cap allows
          if (slicesLeft === 1 && participation * volume >= remaining)
            expect(q).toBeCloseTo(remaining, decimalsOf(step));
        },
      ),
      { numRuns: RUNS * 5 },
    );
  }, 900_000);
});

const barsArb = fc
  .array(
    fc.record({
      price: fc.double({ min: 1, max: 1000, noNaN: true }),
      move: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      volume: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true })),
    }),
    { minLength: 3, maxLength: 80 },
  )
  .map((rows): CandleSeries => {
    const n = rows.length;
    const col = () => new Float64Array(n);
    const s = {
      exchange: "x",
      symbol: "A/USDT",
      timeframe: "1h" as const,
      ts: col(),
      open: col(),
      high: col(),
      low: col(),
      close: col(),
      volume: col(),
    };
    rows.forEach((r, i) => {
      const close = r.price * (1 + r.move);
      s.ts[i] = i * HOUR;
      s.open[i] = r.price;
      s.close[i] = close;
      s.high[i] = Math.max(r.price, close);
      s.low[i] = Math.min(r.price, close);
      s.volume[i] = r.volume;
    });
    return s;
  });

describe("TWAP through the backtest engine", () => {
  it("never exceeds its participation cap nor the parent quantity; with enough volume it finishes the parent", () => {
    fc.assert(
      fc.property(
        barsArb,
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.constantFrom(0.1, 0.001, 0.00001),
        fc.boolean(),
        (series, qtyRaw, bars, participation, step, ample) => {
          const qty = Math.max(step, floorToStepNumber(qtyRaw, step));
          if (ample) series.volume.fill(1e9); // the cap never binds: the schedule must finish
          const start = 0;
          const strategy = twapStrategy({
            qty,
            sell: false,
            bars,
            participation,
            start,
            step,
            minNotional: 0,
          });
          const r = runEngine({
            series: [series],
            strategy,
            config: defaultExecution({ initialCash: 1e12, fee: 0, lotSize: step }),
            start: 0,
          });
          let total = 0;
          for (const f of r.fills) {
            // a market order decided at bar b's close fills at bar b+1's open
            const decided = f.bar - 1;
            expect(decided).toBeGreaterThanOrEqual(0);
            expect(decided).toBeLessThan(bars);
            expect(f.qty).toBeLessThanOrEqual(participation * series.volume[decided]! + 1e-9 * step);
            // the engine floors to the lot in float (0.30000000000000004): a whole number of steps, nearly
            expect(Math.abs(f.qty / step - Math.round(f.qty / step))).toBeLessThan(1e-6);
            total += f.qty;
          }
          expect(total).toBeLessThanOrEqual(qty + 1e-9);
          // every bar of the schedule that can still fill (the last bar decides nothing) took its slice
          if (ample && bars <= series.ts.length - 1) expect(total).toBeCloseTo(qty, decimalsOf(step));
        },
      ),
      { numRuns: RUNS },
    );
  }, 900_000);
});
