import { invalidInput } from "../errors.ts";
import { combinations } from "./stats.ts";

/** Result of combinatorially symmetric cross-validation */
export interface PboResult {
  /** probability of backtest overfitting: share of combinations whose in-sample winner ranks at or below the out-of-sample median */
  pbo: number;
  /** number of IS/OOS combinations evaluated, C(S, S/2) */
  combinations: number;
  /** the logits lambda = ln(w / (1 - w)) of the IS winner's relative OOS rank w, one per combination */
  logits: Float64Array;
  /** share of combinations where the IS winner loses money out of sample (OOS Sharpe < 0) */
  probOosLoss: number;
  /** mean OOS Sharpe of the IS winners, per bar */
  meanOosSharpeOfWinner: number;
}

/**
 * Probability of backtest overfitting by CSCV (Bailey, Borwein, López de Prado and Zhu, "The
 * Probability of Backtest Overfitting", 2015). `returns[j]` is strategy j's per-bar return series,
 * all of one length T on one clock. The T rows are cut into S blocks; each half of the blocks in
 * turn is in-sample, the other half out-of-sample; the performance measure is the Sharpe ratio.
 */
export function pboCscv(returns: readonly Float64Array[], s = 16): PboResult {
  const nStrat = returns.length;
  if (nStrat < 2) throw invalidInput(`pbo: need at least 2 strategies, got ${nStrat}`);
  if (!Number.isInteger(s) || s < 2 || s % 2 !== 0)
    throw invalidInput(`pbo: S must be an even integer >= 2, got ${s}`);
  const t = returns[0]!.length;
  for (const r of returns)
    if (r.length !== t) throw invalidInput("pbo: every return series must have the same length");
  if (t < 2 * s) throw invalidInput(`pbo: ${t} rows are too few for ${s} blocks`);
  // per block and strategy: count, sum and sum of squares, so each combination costs O(S/2 * N)
  const sum = new Float64Array(s * nStrat);
  const sq = new Float64Array(s * nStrat);
  const cnt = new Float64Array(s);
  for (let b = 0; b < s; b++) {
    const from = Math.floor((b * t) / s);
    const to = Math.floor(((b + 1) * t) / s);
    cnt[b] = to - from;
    for (let j = 0; j < nStrat; j++) {
      const r = returns[j]!;
      let a = 0;
      let q = 0;
      for (let i = from; i < to; i++) {
        const x = r[i]!;
        a += x;
        q += x * x;
      }
      sum[b * nStrat + j] = a;
      sq[b * nStrat + j] = q;
    }
  }
  const totSum = new Float64Array(nStrat);
  const totSq = new Float64Array(nStrat);
  for (let b = 0; b < s; b++)
    for (let j = 0; j < nStrat; j++) {
      totSum[j]! += sum[b * nStrat + j]!;
      totSq[j]! += sq[b * nStrat + j]!;
    }
  const combos = combinations(s, s / 2);
  const logits = new Float64Array(combos.length);
  const isSum = new Float64Array(nStrat);
  const isSq = new Float64Array(nStrat);
  const oos = new Float64Array(nStrat);
  let overfit = 0;
  let losses = 0;
  let oosWinSum = 0;
  for (let c = 0; c < combos.length; c++) {
    const combo = combos[c]!;
    isSum.fill(0);
    isSq.fill(0);
    let nIs = 0;
    for (const b of combo) {
      nIs += cnt[b]!;
      const off = b * nStrat;
      for (let j = 0; j < nStrat; j++) {
        isSum[j]! += sum[off + j]!;
        isSq[j]! += sq[off + j]!;
      }
    }
    const nOos = t - nIs;
    let best = 0;
    let bestIs = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < nStrat; j++) {
      const isSr = sharpeFromSums(isSum[j]!, isSq[j]!, nIs);
      if (isSr > bestIs) {
        bestIs = isSr;
        best = j;
      }
      oos[j] = sharpeFromSums(totSum[j]! - isSum[j]!, totSq[j]! - isSq[j]!, nOos);
    }
    // relative rank of the IS winner among OOS results: average rank for ties, 1 = worst
    const w = oos[best]!;
    let below = 0;
    let ties = 0;
    for (let j = 0; j < nStrat; j++) {
      const x = oos[j]!;
      if (x < w) below++;
      else if (x === w) ties++;
    }
    const rank = below + (ties + 1) / 2;
    const omega = rank / (nStrat + 1);
    const lambda = Math.log(omega / (1 - omega));
    logits[c] = lambda;
    if (lambda <= 0) overfit++;
    if (w < 0) losses++;
    oosWinSum += w;
  }
  return {
    pbo: overfit / combos.length,
    combinations: combos.length,
    logits,
    probOosLoss: losses / combos.length,
    meanOosSharpeOfWinner: oosWinSum / combos.length,
  };
}

/** Per-bar Sharpe from count, sum and sum of squares; 0 for a flat series */
function sharpeFromSums(s: number, q: number, n: number): number {
  if (n < 2) return 0;
  const mean = s / n;
  const v = (q - s * mean) / (n - 1);
  return v > 1e-30 ? mean / Math.sqrt(v) : 0;
}
