import { studentTCdf } from "../../maths/distributions.ts";

export interface DmResult {
  /** mean loss differential (benchmark loss minus model loss: positive favours the model) */
  meanDiff: number;
  /** DM statistic after the Harvey-Leybourne-Newbold small-sample correction */
  stat: number;
  /** one-sided p-value for "the model's expected loss is lower than the benchmark's" */
  pValue: number;
  n: number;
}

/**
 * Diebold-Mariano test on a loss differential d_t = L(benchmark) - L(model), for h-step forecasts.
 * Long-run variance from autocovariances up to lag h-1 (1/n normalisation, as R's acf), the
 * Harvey-Leybourne-Newbold factor, and a Student t(n-1) reference: R's forecast::dm.test numbers.
 * When the truncated variance is not positive, Bartlett (Newey-West) weights keep it positive.
 */
export function dieboldMariano(d: ArrayLike<number>, h: number): DmResult {
  const n = d.length;
  if (n < 3) return { meanDiff: Number.NaN, stat: Number.NaN, pValue: Number.NaN, n };
  let m = 0;
  for (let i = 0; i < n; i++) m += d[i]!;
  m /= n;
  const lags = Math.max(0, Math.min(h - 1, n - 1));
  const gamma = new Float64Array(lags + 1);
  for (let k = 0; k <= lags; k++) {
    let s = 0;
    for (let t = k; t < n; t++) s += (d[t]! - m) * (d[t - k]! - m);
    gamma[k] = s / n;
  }
  let v = gamma[0]!;
  for (let k = 1; k <= lags; k++) v += 2 * gamma[k]!;
  if (!(v > 0)) {
    v = gamma[0]!;
    for (let k = 1; k <= lags; k++) v += 2 * (1 - k / (lags + 1)) * gamma[k]!;
  }
  if (!(v > 0)) {
    // a constant differential: the sign of the mean decides, with certainty
    const p = m > 0 ? 0 : m < 0 ? 1 : 0.5;
    return { meanDiff: m, stat: m > 0 ? Infinity : m < 0 ? -Infinity : 0, pValue: p, n };
  }
  const dm = m / Math.sqrt(v / n);
  const k = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  const stat = dm * k;
  // the upper tail through symmetry keeps tiny p-values exact
  return { meanDiff: m, stat, pValue: studentTCdf(-stat, n - 1), n };
}
