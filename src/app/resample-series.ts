import { z } from "zod";
import { type AlignedSeries, type AlignMode, alignSeries as alignPure } from "../data/align.ts";
import { resampleCandles } from "../data/resample.ts";
import type { Timeframe } from "../domain/timeframe.ts";
import type { CandleStore, SeriesKey, UpsertResult } from "../ports/candle-store.ts";
import {
  exchangeField,
  flagField,
  parseInput,
  rangeRefinement,
  symbolListField,
  timeframeField,
} from "./contract.ts";
import { rangeShape, resolveSeries, type SeriesRef, SeriesRefInput } from "./resolve-series.ts";

export const ResampleSeriesInput = SeriesRefInput.extend({
  /** the coarser target timeframe */
  to: timeframeField(),
  replace: flagField().optional(),
});
export type ResampleSeriesInput = z.input<typeof ResampleSeriesInput>;

export interface ResampleReport {
  source: SeriesKey;
  target: SeriesKey;
  rows: number;
  partial: number;
  dropped: { position: "first" | "last"; bucket: number; rows: number }[];
  stored: UpsertResult;
}

/**
 * Builds a coarser series from a stored one (1m -> 5m -> 1h -> 4h -> 1d) and stores it beside the
 * source. An unfinished last bucket (or a first one missing its opening candle) is dropped and reported.
 */
export function resampleSeries(deps: { store: CandleStore }, raw: ResampleSeriesInput): ResampleReport {
  const input = parseInput(ResampleSeriesInput, raw);
  const source = resolveSeries(deps.store, input);
  const to: Timeframe = input.to;
  const r = resampleCandles(deps.store.read(source), to);
  const stored = deps.store.upsert(r.series, { replace: input.replace === true });
  return {
    source,
    target: { exchange: source.exchange, symbol: source.symbol, timeframe: to },
    rows: r.series.ts.length,
    partial: r.partial,
    dropped: r.dropped,
    stored,
  };
}

export const AlignSeriesInput = z
  .object({
    symbols: symbolListField(),
    timeframe: timeframeField(),
    exchange: exchangeField().optional(),
    mode: z.enum(["intersection", "union"]).optional(),
    ...rangeShape,
  })
  .superRefine(rangeRefinement);
export type AlignSeriesInput = z.input<typeof AlignSeriesInput>;

/** Reads several stored symbols and puts them on one clock (intersection, or union with gaps marked) */
export function alignStoredSeries(deps: { store: CandleStore }, raw: AlignSeriesInput): AlignedSeries {
  const input = parseInput(AlignSeriesInput, raw);
  const range = {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  };
  const series = input.symbols.map((symbol) => {
    const ref: SeriesRef = { symbol, timeframe: input.timeframe };
    if (input.exchange !== undefined) ref.exchange = input.exchange;
    return deps.store.read(resolveSeries(deps.store, ref), range);
  });
  return alignPure(series, (input.mode ?? "intersection") satisfies AlignMode);
}
