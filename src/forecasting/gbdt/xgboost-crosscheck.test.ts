import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { plantedNonLinear } from "../../../test/support/gbdt-data.ts";
import { auc } from "./metrics.ts";
import { predict } from "./predict.ts";
import { trainGbdt } from "./train.ts";

interface MlXgboost {
  train(x: number[][], y: number[]): void;
  predict(x: number[][]): Float32Array | number[];
  free(): void;
}
type MlXgboostCtor = new (opts: Record<string, unknown>) => MlXgboost;

const toRows = (cols: Float64Array[], rows: number): number[][] =>
  Array.from({ length: rows }, (_, r) => cols.map((c) => c[r]!));

describe("gbdt against ml-xgboost (a second engine, small data)", () => {
  it("reaches the same test AUC within 0.01", async () => {
    const XGBoost = (await createRequire(import.meta.url)("ml-xgboost")) as MlXgboostCtor;
    const train = plantedNonLinear(4000, 10, 11);
    const test = plantedNonLinear(4000, 10, 12);
    const booster = new XGBoost({
      booster: "gbtree",
      objective: "binary:logistic",
      max_depth: 4,
      eta: 0.1,
      min_child_weight: 1,
      lambda: 1,
      // ml-xgboost defaults to subsample 0.5; compare like with like
      subsample: 1,
      silent: 1,
      iterations: 100,
    });
    booster.train(toRows(train.cols, train.rows), Array.from(train.y));
    const peer = Array.from(booster.predict(toRows(test.cols, test.rows)));
    booster.free();
    const model = trainGbdt(
      { x: { rows: train.rows, cols: train.cols }, y: train.y },
      { objective: "logistic", nTrees: 100, maxDepth: 4, learningRate: 0.1, lambda: 1, minChildWeight: 1 },
    );
    const ours = auc(test.y, predict(model, { rows: test.rows, cols: test.cols }));
    const theirs = auc(test.y, peer);
    expect(theirs).toBeGreaterThan(0.7);
    expect(Math.abs(ours - theirs)).toBeLessThan(0.01);
  });
});
