import type { Rng } from "../../domain/random.ts";
import type { EvaluationData } from "./evaluate.ts";

/** Log returns of an AR(1) process r_t = phi * r_{t-1} + sigma * e_t (phi = 0: a random walk) */
export function ar1Returns(rng: Rng, n: number, phi: number, sigma = 0.01): Float64Array {
  const r = new Float64Array(n);
  let prev = 0;
  for (let t = 0; t < n; t++) {
    prev = phi * prev + sigma * rng.normal();
    r[t] = prev;
  }
  return r;
}

/**
 * Bars from log returns (open = previous close, start price 100, hourly stamps) with simple causal
 * features: the last `lags` one-bar returns and a 24-bar realised volatility.
 */
export function dataFromReturns(r: Float64Array, lags = 5): EvaluationData {
  const n = r.length;
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const ts = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    open[t] = p;
    p *= Math.exp(r[t]!);
    close[t] = p;
    ts[t] = t * 3_600_000;
  }
  const names = [...Array.from({ length: lags }, (_, j) => `ret_lag${j}`), "vol_24"];
  const k = names.length;
  const features = new Float64Array(n * k).fill(Number.NaN);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < lags; j++)
      if (t - j >= 1) features[t * k + j] = Math.log(close[t - j]! / close[t - j - 1]!);
    if (t >= 24) {
      let s = 0;
      for (let i = t - 23; i <= t; i++) s += Math.log(close[i]! / close[i - 1]!) ** 2;
      features[t * k + lags] = Math.sqrt(s / 24);
    }
  }
  return { ts, open, close, features, featureNames: names };
}
