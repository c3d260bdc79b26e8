import { normalCdf } from "../../maths/distributions.ts";
import { batchFrom, type FitInput, type Forecaster } from "../forecaster.ts";
import { fitScaler, ridgeSolve, scaleRows } from "./linalg.ts";

const dot = (coef: Float64Array, x: Float64Array, at: number, k: number): number => {
  let f = coef[0]!;
  for (let j = 0; j < k; j++) f += coef[j + 1]! * x[at + j]!;
  return f;
};

/**
 * Ridge regression of the h-bar return on the standardised features. The penalty is picked from a
 * grid on the last fifth of the training fold (purged by h), then refitted on the whole fold.
 */
export function ridgeForecaster(grid: readonly number[] = [1, 10, 100, 1000, 10000]): Forecaster {
  return {
    name: "ridge",
    role: "baseline",
    outputs: { value: true, direction: true },
    fit: async ({ view, train, target, horizon }: FitInput) => {
      const k = view.featureNames.length;
      const scaler = fitScaler(view.features, k, train);
      const x = scaleRows(view.features, k, train, scaler);
      const n = train.length;
      const cut = Math.floor(n * 0.8);
      const fitN = Math.max(0, cut - horizon);
      let lambda = grid[grid.length - 1]!;
      if (fitN > 4 * k && n - cut > 20) {
        let bestErr = Infinity;
        for (const l of grid) {
          const c = ridgeSolve(x.subarray(0, fitN * k), target.subarray(0, fitN), fitN, k, l);
          if (c === null) continue;
          let err = 0;
          for (let i = cut; i < n; i++) err += (target[i]! - dot(c, x, i * k, k)) ** 2;
          if (err < bestErr) {
            bestErr = err;
            lambda = l;
          }
        }
      }
      const coef = ridgeSolve(x, target, n, k, lambda) ?? new Float64Array(k + 1);
      let sse = 0;
      for (let i = 0; i < n; i++) sse += (target[i]! - dot(coef, x, i * k, k)) ** 2;
      const sigma = Math.sqrt(sse / Math.max(1, n - 1)) || 1;
      return {
        predict: (v, s) => {
          const xs = scaleRows(v.features, k, s, scaler);
          const ret = new Float64Array(s.length);
          const probUp = new Float64Array(s.length);
          for (let i = 0; i < s.length; i++) {
            ret[i] = dot(coef, xs, i * k, k);
            probUp[i] = normalCdf(ret[i]! / sigma);
          }
          return batchFrom(ret, probUp);
        },
      };
    },
  };
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** L2-penalised logistic regression of "the h-bar return is positive" on the standardised features (IRLS) */
export function logisticForecaster(lambda = 10, maxIter = 25): Forecaster {
  return {
    name: "logistic",
    role: "baseline",
    outputs: { value: false, direction: true },
    fit: async ({ view, train, target }: FitInput) => {
      const k = view.featureNames.length;
      const scaler = fitScaler(view.features, k, train);
      const x = scaleRows(view.features, k, train, scaler);
      const n = train.length;
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = target[i]! > 0 ? 1 : 0;
      let coef: Float64Array = new Float64Array(k + 1);
      const w = new Float64Array(n);
      const z = new Float64Array(n);
      for (let it = 0; it < maxIter; it++) {
        // Newton step as weighted ridge on the working response
        for (let i = 0; i < n; i++) {
          const eta = dot(coef, x, i * k, k);
          const p = sigmoid(eta);
          const wi = Math.max(p * (1 - p), 1e-6);
          w[i] = wi;
          z[i] = eta + (y[i]! - p) / wi;
        }
        const next = ridgeSolve(x, z, n, k, lambda, w);
        if (next === null) break;
        let delta = 0;
        for (let j = 0; j <= k; j++) delta = Math.max(delta, Math.abs(next[j]! - coef[j]!));
        coef = next;
        if (delta < 1e-8) break;
      }
      return {
        predict: (v, s) => {
          const xs = scaleRows(v.features, k, s, scaler);
          const probUp = new Float64Array(s.length);
          for (let i = 0; i < s.length; i++) probUp[i] = sigmoid(dot(coef, xs, i * k, k));
          return batchFrom(new Float64Array(s.length).fill(Number.NaN), probUp);
        },
      };
    },
  };
}
