import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { featureImportance } from "./importance.ts";
import type { GbdtModel } from "./model.ts";
import { predictMargin } from "./predict.ts";
import { shapValues } from "./shap.ts";
import { trainGbdt } from "./train.ts";
import type { Tree } from "./tree.ts";

function data(rows: number, nf: number, seed: number) {
  const rng = createRng(seed);
  const cols = Array.from({ length: nf }, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (const c of cols) c[r] = rng.normal();
    // interactions and a repeated feature on paths, so unwinding is exercised
    const z = cols[0]![r]! * cols[1]![r]! + (cols[2]![r]! > 0 ? 1 : -1) + Math.sin(2 * cols[0]![r]!);
    y[r] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  if (nf > 3) for (let r = 0; r < rows; r += 7) cols[3]![r] = Number.NaN;
  return { x: { rows, cols }, y };
}

/** E[tree | features in S known] with path-dependent conditioning: unknown splits average by cover */
function conditional(t: Tree, x: number[], known: Set<number>, node = 0): number {
  const f = t.feature[node]!;
  if (f < 0) return t.value[node]!;
  const l = t.left[node]!;
  const r = t.right[node]!;
  if (known.has(f)) {
    const v = x[f]!;
    return conditional(t, x, known, v <= t.threshold[node]! || Number.isNaN(v) ? l : r);
  }
  return (
    (t.cover[l]! * conditional(t, x, known, l) + t.cover[r]! * conditional(t, x, known, r)) / t.cover[node]!
  );
}

/** Shapley values by enumerating every subset of features */
function bruteForceShapley(model: GbdtModel, x: number[]): number[] {
  const m = x.length;
  const value = (mask: number): number => {
    const known = new Set<number>();
    for (let f = 0; f < m; f++) if (mask & (1 << f)) known.add(f);
    let s = model.baseMargin;
    for (const t of model.trees) s += conditional(t, x, known);
    return s;
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(m).fill(0);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let f = 0; f < m; f++) if (mask & (1 << f)) size++;
      const w = (fact(size) * fact(m - size - 1)) / fact(m);
      phi[i]! += w * (value(mask | (1 << i)) - value(mask));
    }
  }
  return phi;
}

describe("TreeSHAP", () => {
  it("contributions sum to the margin minus the base value on every row", () => {
    const train = data(3000, 8, 1);
    const model = trainGbdt(train, { objective: "logistic", nTrees: 40, maxDepth: 5, seed: 1 });
    const test = data(400, 8, 2);
    const { base, values } = shapValues(model, test.x);
    const margin = predictMargin(model, test.x);
    for (let r = 0; r < test.x.rows; r++) {
      const sum = values[r]!.reduce((a, b) => a + b, 0);
      expect(Math.abs(base + sum - margin[r]!)).toBeLessThan(1e-9);
    }
  });

  it("matches brute-force Shapley values on a small model, depth-wise and leaf-wise", () => {
    const train = data(600, 5, 3);
    const test = data(25, 5, 4);
    for (const params of [
      { nTrees: 6, maxDepth: 4 },
      { nTrees: 4, growth: "leafwise" as const, maxLeaves: 12, maxDepth: 0 },
    ]) {
      const model = trainGbdt(train, { objective: "logistic", learningRate: 0.3, ...params });
      const { values } = shapValues(model, test.x);
      for (let r = 0; r < test.x.rows; r++) {
        const row = test.x.cols.map((c) => c[r]!);
        const expected = bruteForceShapley(model, row);
        for (let f = 0; f < row.length; f++) expect(values[r]![f]).toBeCloseTo(expected[f]!, 10);
      }
    }
  });

  it("a single split gives the whole difference to its feature", () => {
    const x = { rows: 4, cols: [Float64Array.from([1, 2, 3, 4]), Float64Array.from([0, 0, 0, 0])] };
    const model = trainGbdt(
      { x, y: Float64Array.from([0, 0, 4, 4]) },
      { nTrees: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 0 },
    );
    const { base, values } = shapValues(model, x);
    expect(base).toBe(2);
    expect(values[0]![0]).toBe(-2);
    expect(values[3]![0]).toBe(2);
    expect(values[0]![1]).toBe(0);
  });

  it("global importance ranks the planted features first", () => {
    const train = data(3000, 8, 5);
    const model = trainGbdt(train, { objective: "logistic", nTrees: 30, maxDepth: 4 });
    const imp = featureImportance(model);
    expect(
      imp
        .slice(0, 3)
        .map((i) => i.feature)
        .sort(),
    ).toEqual(["f0", "f1", "f2"]);
    expect(imp.reduce((a, b) => a + b.splits, 0)).toBe(
      model.trees.reduce((a, t) => a + t.feature.filter((f) => f >= 0).length, 0),
    );
  });
});
