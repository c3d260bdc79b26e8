import { invalidInput } from "../errors.ts";
import { normalCdf, normalQuantile } from "../maths/distributions.ts";

/** Euler-Mascheroni constant, used by the expected maximum of N normals */
const EULER_GAMMA = 0.5772156649015329;

/** Inputs of the probabilistic Sharpe ratio, all in per-observation (not annualised) units */
export interface PsrInput {
  /** estimated Sharpe ratio of the track record, per observation */
  sr: number;
  /** benchmark Sharpe ratio SR*, per observation */
  benchmark: number;
  /** number of observations T */
  n: number;
  /** skewness of the returns (0 for normal) */
  skew: number;
  /** kurtosis of the returns, not excess (3 for normal) */
  kurtosis: number;
}

/** The z statistic inside PSR: (SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1)/4 SR^2) */
export function psrStatistic(x: PsrInput): number {
  if (x.n < 2) throw invalidInput(`probabilistic Sharpe: need at least 2 observations, got ${x.n}`);
  const v = 1 - x.skew * x.sr + ((x.kurtosis - 1) / 4) * x.sr * x.sr;
  // a negative variance term only happens with absurd moments; treat as no information
  if (!(v > 0)) return 0;
  return ((x.sr - x.benchmark) * Math.sqrt(x.n - 1)) / Math.sqrt(v);
}

/**
 * Probabilistic Sharpe ratio (Bailey and López de Prado, "The Sharpe Ratio Efficient Frontier",
 * 2012): the probability that the true Sharpe exceeds `benchmark`, given T, skewness and kurtosis.
 */
export function probabilisticSharpe(x: PsrInput): number {
  return normalCdf(psrStatistic(x));
}

/**
 * Expected maximum Sharpe ratio among N independent trials whose Sharpe estimates have variance
 * `variance` and true value 0 (False Strategy theorem, Bailey and López de Prado 2014, eq. 2).
 */
export function expectedMaxSharpe(nTrials: number, variance: number): number {
  if (!(nTrials >= 1)) throw invalidInput(`expected max Sharpe: trials must be >= 1, got ${nTrials}`);
  if (nTrials === 1 || !(variance > 0)) return 0;
  return (
    Math.sqrt(variance) *
    ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / nTrials) +
      EULER_GAMMA * normalQuantile(1 - 1 / (nTrials * Math.E)))
  );
}

export interface DsrInput {
  sr: number;
  n: number;
  skew: number;
  kurtosis: number;
  /** number of independent trials the selection was made from */
  nTrials: number;
  /** variance of the Sharpe estimates across the trials (per-observation units) */
  trialVariance: number;
}

export interface DsrResult {
  /** SR0, the expected maximum Sharpe under the null, per observation */
  sr0: number;
  /** the deflated Sharpe ratio: PSR with SR* = SR0 */
  probability: number;
  /** the z statistic behind the probability */
  z: number;
}

/** Deflated Sharpe ratio (Bailey and López de Prado, "The Deflated Sharpe Ratio", 2014) */
export function deflatedSharpe(x: DsrInput): DsrResult {
  const sr0 = expectedMaxSharpe(x.nTrials, x.trialVariance);
  const z = psrStatistic({ sr: x.sr, benchmark: sr0, n: x.n, skew: x.skew, kurtosis: x.kurtosis });
  return { sr0, probability: normalCdf(z), z };
}

/**
 * Minimum track record length (observations) for PSR(benchmark) >= confidence
 * (Bailey and López de Prado 2012, eq. 11). Infinity when sr <= benchmark.
 */
export function minTrackRecordLength(x: Omit<PsrInput, "n">, confidence = 0.95): number {
  if (x.sr <= x.benchmark) return Number.POSITIVE_INFINITY;
  const z = normalQuantile(confidence);
  const v = 1 - x.skew * x.sr + ((x.kurtosis - 1) / 4) * x.sr * x.sr;
  return 1 + v * (z / (x.sr - x.benchmark)) ** 2;
}
