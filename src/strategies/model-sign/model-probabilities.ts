import type { CandleSeries } from "../../domain/candle-series.ts";
import { buildFeatures } from "../../forecasting/features/build-features.ts";
import type { FeatureMatrix } from "../../forecasting/gbdt/binning.ts";
import type { GbdtModel } from "../../forecasting/gbdt/model.ts";
import { predict } from "../../forecasting/gbdt/predict.ts";
import { trainGbdt } from "../../forecasting/gbdt/train.ts";

/** The fewest training samples before the first fit */
export const MIN_TRAIN = 600;

/** Trees for the rolling classifier: shallow, regularised and early-stopped, as in the evaluation */
const PARAMS = {
  objective: "logistic" as const,
  nTrees: 120,
  learningRate: 0.05,
  maxDepth: 4,
  minSamplesLeaf: 100,
  lambda: 10,
  subsample: 0.8,
  colsample: 0.8,
  earlyStoppingRounds: 15,
  seed: 1,
};

/** One refit: the model and the bars [from, to) it forecasts */
export interface ModelSegment {
  from: number;
  to: number;
  model: GbdtModel;
}

export interface RollingForecast {
  /** predicted probability that the h-bar return from bar t is positive; NaN before the first fit */
  probUp: Float64Array;
  segments: ModelSegment[];
  featureNames: string[];
  cols: Float64Array[];
  warmup: number;
}

const rowsOf = (cols: readonly Float64Array[], from: number, to: number): FeatureMatrix => ({
  rows: to - from,
  cols: cols.map((c) => c.subarray(from, to)),
});

// refits are costly and the same for every threshold of a grid: cache by series arrays and settings
const cache = new WeakMap<Float64Array, Map<string, RollingForecast>>();

/**
 * Walk-forward gradient-boosted sign forecasts: at refit bars r = first, first + retrainEvery, ...
 * a classifier is fitted on samples t with t + h <= r (labels known at r's close; the last 15%
 * purged by h for early stopping) and forecasts bars [r, next refit). Causal: bar t's probability
 * uses bars <= t only, so truncating the series never changes earlier values.
 */
export function rollingSignForecast(
  s: CandleSeries,
  horizon: number,
  retrainEvery: number,
  trainWindow: number,
): RollingForecast {
  const key = `${horizon}:${retrainEvery}:${trainWindow}`;
  let byKey = cache.get(s.close);
  const hit = byKey?.get(key);
  if (hit !== undefined && hit.probUp.length === s.close.length) return hit;
  const f = buildFeatures({ series: s });
  const n = s.close.length;
  const probUp = new Float64Array(n).fill(Number.NaN);
  const segments: ModelSegment[] = [];
  const start = f.warmup;
  const first = start + MIN_TRAIN + horizon;
  const c = s.close;
  for (let r = first; r < n; r += retrainEvery) {
    const to = r - horizon + 1;
    const from = Math.max(start, to - trainWindow);
    const m = to - from;
    const nVal = Math.floor(m * 0.15);
    const nFit = m - nVal - horizon;
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) y[i] = c[from + i + horizon]! > c[from + i]! ? 1 : 0;
    const model = trainGbdt({ x: rowsOf(f.cols, from, from + nFit), y: y.slice(0, nFit) }, PARAMS, {
      valid: { x: rowsOf(f.cols, to - nVal, to), y: y.slice(m - nVal) },
      featureNames: f.names,
    });
    const end = Math.min(n, r + retrainEvery);
    probUp.set(predict(model, rowsOf(f.cols, r, end)), r);
    segments.push({ from: r, to: end, model });
  }
  const out: RollingForecast = { probUp, segments, featureNames: f.names, cols: f.cols, warmup: first };
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(s.close, byKey);
  }
  byKey.set(key, out);
  return out;
}
