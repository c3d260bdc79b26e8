import type { z } from "zod";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import { parseInput, rangeRefinement } from "./contract.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

/** A stored series, and optionally [from, to) of it, to remove */
export const DeleteSeriesInput = SeriesRefInput.extend(rangeShape).superRefine(rangeRefinement);
export type DeleteSeriesInput = z.input<typeof DeleteSeriesInput>;

export interface DeleteReport {
  series: SeriesKey;
  /** candles removed */
  removed: number;
  /** candles of the series left afterwards (0: the series is gone) */
  remaining: number;
  from?: number;
  to?: number;
}

/**
 * Removes a stored series, or its candles in [from, to), in one transaction (all of the range
 * goes or nothing does), so a damaged home is mended without SQL
 */
export function deleteSeries(deps: { store: CandleStore }, raw: DeleteSeriesInput): DeleteReport {
  const input = parseInput(DeleteSeriesInput, raw);
  const key = resolveSeries(deps.store, input);
  const range = {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  };
  const removed = deps.store.deleteRange(key, range);
  return { series: key, removed, remaining: deps.store.info(key)?.rows ?? 0, ...range };
}
