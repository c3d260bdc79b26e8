/** Small numeric helpers shared by the validation code: normal distribution, moments, quantiles */

/** Standard normal CDF (Hart 1968 as given by West 2005): double precision, about 1e-15 absolute */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let c: number;
  if (ax > 37) c = 0;
  else {
    const e = Math.exp((-ax * ax) / 2);
    if (ax < 7.07106781186547) {
      let b = 3.52624965998911e-2 * ax + 0.700383064443688;
      b = b * ax + 6.37396220353165;
      b = b * ax + 33.912866078383;
      b = b * ax + 112.079291497871;
      b = b * ax + 221.213596169931;
      b = b * ax + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * ax + 1.75566716318264;
      b = b * ax + 16.064177579207;
      b = b * ax + 86.7807322029461;
      b = b * ax + 296.564248779674;
      b = b * ax + 637.333633378831;
      b = b * ax + 793.826512519948;
      b = b * ax + 440.413735824752;
      c /= b;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;

/** Inverse standard normal CDF: Acklam's rational approximation polished by one Halley step */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  // one Halley step takes Acklam's 1.15e-9 relative error to machine precision
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Sample moments of a return series as the Sharpe papers use them */
export interface Moments {
  n: number;
  mean: number;
  /** sample standard deviation, ddof 1 */
  sd: number;
  /** third standardised moment (0 for a normal) */
  skew: number;
  /** fourth standardised moment, not excess (3 for a normal) */
  kurtosis: number;
}

/** Mean, sd (ddof 1), skewness and non-excess kurtosis of xs[from, to) */
export function moments(xs: ArrayLike<number>, from = 0, to: number = xs.length): Moments {
  const n = to - from;
  if (n <= 0) return { n: 0, mean: Number.NaN, sd: Number.NaN, skew: Number.NaN, kurtosis: Number.NaN };
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = from; i < to; i++) {
    const d = xs[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : Number.NaN;
  const pv = m2 / n;
  const skew = pv > 0 ? m3 / n / pv ** 1.5 : 0;
  const kurtosis = pv > 0 ? m4 / n / (pv * pv) : 3;
  return { n, mean, sd, skew, kurtosis };
}

/** Per-bar Sharpe (mean / sd ddof 1); 0 when the series is flat, so a strategy that never trades scores 0 */
export function sharpePerBar(xs: ArrayLike<number>, from = 0, to: number = xs.length): number {
  const n = to - from;
  if (n < 2) return 0;
  let s = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const x = xs[i]!;
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  const v = (s2 - s * mean) / (n - 1);
  return v > 1e-30 ? mean / Math.sqrt(v) : 0;
}

/** Linear-interpolated quantile (numpy's default) of xs; q in [0, 1] */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(xs).sort();
  if (a.length === 0) return Number.NaN;
  const h = (a.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo]! + (h - lo) * (a[hi]! - a[lo]!);
}

/** Maximum drawdown (a positive fraction) of the equity curve built from simple returns */
export function maxDrawdownOfReturns(rets: ArrayLike<number>, from = 0, to: number = rets.length): number {
  let eq = 1;
  let peak = 1;
  let mdd = 0;
  for (let i = from; i < to; i++) {
    eq *= 1 + rets[i]!;
    if (eq > peak) peak = eq;
    const dd = 1 - eq / peak;
    if (dd > mdd) mdd = dd;
  }
  return mdd;
}

/** Total compounded return of simple returns */
export function totalReturn(rets: ArrayLike<number>, from = 0, to: number = rets.length): number {
  let eq = 1;
  for (let i = from; i < to; i++) eq *= 1 + rets[i]!;
  return eq - 1;
}

/** Binomial coefficient as a float (exact for the small sizes used here) */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Every k-subset of [0, n) in lexicographic order */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push(cur.slice());
      return;
    }
    for (let i = start; i <= n - (k - cur.length); i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}
