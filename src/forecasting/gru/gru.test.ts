import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../adapters/sqlite/database.ts";
import { SqliteModelStore } from "../../adapters/sqlite/sqlite-model-store.ts";
import { WasmTensorBackend } from "../../adapters/tfjs/wasm-tensor-backend.ts";
import { createRng } from "../../domain/random.ts";
import {
  defaultEvaluationConfig,
  evaluateForecasters,
  viewUpTo,
} from "../../research/evaluation/evaluate.ts";
import { dataFromReturns } from "../../research/evaluation/synthetic-data.ts";
import { randomWalk } from "../baselines/naive.ts";
import { gruForecaster } from "./gru-forecaster.ts";
import { trainGru } from "./gru-model.ts";
import { GruParamsSchema } from "./gru-params.ts";
import { gruFromBytes, gruToBytes } from "./gru-serialize.ts";

/** Log returns of a noisy sine with a 12-bar period: predictable from the last few bars */
function noisySine(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from(
    { length: n },
    (_, t) => 0.003 * Math.sin((2 * Math.PI * t) / 12) + 0.002 * rng.normal(),
  );
}

const small = { lookback: 8, units: 8, maxEpochs: 10, patience: 3, learningRate: 0.01, batchSize: 32 };
let tick = 0;

describe("GRU", () => {
  beforeAll(async () => {
    expect(await new WasmTensorBackend().ready()).toBe("wasm");
  });

  it("learns a noisy sine well enough to beat the random walk significantly", async () => {
    const data = dataFromReturns(noisySine(1000, 3));
    const res = await evaluateForecasters(
      data,
      [randomWalk, gruForecaster(small)],
      { ...defaultEvaluationConfig, horizons: [1], folds: 2, testFraction: 0.3, embargo: 2 },
      () => tick++,
    );
    const gru = res.results.find((r) => r.model === "gru")!;
    const rw = res.results.find((r) => r.model === "random-walk")!;
    expect(gru.metrics.rmse).toBeLessThan(0.85 * rw.metrics.rmse);
    expect(gru.metrics.directionalAccuracy).toBeGreaterThan(0.6);
    expect(gru.beatsBaseline).toBe(true);
  }, 240_000);

  it("is not marked better than the random walk on a random walk (control)", async () => {
    const rng = createRng(8);
    const data = dataFromReturns(Float64Array.from({ length: 1000 }, () => 0.002 * rng.normal()));
    const res = await evaluateForecasters(
      data,
      [randomWalk, gruForecaster(small)],
      { ...defaultEvaluationConfig, horizons: [1], folds: 2, testFraction: 0.3, embargo: 2 },
      () => tick++,
    );
    expect(res.results.find((r) => r.model === "gru")!.beatsBaseline).toBe(false);
  }, 240_000);

  it("is deterministic for a seed and predicts identically after a save to the ModelStore and a reload", async () => {
    const data = dataFromReturns(noisySine(700, 4));
    const view = viewUpTo(data, 601);
    const train = Int32Array.from({ length: 560 }, (_, i) => 40 + i);
    const target = Float64Array.from(train, (t) => Math.log(data.close[t + 1]! / data.close[t]!));
    const params = GruParamsSchema.parse({ ...small, maxEpochs: 3 });
    const a = await trainGru(view, train, target, 1, params, 42);
    const b = await trainGru(view, train, target, 1, params, 42);
    const test = Int32Array.from({ length: 90 }, (_, i) => 605 + i);
    const full = viewUpTo(data, 700);
    const pa = a.predictReturns(full, test);
    expect(Array.from(b.predictReturns(full, test))).toEqual(Array.from(pa));
    // through the real ModelStore (SQLite in a temp home) and back
    const home = mkdtempSync(join(tmpdir(), "kairos-gru-"));
    const db = openDatabase(home);
    try {
      const store = new SqliteModelStore(db);
      const saved = store.save(
        {
          kind: "gru",
          createdAt: 0,
          params: { ...params },
          features: [...a.meta.featureNames],
          target: { kind: "logret", horizon: 1 },
          dataRange: {
            exchange: "synthetic",
            symbol: "SINE/USD",
            timeframe: "1h",
            from: 0,
            to: 601 * 3_600_000,
          },
          metrics: { bestValLoss: a.meta.bestValLoss },
          trainingMs: 0,
        },
        await gruToBytes(a),
      );
      const c = await gruFromBytes(store.load(saved.id).payload);
      expect(c.meta).toEqual(a.meta);
      expect(Array.from(c.predictReturns(full, test))).toEqual(Array.from(pa));
      c.dispose();
    } finally {
      db.close();
      rmSync(home, { recursive: true, force: true });
    }
    for (const m of [a, b]) m.dispose();
  }, 240_000);

  it("refuses a corrupt payload with one clear line", async () => {
    await expect(gruFromBytes(new Uint8Array([255, 255, 0, 0, 1]))).rejects.toThrow(/unreadable.*retrain/);
  });
});
