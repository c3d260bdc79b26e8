import { type AlignedSeries, type AlignMode, alignSeries as alignPure } from "../data/align.ts";
import { resampleCandles } from "../data/resample.ts";
import { parseTimeframe, type Timeframe } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore, SeriesKey, UpsertResult } from "../ports/candle-store.ts";
import { parseRange, resolveSeries, type SeriesRef } from "./resolve-series.ts";

export interface ResampleSeriesInput extends SeriesRef {
  to: string;
  replace?: boolean;
}

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
export function resampleSeries(deps: { store: CandleStore }, input: ResampleSeriesInput): ResampleReport {
  const source = resolveSeries(deps.store, input);
  const to: Timeframe = parseTimeframe(input.to);
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

export interface AlignSeriesInput {
  symbols: string[];
  timeframe: string;
  exchange?: string;
  mode?: AlignMode;
  from?: string;
  to?: string;
}

/** Reads several stored symbols and puts them on one clock (intersection, or union with gaps marked) */
export function alignStoredSeries(deps: { store: CandleStore }, input: AlignSeriesInput): AlignedSeries {
  if (input.symbols.length === 0) throw invalidInput("align: name at least one --symbol");
  const range = parseRange(input);
  const series = input.symbols.map((symbol) => {
    const ref: SeriesRef = { symbol, timeframe: input.timeframe };
    if (input.exchange !== undefined) ref.exchange = input.exchange;
    return deps.store.read(resolveSeries(deps.store, ref), range);
  });
  return alignPure(series, input.mode ?? "intersection");
}
