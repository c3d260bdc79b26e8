import { z } from "zod";
import type { Timeframe } from "../../domain/timeframe.ts";

/** One candidate of the ensemble: a screened variant's per-bar returns on the ensemble's clock */
export interface EnsembleMember {
  /** stable variant id, e.g. "ema-cross:fast=20,slow=50@BTC/USDT" */
  readonly id: string;
  readonly family: string;
  readonly symbol: string;
  readonly params: Readonly<Record<string, number>>;
  /** simple return of the variant's equity over bar t (close t-1 to close t); NaN where it has no bar */
  readonly returns: Float64Array;
  /** target exposure computed at bar t's close (fraction of the member's equity); NaN where unknown */
  readonly exposure?: Float64Array;
}

/** Everything the ensemble reads: members and a benchmark, all aligned on one bar clock */
export interface EnsembleInput {
  readonly timeframe: Timeframe;
  /** bar open times, epoch ms, one per bar of every series below */
  readonly ts: Float64Array;
  readonly members: readonly EnsembleMember[];
  /** buy-and-hold returns of the universe (equal weight over the symbols present at each bar) */
  readonly benchmark: Float64Array;
  /** the record (stats, verdict) starts no earlier than this bar, e.g. the screen's first out-of-sample bar */
  readonly recordFrom?: number;
  /** walk-forward test segments [from, to) in bar indices; default: 5 equal folds of the record */
  readonly folds?: readonly (readonly [number, number])[];
}

export const WEIGHTING_SCHEMES = ["decay", "inverse-variance", "stake"] as const;
export type WeightingScheme = (typeof WEIGHTING_SCHEMES)[number];

/** Ensemble settings; every window is in bars and every default is printed in the report */
export const ensembleConfigSchema = z
  .object({
    scheme: z.enum(WEIGHTING_SCHEMES).default("decay"),
    /** trailing window of out-of-sample returns the weights are estimated on */
    window: z.number().int().min(10).default(500),
    /** weights are re-estimated every this many bars, counted from bar 0 */
    rebalanceEvery: z.number().int().min(1).default(24),
    /** half-life of the exponential decay of the "decay" scheme, in bars */
    halfLife: z.number().positive().default(168),
    /** at most this many members hold weight at once */
    maxMembers: z.number().int().min(1).default(8),
    /** members need this many finite returns in the window to be considered */
    minHistory: z.number().int().min(2).default(100),
    maxMemberWeight: z.number().gt(0).max(1).default(0.35),
    familyCap: z.number().gt(0).max(1).default(0.5),
    symbolCap: z.number().gt(0).max(1).default(0.5),
    /** lambda of the correlation penalty: w_i / (1 + lambda * weighted mean positive correlation) */
    correlationPenalty: z.number().min(0).default(1),
    /** recent window on which a member's record is checked for decay */
    demoteWindow: z.number().int().min(2).default(120),
    /** a member whose recent per-bar Sharpe (annualised) is below this is demoted */
    demoteBelow: z.number().default(0),
    /** weight multiplier for demoted members (0 drops them until they recover) */
    demoteFactor: z.number().min(0).max(1).default(0),
    /** stake scheme: payout per round = clamp(stakeRate * t-stat of the round, +-maxPayout) */
    stakeRate: z.number().positive().default(0.1),
    maxPayout: z.number().positive().max(0.9).default(0.25),
    /** cost of moving capital between members, as a fraction of the notional moved */
    rebalanceFee: z.number().min(0).max(0.1).default(0.001),
    /** one-sided t threshold on the mean return difference for "better than buy-and-hold" */
    significance: z.number().positive().default(1.645),
  })
  .strict();
export type EnsembleConfig = z.infer<typeof ensembleConfigSchema>;
export type EnsembleConfigInput = z.input<typeof ensembleConfigSchema>;

/** A summary of a stretch of per-bar returns, numbers per DESIGN.md */
export interface ReturnStats {
  bars: number;
  totalReturn: number;
  annualReturn: number;
  volatility: number;
  sharpe: number;
  maxDrawdown: number;
}

/** One walk-forward test segment, the ensemble beside its baselines */
export interface FoldRecord {
  from: number;
  to: number;
  fromTs: number;
  toTs: number;
  ensemble: ReturnStats;
  buyAndHold: ReturnStats;
  /** the variant with the best record over the whole run: chosen in hindsight, so it flatters */
  bestSingle: ReturnStats;
  /** the variant with the best record before this fold began: the honest single-variant pick */
  walkForwardPick: ReturnStats & { id: string };
}

export interface DemotionEvent {
  bar: number;
  ts: number;
  memberId: string;
  recentSharpe: number;
}

/** Weights held between re-estimations: row k applies from bar rebalanceBars[k] up to the next one */
export interface WeightSchedule {
  /** bars at which weights were re-estimated, ascending, starting at 0 */
  rebalanceBars: number[];
  /** rows.length = rebalanceBars.length * m */
  rows: Float64Array;
  m: number;
  demotions: DemotionEvent[];
}

export interface EnsembleResult {
  config: EnsembleConfig;
  memberIds: string[];
  /** weights re-estimated every rebalanceEvery bars from returns before each bar; read with weightAt */
  schedule: WeightSchedule;
  /** first bar whose return the ensemble earns (its first re-estimation) */
  recordStart: number;
  returns: Float64Array;
  equity: Float64Array;
  drawdown: Float64Array;
  stats: ReturnStats;
  buyAndHold: ReturnStats;
  bestSingle: ReturnStats & { id: string };
  walkForwardSingle: ReturnStats;
  folds: FoldRecord[];
  /** paired test of ensemble minus buy-and-hold per-bar returns over the record */
  /**
   * "better" needs both a significant mean return difference and a significant alpha against
   * buy-and-hold (intercept of ensemble on benchmark returns): sitting in cash through a falling
   * market beats it on the difference alone, without any skill
   */
  versusBuyAndHold: {
    meanDiff: number;
    tStat: number;
    alpha: number;
    alphaT: number;
    beta: number;
    better: boolean;
    reason: string;
  };
  demotions: DemotionEvent[];
  /** net target exposure per symbol for the next bar: sum of member weight times member exposure */
  nextExposure: Record<string, number>;
}
