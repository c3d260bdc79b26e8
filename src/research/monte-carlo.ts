import type { Rng } from "../domain/random.ts";
import { quantile } from "./stats.ts";

/** 5th, 50th and 95th percentiles of a resampled figure */
export interface Range3 {
  p5: number;
  p50: number;
  p95: number;
}

export interface MonteCarloResult {
  resamples: number;
  /** total return and max drawdown when the trade sequence is resampled with replacement */
  trades: { totalReturn: Range3; maxDrawdown: Range3 } | undefined;
  /** the same when per-bar returns are resampled in circular blocks */
  blocks: { totalReturn: Range3; maxDrawdown: Range3; blockLength: number };
}

const range3 = (xs: Float64Array): Range3 => ({
  p5: quantile(xs, 0.05),
  p50: quantile(xs, 0.5),
  p95: quantile(xs, 0.95),
});

/**
 * Monte Carlo ranges of a record: resample its trades (order and luck of the draw) and its per-bar
 * returns in circular blocks of `blockLength` bars (keeps volatility clustering; 0 = sqrt(bars)).
 */
export function monteCarlo(
  tradeReturns: ArrayLike<number>,
  barReturns: ArrayLike<number>,
  resamples: number,
  blockLength: number,
  rng: Rng,
): MonteCarloResult {
  let trades: MonteCarloResult["trades"];
  const k = tradeReturns.length;
  if (k > 0) {
    const tr = new Float64Array(resamples);
    const dd = new Float64Array(resamples);
    for (let s = 0; s < resamples; s++) {
      let eq = 1;
      let peak = 1;
      let mdd = 0;
      for (let i = 0; i < k; i++) {
        eq *= 1 + tradeReturns[rng.int(k)]!;
        if (eq > peak) peak = eq;
        else if (1 - eq / peak > mdd) mdd = 1 - eq / peak;
      }
      tr[s] = eq - 1;
      dd[s] = mdd;
    }
    trades = { totalReturn: range3(tr), maxDrawdown: range3(dd) };
  }
  const n = barReturns.length;
  const len = Math.max(1, Math.min(n, blockLength > 0 ? blockLength : Math.round(Math.sqrt(n))));
  // in log space a step is one addition and the drawdown one subtraction: no division per bar
  const lr = new Float64Array(n);
  for (let i = 0; i < n; i++) lr[i] = Math.log1p(barReturns[i]!);
  const tr = new Float64Array(resamples);
  const dd = new Float64Array(resamples);
  for (let s = 0; s < resamples; s++) {
    let eq = 0;
    let peak = 0;
    let gap = 0;
    let filled = 0;
    while (filled < n) {
      let j = rng.int(n);
      const take = Math.min(len, n - filled);
      for (let i = 0; i < take; i++) {
        eq += lr[j]!;
        if (eq > peak) peak = eq;
        else if (peak - eq > gap) gap = peak - eq;
        j = j + 1 === n ? 0 : j + 1;
      }
      filled += take;
    }
    tr[s] = Math.expm1(eq);
    dd[s] = -Math.expm1(-gap);
  }
  return {
    resamples,
    trades,
    blocks: { totalReturn: range3(tr), maxDrawdown: range3(dd), blockLength: len },
  };
}
