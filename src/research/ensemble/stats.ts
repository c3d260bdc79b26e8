import type { ReturnStats } from "./types.ts";

/** Per-bar simple returns over [from, to) summarised per DESIGN.md; NaN returns count as 0 (in cash) */
export function returnStats(r: Float64Array, from: number, to: number, barsPerYear: number): ReturnStats {
  const n = Math.max(0, to - from);
  let sum = 0;
  let sq = 0;
  let eq = 1;
  let peak = 1;
  let mdd = 0;
  for (let t = from; t < to; t++) {
    const x = Number.isFinite(r[t]!) ? r[t]! : 0;
    sum += x;
    sq += x * x;
    eq *= 1 + x;
    if (eq > peak) peak = eq;
    const dd = 1 - eq / peak;
    if (dd > mdd) mdd = dd;
  }
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : 0;
  const sd = Math.sqrt(variance);
  return {
    bars: n,
    totalReturn: eq - 1,
    annualReturn: n > 0 && eq > 0 ? eq ** (barsPerYear / n) - 1 : n > 0 ? -1 : 0,
    volatility: sd * Math.sqrt(barsPerYear),
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(barsPerYear) : 0,
    maxDrawdown: mdd,
  };
}

/** Pearson correlation of two series over [from, to), using bars where both are finite */
export function correlation(a: Float64Array, b: Float64Array, from: number, to: number): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let t = from; t < to; t++) {
    const x = a[t]!;
    const y = b[t]!;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      n++;
      sa += x;
      sb += y;
    }
  }
  if (n < 3) return 0;
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let t = from; t < to; t++) {
    const x = a[t]!;
    const y = b[t]!;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      cov += (x - ma) * (y - mb);
      va += (x - ma) ** 2;
      vb += (y - mb) ** 2;
    }
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** Close-marked drawdown of an equity curve, as a fraction below the running peak */
export function drawdownOf(equity: Float64Array): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < equity.length; t++) {
    if (equity[t]! > peak) peak = equity[t]!;
    out[t] = peak > 0 ? 1 - equity[t]! / peak : 0;
  }
  return out;
}
