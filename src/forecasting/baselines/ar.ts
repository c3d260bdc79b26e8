import { normalCdf } from "../../maths/distributions.ts";
import { batchFrom, type FitInput, type Forecaster, type ForecastView } from "../forecaster.ts";
import { ridgeSolve } from "./linalg.ts";

/** Lagged one-bar log returns r_t, r_{t-1}, ..., r_{t-p+1} of sample t, as a row */
function lagRow(v: ForecastView, t: number, p: number, out: Float64Array, at: number): boolean {
  for (let j = 0; j < p; j++) {
    const a = t - j;
    if (a - 1 < 0) return false;
    const r = Math.log(v.close[a]! / v.close[a - 1]!);
    if (!Number.isFinite(r)) return false;
    out[at + j] = r;
  }
  return true;
}

/**
 * AR(p) by least squares, as a direct h-step forecast: the h-bar return regressed on the last p
 * one-bar returns, p chosen by AIC up to maxLag on the training fold. The up probability assumes
 * normal residuals.
 */
export function arForecaster(maxLag = 6): Forecaster {
  return {
    name: "ar",
    role: "baseline",
    outputs: { value: true, direction: true },
    fit: async ({ view, train, target }: FitInput) => {
      const x = new Float64Array(train.length * maxLag);
      const y = new Float64Array(train.length);
      let n = 0;
      const row = new Float64Array(maxLag);
      for (let i = 0; i < train.length; i++) {
        if (!lagRow(view, train[i]!, maxLag, row, 0) || !Number.isFinite(target[i]!)) continue;
        x.set(row, n * maxLag);
        y[n++] = target[i]!;
      }
      let best: { aic: number; p: number; coef: Float64Array; sigma: number } = {
        aic: Infinity,
        p: 0,
        coef: new Float64Array([0]),
        sigma: 1,
      };
      for (let p = 1; p <= maxLag && n > p + 10; p++) {
        const xp = new Float64Array(n * p);
        for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xp[i * p + j] = x[i * maxLag + j]!;
        const coef = ridgeSolve(xp, y, n, p, 1e-12);
        if (coef === null) continue;
        let sse = 0;
        for (let i = 0; i < n; i++) {
          let f = coef[0]!;
          for (let j = 0; j < p; j++) f += coef[j + 1]! * xp[i * p + j]!;
          sse += (y[i]! - f) ** 2;
        }
        const aic = n * Math.log(sse / n) + 2 * (p + 1);
        if (aic < best.aic) best = { aic, p, coef, sigma: Math.sqrt(sse / Math.max(1, n - p - 1)) };
      }
      const { p, coef, sigma } = best;
      return {
        predict: (v, s) => {
          const ret = new Float64Array(s.length).fill(Number.NaN);
          const probUp = new Float64Array(s.length).fill(Number.NaN);
          const r = new Float64Array(Math.max(1, p));
          for (let i = 0; i < s.length; i++) {
            if (p > 0 && !lagRow(v, s[i]!, p, r, 0)) continue;
            let f = coef[0]!;
            for (let j = 0; j < p; j++) f += coef[j + 1]! * r[j]!;
            ret[i] = f;
            probUp[i] = normalCdf(f / sigma);
          }
          return batchFrom(ret, probUp);
        },
      };
    },
  };
}
