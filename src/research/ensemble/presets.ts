import { type Timeframe, timeframeMs } from "../../domain/timeframe.ts";
import type { EnsembleConfigInput } from "./types.ts";

/** Window lengths that make sense for a timeframe: calendar spans for intraday bars, bar counts for daily */
export function ensemblePreset(tf: Timeframe): EnsembleConfigInput {
  const perDay = 86_400_000 / timeframeMs(tf);
  if (perDay >= 2) {
    const d = (days: number): number => Math.max(2, Math.round(days * perDay));
    return { window: d(30), rebalanceEvery: d(1), halfLife: d(10), minHistory: d(10), demoteWindow: d(5) };
  }
  return { window: 250, rebalanceEvery: 5, halfLife: 60, minHistory: 120, demoteWindow: 60 };
}
