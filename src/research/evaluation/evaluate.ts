import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import type { ForecastBatch, Forecaster, ForecastView } from "../../forecasting/forecaster.ts";
import { type Fold, walkForwardFolds } from "../splits.ts";
import { dieboldMariano } from "./diebold-mariano.ts";
import { enginePnl } from "./engine-pnl.ts";
import { holmAdjust } from "./holm.ts";
import { directionLoss, type ForecastMetrics, forecastMetrics } from "./metrics.ts";
import { type SignalPnl, signalPnl } from "./signal-pnl.ts";

export interface EvaluationData {
  ts: Float64Array;
  open: Float64Array;
  close: Float64Array;
  /** row-major, one row per bar */
  features: Float64Array;
  featureNames: readonly string[];
  /** the full candles: when given, the signal's P&L runs through the backtest engine itself */
  series?: CandleSeries;
}

export interface EvaluationConfig {
  horizons: readonly number[];
  folds: number;
  testFraction: number;
  /** embargo in bars between purged training labels and the test segment */
  embargo: number;
  maxTrain?: number;
  /** taker fee for the signal's P&L */
  fee: number;
  alpha: number;
  seed: number;
  /** keep every model's pooled test forecasts in the result (for comparisons between models) */
  keepForecasts?: boolean;
}

export const defaultEvaluationConfig: EvaluationConfig = {
  horizons: [1, 24],
  folds: 4,
  testFraction: 0.4,
  embargo: 24,
  fee: 0.001,
  alpha: 0.05,
  seed: 7,
};

export interface SignificanceTest {
  /** what the model is compared with: "random-walk" for values, the stronger naive sign forecaster for direction */
  benchmark: string;
  stat: number;
  pValue: number;
  /** Holm-adjusted over the primary tests of every (model, horizon); NaN for a secondary test */
  pHolm: number;
  /** the one test that decides `beatsBaseline`: the value test when the model forecasts a value */
  primary: boolean;
  passes: boolean;
}

export interface ModelHorizonResult {
  model: string;
  role: Forecaster["role"];
  horizon: number;
  metrics: ForecastMetrics;
  pnl: SignalPnl | null;
  valueTest: SignificanceTest | null;
  directionTest: SignificanceTest | null;
  /** true only when the primary test passes after Holm's correction */
  beatsBaseline: boolean;
  fitMs: number;
}

export interface EvaluationResult {
  config: EvaluationConfig;
  folds: Record<number, Fold[]>;
  testSamples: Record<number, number>;
  results: ModelHorizonResult[];
  /** with `keepForecasts`: per horizon, the realised returns and each model's forecasts */
  forecasts?: Record<number, { actual: Float64Array; byModel: Record<string, ForecastBatch> }>;
}

export type Progress = (message: string) => void;

/** Bars [0, end) of the data as a view: what a model may know */
export function viewUpTo(d: EvaluationData, end: number): ForecastView {
  const k = d.featureNames.length;
  return {
    ts: d.ts.subarray(0, end),
    open: d.open.subarray(0, end),
    close: d.close.subarray(0, end),
    features: d.features.subarray(0, end * k),
    featureNames: d.featureNames,
  };
}

/** First bar whose features are all finite */
export function firstCompleteRow(d: EvaluationData): number {
  const k = d.featureNames.length;
  const n = d.close.length;
  for (let t = 0; t < n; t++) {
    let ok = true;
    for (let j = 0; j < k && ok; j++) ok = Number.isFinite(d.features[t * k + j]!);
    if (ok) return t;
  }
  return n;
}

const range = (from: number, to: number): Int32Array => {
  const out = new Int32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
};

interface Collected {
  ret: Float64Array;
  probUp: Float64Array;
  dir: Int8Array;
  fitMs: number;
}

/**
 * Walk-forward evaluation: every forecaster is refitted in every fold on that fold's purged,
 * embargoed training samples only, predicts the fold's test samples, and the pooled test
 * forecasts are scored and tested against the naive forecasts (Diebold-Mariano, Holm).
 * `now` times the fits (a Clock in production; pure code never reads the time itself).
 */
export async function evaluateForecasters(
  data: EvaluationData,
  forecasters: readonly Forecaster[],
  config: EvaluationConfig,
  now: () => number,
  progress: Progress = () => {},
): Promise<EvaluationResult> {
  const n = data.close.length;
  if (data.features.length !== n * data.featureNames.length) {
    throw invalidInput(
      `feature matrix has ${data.features.length} values, expected ${n} rows x ${data.featureNames.length}`,
    );
  }
  if (!forecasters.some((f) => f.name === "random-walk"))
    throw invalidInput("the evaluation needs the random-walk forecaster as its value benchmark");
  const warm = firstCompleteRow(data);
  const out: ModelHorizonResult[] = [];
  const foldsByH: Record<number, Fold[]> = {};
  const testByH: Record<number, number> = {};
  const kept: NonNullable<EvaluationResult["forecasts"]> = {};
  for (const h of config.horizons) {
    const from = Math.max(warm, h + 8);
    const to = n - h;
    const folds = walkForwardFolds({
      from,
      to,
      horizon: h,
      folds: config.folds,
      testFraction: config.testFraction,
      embargo: config.embargo,
      ...(config.maxTrain === undefined ? {} : { maxTrain: config.maxTrain }),
    });
    foldsByH[h] = folds;
    const testFrom = folds[0]!.testFrom;
    const testTo = folds[folds.length - 1]!.testTo;
    const m = testTo - testFrom;
    testByH[h] = m;
    const samples = range(testFrom, testTo);
    const actual = new Float64Array(m);
    const base = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const t = testFrom + i;
      actual[i] = Math.log(data.close[t + h]! / data.close[t]!);
      base[i] = data.close[t]!;
    }
    const collected = new Map<string, Collected>();
    for (const f of forecasters) {
      const c: Collected = {
        ret: new Float64Array(m),
        probUp: new Float64Array(m),
        dir: new Int8Array(m),
        fitMs: 0,
      };
      for (let fi = 0; fi < folds.length; fi++) {
        const fold = folds[fi]!;
        const train = range(fold.trainFrom, fold.trainTo);
        const target = new Float64Array(train.length);
        for (let i = 0; i < train.length; i++)
          target[i] = Math.log(data.close[train[i]! + h]! / data.close[train[i]!]!);
        progress(`h=${h} fold ${fi + 1}/${folds.length}: fitting ${f.name} on ${train.length} samples`);
        const t0 = now();
        // the fit view ends at the last training label's bar: nothing of the test segment is visible
        const predictor = await f.fit({
          view: viewUpTo(data, fold.trainTo + h),
          horizon: h,
          train,
          target,
          seed: config.seed + fi,
        });
        c.fitMs += now() - t0;
        const test = range(fold.testFrom, fold.testTo);
        const b = predictor.predict(viewUpTo(data, fold.testTo), test);
        predictor.dispose?.();
        const at = fold.testFrom - testFrom;
        c.ret.set(b.ret, at);
        c.probUp.set(b.probUp, at);
        c.dir.set(b.dir, at);
      }
      collected.set(f.name, c);
    }
    if (config.keepForecasts === true) {
      kept[h] = {
        actual,
        byModel: Object.fromEntries(
          [...collected].map(([k, c]) => [k, { ret: c.ret, probUp: c.probUp, dir: c.dir }]),
        ),
      };
    }
    const rw = collected.get("random-walk")!;
    // the direction benchmark is the more accurate naive sign forecaster on this test set (conservative)
    const naiveDir = forecasters.filter((f) => f.role === "naive" && f.outputs.direction);
    let bench: { name: string; loss: Float64Array } | null = null;
    for (const f of naiveDir) {
      const c = collected.get(f.name)!;
      const loss = new Float64Array(m);
      let s = 0;
      for (let i = 0; i < m; i++) s += loss[i] = directionLoss(c.dir[i]!, actual[i]!);
      if (bench === null || s < bench.loss.reduce((a, b) => a + b, 0)) bench = { name: f.name, loss };
    }
    for (const f of forecasters) {
      const c = collected.get(f.name)!;
      const metrics = forecastMetrics(actual, base, c.ret, c.probUp, c.dir);
      const pnl = !f.outputs.direction
        ? null
        : data.series === undefined
          ? signalPnl(samples, c.dir, data.open, data.close, config.fee)
          : enginePnl(data.series, samples, c.dir, config.fee);
      let valueTest: SignificanceTest | null = null;
      let directionTest: SignificanceTest | null = null;
      if (f.role !== "naive" && f.outputs.value) {
        const d = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          const r = Number.isFinite(c.ret[i]!) ? c.ret[i]! : rw.ret[i]!;
          d[i] = (actual[i]! - rw.ret[i]!) ** 2 - (actual[i]! - r) ** 2;
        }
        const dm = dieboldMariano(d, h);
        valueTest = {
          benchmark: "random-walk",
          stat: dm.stat,
          pValue: dm.pValue,
          pHolm: Number.NaN,
          primary: true,
          passes: false,
        };
      }
      if (f.role !== "naive" && f.outputs.direction && bench !== null) {
        const d = new Float64Array(m);
        for (let i = 0; i < m; i++) d[i] = bench.loss[i]! - directionLoss(c.dir[i]!, actual[i]!);
        const dm = dieboldMariano(d, h);
        directionTest = {
          benchmark: bench.name,
          stat: dm.stat,
          pValue: dm.pValue,
          pHolm: Number.NaN,
          primary: valueTest === null,
          passes: false,
        };
      }
      out.push({
        model: f.name,
        role: f.role,
        horizon: h,
        metrics,
        pnl,
        valueTest,
        directionTest,
        beatsBaseline: false,
        fitMs: c.fitMs,
      });
    }
  }
  applyHolm(out, config.alpha);
  return {
    config,
    folds: foldsByH,
    testSamples: testByH,
    results: out,
    ...(config.keepForecasts === true ? { forecasts: kept } : {}),
  };
}

/**
 * Holm over the primary tests of the evaluation (one per model and horizon, so a model with two
 * outputs does not get two tries); a (model, horizon) beats its baseline when its primary test passes
 */
function applyHolm(results: ModelHorizonResult[], alpha: number): void {
  const tests: SignificanceTest[] = [];
  for (const r of results)
    for (const t of [r.valueTest, r.directionTest]) if (t?.primary === true) tests.push(t);
  const adj = holmAdjust(tests.map((t) => t.pValue));
  tests.forEach((t, i) => {
    t.pHolm = adj[i]!;
    t.passes = t.pHolm < alpha;
  });
  for (const r of results) r.beatsBaseline = r.valueTest?.passes === true || r.directionTest?.passes === true;
}
