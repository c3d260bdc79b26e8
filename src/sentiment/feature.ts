import { solveSpd } from "../forecasting/baselines/linalg.ts";
import { dieboldMariano } from "../research/evaluation/diebold-mariano.ts";

/** A scored headline as the feature reads it */
export interface ScoredHeadline {
  publishedAt: number;
  score: number;
}

/**
 * The daily sentiment feature of one symbol, per bar: the mean score and the count of the
 * headlines published in the `windowMs` before the bar's close. Causal: bar t reads only headlines
 * published before its close, so a headline published later never changes it. No headline: mean 0.
 */
export function sentimentFeature(
  headlines: readonly ScoredHeadline[],
  ts: Float64Array,
  barMs: number,
  windowMs = 86_400_000,
): { names: ["sent_mean_24h", "sent_count_24h"]; mean: Float64Array; count: Float64Array } {
  const hs = headlines.slice().sort((a, b) => a.publishedAt - b.publishedAt);
  const n = ts.length;
  const mean = new Float64Array(n);
  const count = new Float64Array(n);
  // two pointers over the sorted headlines: [lo, hi) are inside the window of bar t
  let lo = 0;
  let hi = 0;
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const close = ts[t]! + barMs;
    while (hi < hs.length && hs[hi]!.publishedAt < close) sum += hs[hi++]!.score;
    while (lo < hi && hs[lo]!.publishedAt < close - windowMs) sum -= hs[lo++]!.score;
    count[t] = hi - lo;
    mean[t] = hi > lo ? sum / (hi - lo) : 0;
  }
  return { names: ["sent_mean_24h", "sent_count_24h"], mean, count };
}

export interface FeatureModelScore {
  /** mean squared error of the forecast return, out of sample */
  mse: number;
  /** share of test rows whose forecast sign matched the move (rows without a move left out) */
  directional: number;
}

export interface SentimentFeatureEvaluation {
  /** out-of-sample rows scored, and how many of them had at least one headline */
  n: number;
  withHeadlines: number;
  horizonBars: number;
  zero: FeatureModelScore;
  ar: FeatureModelScore;
  arSentiment: FeatureModelScore;
  /** Diebold-Mariano on squared errors, AR + sentiment against AR (one-sided: sentiment better) */
  dm: { stat: number; pValue: number };
  /** true only when the sentiment model's loss is lower at the 5% level */
  adds: boolean;
}

/**
 * Does the sentiment feature add anything over the baselines, out of sample? Target: the return over
 * the next `horizon` bars. Models refitted at every bar on the rows whose target was already known
 * (expanding window, so nothing later leaks in): zero (the random walk), AR (intercept and the last
 * bar's return) and AR + sentiment (plus the feature's mean and log(1+count)). Scored from the first
 * bar with `minTrain` training rows.
 */
export function evaluateSentimentFeature(x: {
  close: Float64Array;
  mean: Float64Array;
  count: Float64Array;
  horizon: number;
  minTrain?: number;
}): SentimentFeatureEvaluation {
  const { close, horizon: h } = x;
  const n = close.length;
  const minTrain = x.minTrain ?? 60;
  const K = 4;
  const row = (t: number): number[] => [
    1,
    t > 0 ? close[t]! / close[t - 1]! - 1 : 0,
    x.mean[t]!,
    Math.log1p(x.count[t]!),
  ];
  const target = (t: number): number => close[t + h]! / close[t]! - 1;
  // running normal equations: the AR model uses the first 2 columns, the sentiment model all 4
  const xtx = new Float64Array(K * K);
  const xty = new Float64Array(K);
  let trained = 0;
  const solve = (k: number): Float64Array | null => {
    const a = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      b[i] = xty[i]!;
      // a whisper of ridge keeps an all-zero sentiment column (no headlines yet) solvable
      for (let j = 0; j < k; j++) a[i * k + j] = xtx[i * K + j]! + (i === j && i > 0 ? 1e-8 * trained : 0);
    }
    return solveSpd(a, b, k);
  };
  const errs = { zero: [] as number[], ar: [] as number[], as: [] as number[] };
  const hits = { zero: [0, 0], ar: [0, 0], as: [0, 0] };
  const diff: number[] = [];
  let withHeadlines = 0;
  for (let t = 1; t + h < n; t++) {
    // the row whose target became known at t's close joins the training set
    const j = t - h;
    if (j >= 1) {
      const r = row(j);
      const y = target(j);
      if (r.every(Number.isFinite) && Number.isFinite(y)) {
        for (let a = 0; a < K; a++) {
          xty[a] = xty[a]! + r[a]! * y;
          for (let b = 0; b < K; b++) xtx[a * K + b] = xtx[a * K + b]! + r[a]! * r[b]!;
        }
        trained++;
      }
    }
    if (trained < minTrain) continue;
    const r = row(t);
    const y = target(t);
    if (!r.every(Number.isFinite) || !Number.isFinite(y)) continue;
    const bAr = solve(2);
    const bAs = solve(K);
    if (bAr === null || bAs === null) continue;
    const pAr = bAr[0]! + bAr[1]! * r[1]!;
    let pAs = 0;
    for (let a = 0; a < K; a++) pAs += bAs[a]! * r[a]!;
    errs.zero.push(y * y);
    errs.ar.push((y - pAr) ** 2);
    errs.as.push((y - pAs) ** 2);
    diff.push((y - pAr) ** 2 - (y - pAs) ** 2);
    if (x.count[t]! > 0) withHeadlines++;
    if (y !== 0) {
      hits.zero[1]!++;
      hits.ar[1]!++;
      hits.as[1]!++;
      if (Math.sign(pAr) === Math.sign(y)) hits.ar[0]!++;
      if (Math.sign(pAs) === Math.sign(y)) hits.as[0]!++;
      // the random walk forecasts no move: it is never right on direction; count "up" instead, the drift's guess
      if (y > 0) hits.zero[0]!++;
    }
  }
  const mse = (e: number[]): number => e.reduce((a, b) => a + b, 0) / e.length;
  const dm = dieboldMariano(diff, h);
  return {
    n: diff.length,
    withHeadlines,
    horizonBars: h,
    zero: { mse: mse(errs.zero), directional: hits.zero[0]! / hits.zero[1]! },
    ar: { mse: mse(errs.ar), directional: hits.ar[0]! / hits.ar[1]! },
    arSentiment: { mse: mse(errs.as), directional: hits.as[0]! / hits.as[1]! },
    dm: { stat: dm.stat, pValue: dm.pValue },
    adds: dm.pValue < 0.05 && dm.meanDiff > 0,
  };
}
