/**
 * A structured explanation of one symbol's signal at its latest closed bar. Every number is stored
 * already rounded, in the unit the paragraph prints, so the paragraph can say exactly these numbers
 * and no others. Strings carry no numbers except barTime, symbol and timeframe.
 */
export interface SignalExplanation {
  symbol: string;
  timeframe: string;
  /** the latest closed bar the signal is computed at, "YYYY-MM-DD HH:MM UTC" */
  barTime: string;
  close: number;
  action: "long" | "flat" | "short";
  /** ensemble target exposure for the next bar, percent of equity */
  exposurePct: number;
  votes: MemberVote[];
  /** weighted members not listed in votes (beyond the top ones), and their summed weight */
  otherMembers: { count: number; weightPct: number } | null;
  conditions: Condition[];
  regime: Regime;
  confidence: { pct: number; label: "low" | "medium" | "high" };
  flip: Flip | null;
  risk: Risk;
}

export interface MemberVote {
  family: string;
  params: { name: string; value: number }[];
  /** the member's own target exposure, percent */
  votePct: number;
  /** the member's share of the ensemble's capital for the next bar, percent */
  weightPct: number;
}

/**
 * A condition that fired, as a template whose placeholders `{}` are filled by `values` in order.
 * The template itself holds no digits.
 */
export interface Condition {
  family: string;
  template: string;
  values: number[];
}

export interface Regime {
  trend: "up" | "down" | "sideways";
  /** length of the simple average the trend is judged against, in bars */
  averageBars: number;
  /** close versus that average, percent */
  closeVsAveragePct: number;
  volatility: "low" | "normal" | "high";
  /** where the current volatility sits among the last year's readings, percentile */
  volatilityPercentile: number;
}

/** The nearest next close that changes a weighted member's vote, and what it would do to the ensemble */
export interface Flip {
  family: string;
  params: { name: string; value: number }[];
  direction: "above" | "below";
  price: number;
  distancePct: number;
  /** the ensemble's exposure if that close happened, percent */
  exposureAfterPct: number;
}

export interface Risk {
  /** annualised volatility of the last volatilityBars bars' returns, percent */
  volatilityPct: number;
  volatilityBars: number;
  ensembleDrawdownPct: number;
  ensembleMaxDrawdownPct: number;
  /** correlation of the last correlationBars bars' returns with BTC; null for BTC itself or when BTC is absent */
  btcCorrelation: number | null;
  correlationBars: number | null;
}
