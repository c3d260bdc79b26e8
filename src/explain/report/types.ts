import type { SignalExplanation } from "../types.ts";

/** A 5/50/95 percentile range */
export interface Range {
  p5: number;
  p50: number;
  p95: number;
}

export interface LeaderboardRow {
  rank: number;
  id: string;
  family: string;
  symbol: string;
  params: string;
  oosSharpe: number;
  deflatedSharpe: number;
  maxDrawdown: number;
  /** out-of-sample Sharpe minus buy-and-hold's over the same segments */
  vsBuyAndHold: number;
  familyPbo: number | null;
  passed: boolean;
  reasons: string[];
  /** out-of-sample trades and bars behind the figures */
  trades: number;
  oosBars: number;
  /** set when the symbol has too little data for its figures to be judged */
  sampleNote: string | null;
}

/** OOS metric over a two-parameter grid of one family; null where no variant was tried */
export interface Heatmap {
  family: string;
  symbol: string;
  metric: string;
  xName: string;
  yName: string;
  xs: number[];
  ys: number[];
  /** z[j][i] for ys[j], xs[i] */
  z: (number | null)[][];
  /** axis labels when a cell stands for a range of values (e.g. "31-35"); default: the values */
  xLabels?: string[];
  yLabels?: string[];
}

/** Named curves on one time axis (epoch seconds), downsampled for the page */
export interface CurveSet {
  time: number[];
  series: { name: string; kind: "ensemble" | "buy-and-hold" | "variant"; values: number[] }[];
}

export interface StatsRow {
  name: string;
  sharpe: number;
  totalReturn: number;
  annualReturn: number;
  maxDrawdown: number;
}

/** Everything the strategist report shows; plain JSON, so it can be stored and re-rendered */
export interface ReportData {
  title: string;
  runId: string;
  createdAt: string;
  exchange: string;
  timeframe: string;
  symbols: string[];
  variantsTried: number;
  variantsPassed: number;
  /** first line of the verdict, e.g. that nothing passed and the baseline is recommended */
  headline: string;
  settings: { name: string; value: string }[];
  leaderboard: LeaderboardRow[];
  heatmaps: Heatmap[];
  equity: CurveSet;
  drawdown: CurveSet;
  monteCarlo: { id: string; totalReturn: Range; maxDrawdown: Range }[];
  ensemble: {
    scheme: string;
    verdict: string;
    better: boolean;
    rows: StatsRow[];
    folds: {
      from: string;
      to: string;
      ensemble: number;
      buyAndHold: number;
      bestSingle: number;
      walkForwardPick: number;
    }[];
    members: { id: string; weightPct: number }[];
    demotions: number;
    /** the other weighting schemes on the same pool and folds, shown for comparison only */
    alternatives: {
      scheme: string;
      sharpe: number;
      totalReturn: number;
      maxDrawdown: number;
      better: boolean;
    }[];
  };
  explanations: { record: SignalExplanation; paragraph: string }[];
  /** the latest closed bar and how old it was when the report was written (null without a clock) */
  dataAge: { latestBar: string; ageText: string; ageMs: number; stale: boolean } | null;
  notes: string[];
}
