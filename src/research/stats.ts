/** Small numeric helpers shared by the validation code: moments, quantiles (the normal distribution is in src/maths/distributions.ts) */

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
