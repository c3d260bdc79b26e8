import { findGaps, type Gap } from "../data/validate-candles.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import type { CandleStore, SeriesInfo } from "../ports/candle-store.ts";
import type { FundingInfo, FundingStore } from "../ports/funding-store.ts";

export interface SeriesSummary extends SeriesInfo {
  /** runs of missing candles, and how many candles they miss */
  gaps: number;
  missing: number;
}

/** Every stored series with its rows, range and gaps */
export function listSeries(deps: { store: CandleStore; funding?: FundingStore }): {
  series: SeriesSummary[];
  funding: FundingInfo[];
} {
  const series = deps.store.list().map((info) => {
    const gaps = seriesGaps(deps.store, info);
    return { ...info, gaps: gaps.length, missing: gaps.reduce((a, g) => a + g.count, 0) };
  });
  return { series, funding: deps.funding?.listFunding() ?? [] };
}

/** The gaps of a stored series, from its timestamps alone */
export function seriesGaps(store: CandleStore, info: SeriesInfo): Gap[] {
  return findGaps(store.readTimestamps(info), timeframeMs(info.timeframe));
}
