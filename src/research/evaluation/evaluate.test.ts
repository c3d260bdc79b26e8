import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { arForecaster } from "../../forecasting/baselines/ar.ts";
import { logisticForecaster, ridgeForecaster } from "../../forecasting/baselines/linear.ts";
import { alwaysUp, drift, lastSign, randomWalk } from "../../forecasting/baselines/naive.ts";
import type { Forecaster } from "../../forecasting/forecaster.ts";
import { gbdtForecaster } from "../../forecasting/gbdt-forecaster.ts";
import { defaultEvaluationConfig, evaluateForecasters } from "./evaluate.ts";
import { ar1Returns, dataFromReturns } from "./synthetic-data.ts";

const all = (): Forecaster[] => [
  randomWalk,
  lastSign,
  alwaysUp,
  drift,
  arForecaster(),
  ridgeForecaster(),
  logisticForecaster(),
  gbdtForecaster("squared"),
];
let clock = 0;
const now = (): number => clock++;

describe("evaluateForecasters", () => {
  it("marks no model on a random walk (control)", { timeout: 300_000 }, async () => {
    for (const seed of [1, 2, 3]) {
      const data = dataFromReturns(ar1Returns(createRng(seed), 5000, 0));
      const res = await evaluateForecasters(
        data,
        all(),
        { ...defaultEvaluationConfig, testFraction: 0.7 },
        now,
      );
      expect(res.results.filter((r) => r.beatsBaseline).map((r) => `${r.model}@${r.horizon}`)).toEqual([]);
    }
  });

  it("marks the AR baseline better than naive on AR(1) series with phi = 0.1 over 5,000 bars (power)", async () => {
    // the expected DM z-score here is about 3: a power statement, so at least three of five seeds must pass (under the null each passes with p < 0.025)
    let passed = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const data = dataFromReturns(ar1Returns(createRng(seed), 5000, 0.1));
      const res = await evaluateForecasters(
        data,
        [randomWalk, lastSign, alwaysUp, arForecaster()],
        { ...defaultEvaluationConfig, testFraction: 0.8 },
        now,
      );
      const ar1 = res.results.find((r) => r.model === "ar" && r.horizon === 1)!;
      const rw1 = res.results.find((r) => r.model === "random-walk" && r.horizon === 1)!;
      expect(ar1.metrics.rmse).toBeLessThan(rw1.metrics.rmse);
      for (const r of res.results.filter((x) => x.role === "naive")) expect(r.beatsBaseline).toBe(false);
      if (ar1.beatsBaseline) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(3);
  });

  it("marks GBDT better than naive on AR(1) series with phi = 0.1 over 5,000 bars (power)", async () => {
    // the shrunk stumps reach z > 1.645 in 10 of 13 seeds we measured (the AR baseline itself in 11), so four of five is required
    let passed = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const data = dataFromReturns(ar1Returns(createRng(seed), 5000, 0.1));
      const res = await evaluateForecasters(
        data,
        [randomWalk, lastSign, alwaysUp, gbdtForecaster("squared")],
        { ...defaultEvaluationConfig, horizons: [1], testFraction: 0.8 },
        now,
      );
      if (res.results.find((r) => r.model === "gbdt")!.beatsBaseline) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(4);
  }, 300_000);

  it("never shows a model a bar of its test segment", async () => {
    const seen: { h: number; fitBars: number; trainMax: number; predictBars: number; testMax: number }[] = [];
    const probe: Forecaster = {
      name: "probe",
      role: "model",
      outputs: { value: true, direction: false },
      fit: async ({ view, train, horizon }) => {
        const fitBars = view.close.length;
        const trainMax = train[train.length - 1]!;
        return {
          predict: (v, s) => {
            seen.push({
              h: horizon,
              fitBars,
              trainMax,
              predictBars: v.close.length,
              testMax: s[s.length - 1]!,
            });
            return {
              ret: new Float64Array(s.length),
              probUp: new Float64Array(s.length).fill(Number.NaN),
              dir: new Int8Array(s.length),
            };
          },
        };
      },
    };
    const data = dataFromReturns(ar1Returns(createRng(9), 1500, 0));
    const res = await evaluateForecasters(
      data,
      [randomWalk, probe],
      { ...defaultEvaluationConfig, folds: 5 },
      now,
    );
    expect(seen).toHaveLength(10);
    for (const s of seen) {
      const fold = res.folds[s.h]!.find((f) => f.testTo - 1 === s.testMax)!;
      // the fit saw bars [0, trainMax + h] only, all before the test segment (minus the embargo)
      expect(s.fitBars).toBe(s.trainMax + s.h + 1);
      expect(s.fitBars - 1).toBeLessThan(fold.testFrom - defaultEvaluationConfig.embargo);
      // prediction sees bars up to the last test sample itself, never its label
      expect(s.predictBars).toBe(s.testMax + 1);
    }
  });
});
