import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { binMatrix, binOf, computeBinEdges } from "./binning.ts";
import { accuracy, auc } from "./metrics.ts";
import { predict } from "./predict.ts";
import { trainGbdt } from "./train.ts";

const matrix = (...cols: number[][]) => ({
  rows: cols[0]!.length,
  cols: cols.map((c) => Float64Array.from(c)),
});

describe("gbdt on hand-worked cases", () => {
  it("one split, two trees, lambda 1, learning rate 0.5", () => {
    // base = mean(y) = 2; g = F - y = [2, 2, -2, -2], h = 1
    // split x0 <= 2.5: gain = 0.5 * (4^2/(2+1) + 4^2/(2+1) - 0) = 16/3 (beats 1.5 at 1.5 and 3.5)
    // tree 1 leaves: -0.5 * 4/3 = -2/3 and +2/3 -> F = [4/3, 4/3, 8/3, 8/3]
    // tree 2: g = [4/3, 4/3, -4/3, -4/3]; leaves -0.5 * (8/3)/3 = -4/9 and +4/9
    const m = trainGbdt(
      { x: matrix([1, 2, 3, 4]), y: Float64Array.from([0, 0, 4, 4]) },
      { nTrees: 2, maxDepth: 1, learningRate: 0.5, lambda: 1, minChildWeight: 0 },
    );
    expect(m.baseMargin).toBe(2);
    expect(m.trees).toHaveLength(2);
    const [t1, t2] = m.trees;
    expect(Array.from(t1!.feature)).toEqual([0, -1, -1]);
    expect(t1!.threshold[0]).toBe(2.5);
    expect(t1!.gain[0]).toBeCloseTo(16 / 3, 14);
    expect(t1!.value[1]).toBeCloseTo(-2 / 3, 15);
    expect(t1!.value[2]).toBeCloseTo(2 / 3, 15);
    expect(t2!.value[1]).toBeCloseTo(-4 / 9, 15);
    expect(t2!.value[2]).toBeCloseTo(4 / 9, 15);
    const p = predict(m, matrix([1, 2, 3, 4]));
    expect(p[0]).toBeCloseTo(8 / 9, 14);
    expect(p[3]).toBeCloseTo(28 / 9, 14);
  });

  it("depth two on two features, ties go to the lower feature", () => {
    // base 2.5; g = [2.5, 1.5, -1.5, -2.5]; lambda 0, learning rate 1
    // root: x0 <= 2.5 gains 0.5 * (4^2/2 + 4^2/2) = 8; x0 <= 1.5 gains 25/6; x1 <= 0.5 gains 0.5
    // each child: x0 and x1 both separate its two rows with gain 0.25: x0 wins the tie
    // leaves -g/h: -2.5, -1.5, 1.5, 2.5 -> predictions equal y exactly
    const x = matrix([1, 2, 3, 4], [1, 0, 1, 0]);
    const m = trainGbdt(
      { x, y: Float64Array.from([0, 1, 4, 5]) },
      { nTrees: 1, maxDepth: 2, learningRate: 1, lambda: 0, minChildWeight: 0 },
    );
    const t = m.trees[0]!;
    expect(Array.from(t.feature)).toEqual([0, 0, 0, -1, -1, -1, -1]);
    expect(Array.from(t.threshold.subarray(0, 3))).toEqual([2.5, 1.5, 3.5]);
    expect(t.gain[0]).toBe(8);
    expect(t.gain[1]).toBeCloseTo(0.25, 15);
    expect(t.gain[2]).toBeCloseTo(0.25, 15);
    expect(Array.from(predict(m, x))).toEqual([0, 1, 4, 5]);
  });

  it("leaf-wise growth splits the best leaf first and stops at maxLeaves", () => {
    // base 3.05, g = [3.05, 2.85, -1.95, -3.95]; root gains: x0 <= 1.5: 6.2, <= 2.5: 17.405, <= 3.5: 10.4
    // then the right leaf (gain 0.5 * (1.95^2 + 3.95^2 - 5.9^2/2) = 1) beats the left (0.01) for the 3rd leaf
    const x = matrix([1, 2, 3, 4]);
    const m = trainGbdt(
      { x, y: Float64Array.from([0, 0.2, 5, 7]) },
      {
        nTrees: 1,
        growth: "leafwise",
        maxLeaves: 3,
        maxDepth: 0,
        learningRate: 1,
        lambda: 0,
        minChildWeight: 0,
      },
    );
    const t = m.trees[0]!;
    expect(Array.from(t.feature)).toEqual([0, -1, 0, -1, -1]);
    expect(Array.from(predict(m, x)).map((v) => Number(v.toFixed(12)))).toEqual([0.1, 0.1, 5, 7]);
    expect(t.gain[0]).toBeCloseTo(17.405, 12);
    expect(t.gain[2]).toBeCloseTo(1, 12);
  });

  it("minSamplesLeaf and minChildWeight forbid small children", () => {
    const x = matrix([1, 2, 3, 4, 5, 6]);
    const y = Float64Array.from([9, 0, 0, 0, 0, 0]);
    const free = trainGbdt(
      { x, y },
      { nTrees: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 0 },
    );
    expect(free.trees[0]!.threshold[0]).toBe(1.5);
    const held = trainGbdt(
      { x, y },
      { nTrees: 1, maxDepth: 1, learningRate: 1, lambda: 0, minSamplesLeaf: 2 },
    );
    expect(held.trees[0]!.threshold[0]).toBe(2.5);
    const heavy = trainGbdt(
      { x, y },
      { nTrees: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 3 },
    );
    expect(heavy.trees[0]!.threshold[0]).toBe(3.5);
  });

  it("missing values go left, in training and prediction alike", () => {
    const x = matrix([Number.NaN, Number.NaN, 1, 2, 3, 4]);
    const y = Float64Array.from([5, 5, 0, 0, 0, 0]);
    const m = trainGbdt({ x, y }, { nTrees: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 0 });
    expect(m.trees[0]!.threshold[0]).toBe(Number.NEGATIVE_INFINITY);
    const p = predict(m, x);
    for (const [i, v] of [5, 5, 0, 0, 0, 0].entries()) expect(p[i]).toBeCloseTo(v, 12);
    expect(predict(m, matrix([Number.NaN, 0.5]))[0]).toBeCloseTo(5, 12);
  });

  it("refuses bad input with one clear line", () => {
    expect(() => trainGbdt({ x: matrix([1, 2]), y: Float64Array.from([0]) }, {})).toThrow(
      /1 labels for 2 rows/,
    );
    expect(() =>
      trainGbdt({ x: matrix([1, 2]), y: Float64Array.from([0, 2]) }, { objective: "logistic" }),
    ).toThrow(/must be 0 or 1/);
    expect(() => trainGbdt({ x: matrix([1, 2]), y: Float64Array.from([0, 1]) }, { maxBins: 1 })).toThrow(
      /maxBins/,
    );
  });
});

/** y = 1 when x3 > 0.5, each label flipped with probability `noise`; features uniform in [0, 1) */
function thresholdData(rows: number, seed: number, noise: number, signal = true) {
  const rng = createRng(seed);
  const cols = Array.from({ length: 8 }, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (const c of cols) c[r] = rng.next();
    const clean = signal ? (cols[3]![r]! > 0.5 ? 1 : 0) : rng.next() < 0.5 ? 1 : 0;
    y[r] = rng.next() < noise ? 1 - clean : clean;
  }
  return { x: { rows, cols }, y };
}

describe("gbdt on planted signals", () => {
  const params = { objective: "logistic" as const, nTrees: 60, maxDepth: 3, learningRate: 0.1, seed: 3 };

  it("fits y = 1{x3 > 0.5} with 10% label noise to near the Bayes rate (90%) out of sample", () => {
    const m = trainGbdt(thresholdData(4000, 1, 0.1), params);
    const test = thresholdData(4000, 2, 0.1);
    const acc = accuracy(test.y, predict(m, test.x));
    expect(acc).toBeGreaterThan(0.88);
    expect(acc).toBeLessThan(0.93);
  });

  it("does not fit pure noise beyond chance out of sample", () => {
    const m = trainGbdt(thresholdData(4000, 3, 0, false), params);
    const test = thresholdData(4000, 4, 0, false);
    const p = predict(m, test.x);
    expect(Math.abs(accuracy(test.y, p) - 0.5)).toBeLessThan(0.035);
    expect(Math.abs(auc(test.y, p) - 0.5)).toBeLessThan(0.035);
  });

  it("is deterministic for a seed, with row and feature subsampling, and the seed matters", () => {
    const data = thresholdData(1500, 5, 0.1);
    const p = { ...params, nTrees: 15, subsample: 0.7, colsample: 0.5 };
    const a = predict(trainGbdt(data, p), data.x);
    const b = predict(trainGbdt(data, p), data.x);
    const c = predict(trainGbdt(data, { ...p, seed: 4 }), data.x);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("early stopping keeps the round with the best validation loss", () => {
    const train = thresholdData(800, 6, 0.3);
    const valid = thresholdData(800, 7, 0.3);
    const m = trainGbdt(
      train,
      { ...params, nTrees: 400, maxDepth: 6, learningRate: 0.3, earlyStoppingRounds: 10 },
      { valid },
    );
    expect(m.roundsTrained).toBeLessThan(400);
    const best = m.validLoss.indexOf(Math.min(...m.validLoss));
    expect(m.trees).toHaveLength(best + 1);
    expect(m.roundsTrained).toBe(best + 11);
  });
});

describe("gbdt binning", () => {
  it("the grid lookup bins every value exactly as the binary search does", () => {
    const rng = createRng(8);
    const rows = 20_000;
    const heavy = Float64Array.from({ length: rows }, () => Math.exp(4 * rng.normal()));
    const ties = Float64Array.from({ length: rows }, () => rng.int(7) - 3);
    const gaps = Float64Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? Number.NaN : rng.normal()));
    const binary = Float64Array.from({ length: rows }, () => rng.int(2));
    const infinite = Float64Array.from({ length: rows }, (_, r) =>
      r % 3 === 0 ? Number.NEGATIVE_INFINITY : r % 3 === 1 ? Number.POSITIVE_INFINITY : rng.normal(),
    );
    const x = { rows, cols: [heavy, ties, gaps, binary, infinite] };
    const edges = computeBinEdges(x, 256);
    const b = binMatrix(x, edges);
    let wrong = 0;
    for (let f = 0; f < 3; f++)
      for (let r = 0; r < rows; r++)
        if (b.colBins[f * rows + r] !== binOf(edges.upper[f]!, x.cols[f]![r]!)) wrong++;
    expect(wrong).toBe(0);
    expect(edges.upper[1]).toHaveLength(7);
    expect(edges.upper[2]![0]).toBe(Number.NEGATIVE_INFINITY);
    expect(edges.upper[4]!.every((e) => !Number.isNaN(e))).toBe(true);
  });
});
