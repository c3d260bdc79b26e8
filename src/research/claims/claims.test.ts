import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import { arForecaster } from "../../forecasting/baselines/ar.ts";
import { ridgeForecaster } from "../../forecasting/baselines/linear.ts";
import { alwaysUp, lastSign, randomWalk } from "../../forecasting/baselines/naive.ts";
import { ensembleForecaster } from "../../forecasting/ensemble-forecaster.ts";
import { defaultEvaluationConfig, evaluateForecasters } from "../evaluation/evaluate.ts";
import { ar1Returns, dataFromReturns } from "../evaluation/synthetic-data.ts";
import { CLAIMS, judgeClaim } from "./claims.ts";

let tick = 0;

describe("judgeClaim", () => {
  it("on a random walk, says the ensemble beats neither the naive forecasts nor ARIMA, with the figures beside each other", async () => {
    const data = dataFromReturns(ar1Returns(createRng(21), 3000, 0));
    const ens = ensembleForecaster("ensemble", [arForecaster(), ridgeForecaster()]);
    const ev = await evaluateForecasters(
      data,
      [randomWalk, lastSign, alwaysUp, arForecaster(), ens],
      { ...defaultEvaluationConfig, horizons: [1], folds: 3 },
      () => tick++,
    );
    const dir = CLAIMS.find((c) => c.id === "direction-52")!;
    const row = judgeClaim(dir, dir.settings[0]!, ev.results, ev.testSamples[1]!);
    expect(row.beatsNaive).toBe(false);
    expect(row.model).toBeGreaterThan(40);
    expect(row.model).toBeLessThan(60);
    expect(row.verdict).toMatch(/does not beat it significantly/);
    const vsAr = CLAIMS.find((c) => c.id === "ensemble-vs-arima")!;
    const row2 = judgeClaim(vsAr, vsAr.settings[0]!, ev.results, ev.testSamples[1]!, 0.4);
    expect(row2.other?.value).toBeGreaterThan(0);
    expect(row2.naive).toBeCloseTo(
      10_000 * ev.results.find((r) => r.model === "random-walk")!.metrics.rmse,
      10,
    );
    expect(row2.verdict).toMatch(/does not beat ARIMA significantly.*which it does not/);
  });
});
