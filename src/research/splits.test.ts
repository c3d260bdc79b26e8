import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import {
  cpcvSplits,
  type Fold,
  rangesLength,
  walkForward,
  walkForwardFolds,
  walkForwardSplits,
} from "./splits.ts";

describe("walk-forward splits", () => {
  it("anchored: fold k trains on all earlier chunks and tests on chunk k", () => {
    const s = walkForwardSplits(600, 5, "anchored");
    expect(s).toHaveLength(5);
    expect(s[0]).toEqual({ train: [{ start: 0, end: 100 }], test: [{ start: 100, end: 200 }] });
    expect(s[4]).toEqual({ train: [{ start: 0, end: 500 }], test: [{ start: 500, end: 600 }] });
  });
  it("rolling: fold k trains on the chunk just before its test chunk", () => {
    const s = walkForwardSplits(600, 5, "rolling");
    expect(s[4]).toEqual({ train: [{ start: 400, end: 500 }], test: [{ start: 500, end: 600 }] });
  });
  it("refuses too few bars with a clear message", () => {
    expect(() => walkForwardSplits(5, 5, "anchored")).toThrow(/too few/);
  });
});

describe("combinatorially purged cross-validation", () => {
  it("6 groups, 2 test groups give 15 splits, each testing a third of the bars", () => {
    const s = cpcvSplits(6000, { groups: 6, testGroups: 2, embargoFraction: 0.01, purgeBars: 1 });
    expect(s).toHaveLength(15);
    for (const sp of s) expect(rangesLength(sp.test)).toBe(2000);
    // groups 0 and 2 tested: train is group 1 minus 1 purged bar before 2000 and 60 embargo bars after 1000,
    // and groups 3..5 minus the 60-bar embargo after 3000
    const sp = s[1]!;
    expect(sp.test).toEqual([
      { start: 0, end: 1000 },
      { start: 2000, end: 3000 },
    ]);
    expect(sp.train).toEqual([
      { start: 1060, end: 1999 },
      { start: 3060, end: 6000 },
    ]);
  });

  it("property: no split trains on a bar it tests on, and purge and embargo hold", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 3000 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        (n, groups, tgRaw, embargoFraction, purgeBars) => {
          const testGroups = 1 + (tgRaw % (groups - 1));
          const embargo = Math.ceil(embargoFraction * n);
          for (const sp of cpcvSplits(n, { groups, testGroups, embargoFraction, purgeBars })) {
            const role = new Int8Array(n);
            for (const r of sp.test) for (let i = r.start; i < r.end; i++) role[i] = 2;
            for (const r of sp.train)
              for (let i = r.start; i < r.end; i++) {
                if (role[i] !== 0) return false; // trained on a test bar (or twice)
                role[i] = 1;
              }
            for (const r of sp.test) {
              for (let i = Math.max(0, r.start - purgeBars); i < r.start; i++)
                if (role[i] === 1) return false;
              for (let i = r.end; i < Math.min(n, r.end + embargo); i++) if (role[i] === 1) return false;
            }
            // everything not tested, purged or embargoed is trained on
            const lost = n - rangesLength(sp.train) - rangesLength(sp.test);
            if (lost > sp.test.length * (purgeBars + embargo)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it("property: walk-forward never tests on a bar it trains on, and tests only later bars", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 5000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        (n, folds, anch) => {
          for (const sp of walkForwardSplits(n, folds, anch ? "anchored" : "rolling")) {
            const tr = sp.train[0]!;
            const te = sp.test[0]!;
            if (tr.end > te.start || te.end <= te.start || tr.end <= tr.start) return false;
          }
          return true;
        },
      ),
    );
  });
});

// moved from src/research/evaluation/splits.test.ts with the one splitter (assertions unchanged)
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

describe("walkForward (the one splitter)", () => {
  it("property: test segments tile [testFrom, to) in order, differ by at most one bar, and never overlap training", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        (from, warm, span, folds, anchored, gap, maxTrain) => {
          const testFrom = from + warm;
          const to = testFrom + span;
          let out: ReturnType<typeof walkForward>;
          try {
            out = walkForward({
              from,
              to,
              testFrom,
              folds,
              mode: anchored ? "anchored" : "rolling",
              embargo: gap,
              ...(maxTrain === undefined ? {} : { maxTrain }),
            });
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
            return;
          }
          expect(out).toHaveLength(folds);
          const lengths = out.map((s) => s.test[0]!.end - s.test[0]!.start);
          expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
          expect(lengths.reduce((a, b) => a + b, 0)).toBe(span);
          out.forEach((s, k) => {
            const tr = s.train[0]!;
            const te = s.test[0]!;
            expect(te.start).toBe(k === 0 ? testFrom : out[k - 1]!.test[0]!.end);
            expect(tr.end).toBe(te.start - gap);
            const begin = anchored ? from : k === 0 ? from : out[k - 1]!.test[0]!.start;
            expect(tr.start).toBe(maxTrain === undefined ? begin : Math.max(begin, tr.end - maxTrain));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
