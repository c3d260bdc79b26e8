import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { type Fold, walkForwardFolds } from "./splits.ts";

describe("walkForwardFolds", () => {
  it("no fold's training labels reach its test segment, and test segments tile the tail in order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 400, max: 20_000 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.1, max: 0.6, noNaN: true }),
        fc.integer({ min: 0, max: 48 }),
        fc.option(fc.integer({ min: 60, max: 5000 }), { nil: undefined }),
        (from, len, h, folds, testFraction, embargo, maxTrain) => {
          const to = from + len;
          let out: Fold[];
          try {
            out = walkForwardFolds({
              from,
              to,
              horizon: h,
              folds,
              testFraction,
              embargo,
              ...(maxTrain === undefined ? {} : { maxTrain }),
            });
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
            return;
          }
          expect(out).toHaveLength(folds);
          expect(out[0]!.testFrom).toBe(to - Math.floor(len * testFraction));
          expect(out[out.length - 1]!.testTo).toBe(to);
          for (let i = 0; i < out.length; i++) {
            const f = out[i]!;
            expect(f.trainFrom).toBeGreaterThanOrEqual(from);
            expect(f.trainTo).toBeGreaterThan(f.trainFrom);
            // the last training sample's label bar (trainTo - 1 + h) lies before the test start minus the embargo
            expect(f.trainTo - 1 + h).toBeLessThan(f.testFrom - embargo);
            expect(f.testTo).toBeGreaterThan(f.testFrom);
            if (maxTrain !== undefined) expect(f.trainTo - f.trainFrom).toBeLessThanOrEqual(maxTrain);
            if (i > 0) expect(f.testFrom).toBe(out[i - 1]!.testTo);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it("refuses impossible configurations with one clear line", () => {
    expect(() =>
      walkForwardFolds({ from: 0, to: 100, horizon: 24, folds: 4, testFraction: 0.5, embargo: 10 }),
    ).toThrow(/too few samples/);
    expect(() =>
      walkForwardFolds({ from: 0, to: 1000, horizon: 0, folds: 4, testFraction: 0.5, embargo: 0 }),
    ).toThrow(/horizon/);
  });
});
