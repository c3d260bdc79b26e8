import type { z } from "zod";
import type { Gap } from "../data/validate-candles.ts";
import { type Bar, barAt } from "../domain/candle-series.ts";
import type { CandleStore, SeriesInfo } from "../ports/candle-store.ts";
import { parseInput, rangeRefinement, wholeNumberField } from "./contract.ts";
import { seriesGaps } from "./list-series.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

export const ShowSeriesInput = SeriesRefInput.extend({
  ...rangeShape,
  /** candles shown from each end */
  rows: wholeNumberField({ min: 0, max: 1_000_000 }).optional(),
}).superRefine(rangeRefinement);
export type ShowSeriesInput = z.input<typeof ShowSeriesInput>;

export interface SeriesView {
  info: SeriesInfo;
  /** candles in [from, to) */
  selected: number;
  head: Bar[];
  tail: Bar[];
  gaps: Gap[];
}

/** One stored series: its range, gaps and first/last candles in [from, to) */
export function showSeries(deps: { store: CandleStore }, raw: ShowSeriesInput): SeriesView {
  const input = parseInput(ShowSeriesInput, raw);
  const key = resolveSeries(deps.store, input);
  const info = deps.store.info(key)!;
  const range = {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  };
  const s = deps.store.read(key, range);
  const n = s.ts.length;
  const k = Math.min(input.rows ?? 5, n);
  const head = Array.from({ length: k }, (_, i) => barAt(s, i));
  const tail = Array.from({ length: Math.min(k, n - k) }, (_, i) => barAt(s, n - Math.min(k, n - k) + i));
  return { info, selected: n, head, tail, gaps: seriesGaps(deps.store, info) };
}
