import { invalidInput } from "../errors.ts";
import { choose } from "./stats.ts";

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
  const sums: Float64Array[] = [];
  const sqs: Float64Array[] = [];
  const cnt = new Float64Array(s);
  for (let b = 0; b < s; b++) cnt[b] = Math.floor(((b + 1) * t) / s) - Math.floor((b * t) / s);
  for (let j = 0; j < nStrat; j++) {
    const r = returns[j]!;
    const a = new Float64Array(s);
    const q = new Float64Array(s);
    for (let b = 0; b < s; b++) {
      for (let i = Math.floor((b * t) / s); i < Math.floor(((b + 1) * t) / s); i++) {
        const x = r[i]!;
        a[b]! += x;
        q[b]! += x * x;
      }
    }
    sums.push(a);
    sqs.push(q);
  }
  return pboFromBlocks(sums, sqs, cnt);
}

/**
 * CSCV from per-block sufficient statistics: `blockSum[j][b]` and `blockSq[j][b]` are the sum and
 * sum of squares of strategy j's returns in block b, `counts[b]` the rows in block b. This is all
 * CSCV needs for Sharpe-ratio performance, so a screen never has to keep whole return matrices.
 */
export function pboFromBlocks(
  blockSum: readonly Float64Array[],
  blockSq: readonly Float64Array[],
  counts: Float64Array,
): PboResult {
  const nStrat = blockSum.length;
  const s = counts.length;
  if (nStrat < 2) throw invalidInput(`pbo: need at least 2 strategies, got ${nStrat}`);
  if (s < 2 || s % 2 !== 0) throw invalidInput(`pbo: S must be an even integer >= 2, got ${s}`);
  let t = 0;
  for (const c of counts) t += c;
  const sum = new Float64Array(s * nStrat);
  const sq = new Float64Array(s * nStrat);
  const cnt = counts;
  for (let j = 0; j < nStrat; j++)
    for (let b = 0; b < s; b++) {
      sum[b * nStrat + j] = blockSum[j]![b]!;
      sq[b * nStrat + j] = blockSq[j]![b]!;
    }
  const totSum = new Float64Array(nStrat);
  const totSq = new Float64Array(nStrat);
  for (let b = 0; b < s; b++)
    for (let j = 0; j < nStrat; j++) {
      totSum[j]! += sum[b * nStrat + j]!;
      totSq[j]! += sq[b * nStrat + j]!;
    }
  const half = s / 2;
  const nCombos = choose(s, half);
  const logits = new Float64Array(nCombos);
  // depth-first over the choice of in-sample blocks: each level adds one block's sums to its parent's,
  // so a combination costs about 2N additions instead of S/2 * N
  const accSum = Array.from({ length: half + 1 }, () => new Float64Array(nStrat));
  const accSq = Array.from({ length: half + 1 }, () => new Float64Array(nStrat));
  const accN = new Float64Array(half + 1);
  const isSr = new Float64Array(nStrat);
  const oosSr = new Float64Array(nStrat);
  let c = 0;
  let overfit = 0;
  let losses = 0;
  let oosWinSum = 0;
  const record = (perfIs: Float64Array, perfOos: Float64Array): void => {
    let best = 0;
    for (let j = 1; j < nStrat; j++) if (perfIs[j]! > perfIs[best]!) best = j;
    // relative rank of the IS winner among OOS results: average rank for ties, 1 = worst
    const w = perfOos[best]!;
    let below = 0;
    let ties = 0;
    for (let j = 0; j < nStrat; j++) {
      const x = perfOos[j]!;
      if (x < w) below++;
      else if (x === w) ties++;
    }
    const rank = below + (ties + 1) / 2;
    const omega = rank / (nStrat + 1);
    const lambda = Math.log(omega / (1 - omega));
    logits[c++] = lambda;
    if (lambda <= 0) overfit++;
    if (w < 0) losses++;
    oosWinSum += w;
  };
  // a combination and its complement swap IS and OOS: one pass of sums serves both
  const leaf = (): void => {
    const isSum = accSum[half]!;
    const isSq = accSq[half]!;
    const nIs = accN[half]!;
    const nOos = t - nIs;
    for (let j = 0; j < nStrat; j++) {
      isSr[j] = sharpeFromSums(isSum[j]!, isSq[j]!, nIs);
      oosSr[j] = sharpeFromSums(totSum[j]! - isSum[j]!, totSq[j]! - isSq[j]!, nOos);
    }
    record(isSr, oosSr);
    record(oosSr, isSr);
  };
  const dfs = (depth: number, start: number): void => {
    if (depth === half) {
      leaf();
      return;
    }
    const ps = accSum[depth]!;
    const pq = accSq[depth]!;
    const ns = accSum[depth + 1]!;
    const nq = accSq[depth + 1]!;
    for (let b = start; b <= s - (half - depth); b++) {
      const off = b * nStrat;
      for (let j = 0; j < nStrat; j++) {
        ns[j] = ps[j]! + sum[off + j]!;
        nq[j] = pq[j]! + sq[off + j]!;
      }
      accN[depth + 1] = accN[depth]! + cnt[b]!;
      dfs(depth + 1, b + 1);
    }
  };
  // block 0 is in-sample in exactly half the combinations; the complements give the other half
  for (let j = 0; j < nStrat; j++) {
    accSum[1]![j] = sum[j]!;
    accSq[1]![j] = sq[j]!;
  }
  accN[1] = cnt[0]!;
  dfs(1, 1);
  const combos = { length: nCombos };
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
