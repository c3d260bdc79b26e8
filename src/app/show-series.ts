import type { Gap } from "../data/validate-candles.ts";
import { type Bar, barAt } from "../domain/candle-series.ts";
import type { CandleStore, SeriesInfo } from "../ports/candle-store.ts";
import { seriesGaps } from "./list-series.ts";
import { parseRange, resolveSeries, type SeriesRef } from "./resolve-series.ts";

export interface ShowSeriesInput extends SeriesRef {
  from?: string;
  to?: string;
  /** candles shown from each end */
  rows?: number;
}

export interface SeriesView {
  info: SeriesInfo;
  /** candles in [from, to) */
  selected: number;
  head: Bar[];
  tail: Bar[];
  gaps: Gap[];
}

/** One stored series: its range, gaps and first/last candles in [from, to) */
export function showSeries(deps: { store: CandleStore }, input: ShowSeriesInput): SeriesView {
  const key = resolveSeries(deps.store, input);
  const info = deps.store.info(key)!;
  const range = parseRange(input);
  const s = deps.store.read(key, range);
  const n = s.ts.length;
  const k = Math.min(input.rows ?? 5, n);
  const head = Array.from({ length: k }, (_, i) => barAt(s, i));
  const tail = Array.from({ length: Math.min(k, n - k) }, (_, i) => barAt(s, n - Math.min(k, n - k) + i));
  return { info, selected: n, head, tail, gaps: seriesGaps(deps.store, info) };
}
