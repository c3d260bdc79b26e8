// The brief's shape: its lines with their citations, the state of each symbol, and what it reads
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { HitRate } from "./hit-rates.ts";

/** One number a brief line rests on: which series, which bar (open time, epoch ms), what value */
export interface Citation {
  series: string;
  barTime: number;
  value: number;
  /** what the value is: close, return-1d, vol-percentile, ... */
  what: string;
}

/** Template ids; each has an English and a German template in templates.ts */
export type BriefLineKind =
  | "sector-shock"
  | "symbol-shock"
  | "sector-vs-btc"
  | "sector-breadth"
  | "sector-drawdown"
  | "mover-1d"
  | "mover-7d"
  | "regime"
  | "correlation"
  | "funding"
  | "changed"
  | "changed-none"
  | "headlines"
  | "signal"
  | "signal-changed"
  | "signals-none"
  | "hit-rate"
  | "position"
  | "risk-state";

/** One line of a brief: a template id, the values it fills in, and the numbers it cites */
export interface BriefLine {
  kind: BriefLineKind;
  params: Record<string, string | number>;
  cites: Citation[];
}

export interface SymbolState {
  symbol: string;
  barTime: number;
  close: number;
  trend: "up" | "down" | "sideways";
  volatility: "low" | "normal" | "high";
  volatilityPercentile: number;
  volatilityPct: number;
  return1d: number;
  return7d: number;
  /** the benchmark's 7-day return over the same 7 days (to its bar at or before `barTime`), when stored */
  benchmark7d?: { barTime: number; return7d: number };
}

/** The ensemble's signal for one symbol at the run's latest closed bar */
export interface SignalState {
  symbol: string;
  /** open time of the bar the signal was computed at (epoch ms) */
  barTime: number;
  action: "long" | "flat" | "short";
  /** target exposure for the next bar, percent of equity */
  exposurePct: number;
  /** share of the weight agreeing, percent */
  confidencePct: number;
}

/** One stored headline the brief reads (already mapped to symbols and scored) */
export interface Headline {
  key: string;
  title: string;
  publishedAt: number;
  symbols: readonly string[];
  score: number;
  label: "positive" | "negative" | "neutral";
}

/** One open position of a trading session, marked at the session's last close */
export interface PositionState {
  session: string;
  mode: string;
  symbol: string;
  qty: number;
  averagePrice: number | null;
  unrealisedPnl: number | null;
  /** the session's equity and P&L against its capital, in its quote currency */
  equity: number;
  pnl: number;
}

export interface Brief {
  version: 1;
  /** open time of the newest bar the brief reads */
  asOf: number;
  timeframe: string;
  symbols: SymbolState[];
  lines: BriefLine[];
  /** the ensemble's signals (from the newest stored screen run on this timeframe), when one exists */
  signals?: SignalState[];
}

/** A stored brief of this shape (older or foreign files are skipped) */
export function isBrief(x: unknown): x is Brief {
  if (x === null || typeof x !== "object") return false;
  const b = x as Partial<Brief>;
  return b.version === 1 && typeof b.asOf === "number" && Array.isArray(b.symbols) && Array.isArray(b.lines);
}

export interface BriefInput {
  series: readonly CandleSeries[];
  /** the symbols of the sector (e.g. the AI tokens) among `series` */
  sector: readonly string[];
  /** the benchmark symbol, BTC/USDT by default */
  benchmark?: string;
  /** last funding rate per perpetual symbol, where stored */
  funding?: readonly { symbol: string; ts: number; rate: number }[];
  /** the previous brief, to say what changed */
  previous?: Brief;
  /** a one-day sector move at or beyond this fraction is a shock (default 0.1 = 10%) */
  shockThreshold?: number;
  /** stored headlines of the last `headlineDays` days before the newest bar's close */
  headlines?: readonly Headline[];
  /** the window the headlines cover, days (default 7) */
  headlineDays?: number;
  /**
   * the ensemble: its signals and the out-of-sample hit rates of each kind of signal, or why there
   * is none (no stored screen run on this timeframe, a run on other data)
   */
  ensemble?: { run: string; signals: SignalState[]; hitRates: HitRate[] } | { missing: string };
  /** open positions of the trading sessions and the account's trading state, when sessions exist */
  trading?: { state: "active" | "reducing" | "halted"; sessions: number; positions: PositionState[] };
}
