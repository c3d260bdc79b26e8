/**
 * A stored series' candles as columns (the dashboard's price chart): one array per field instead of
 * an object per candle, so 100,000 candles cross HTTP as about half the bytes and are parsed as six
 * arrays. At most the newest `last` candles of [from, to) (default and ceiling MAX_CANDLES), and how
 * many the range holds, so a reader can say what it leaves out.
 */
import type { z } from "zod";
import type { CandleStore } from "../ports/candle-store.ts";
import { parseInput, rangeRefinement, wholeNumberField } from "./contract.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

/** the most candles one answer carries (about 6 MB of JSON) */
export const MAX_CANDLES = 250_000;

export const ReadCandlesInput = SeriesRefInput.extend({
  ...rangeShape,
  /** the newest this many candles of the range */
  last: wholeNumberField({ min: 1, max: MAX_CANDLES }).optional(),
}).superRefine(rangeRefinement);
export type ReadCandlesInput = z.input<typeof ReadCandlesInput>;

export interface CandleColumnsJson {
  exchange: string;
  symbol: string;
  timeframe: string;
  /** candles in [from, to) */
  selected: number;
  /** candles in this answer: the newest min(selected, last) */
  count: number;
  ts: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

export function readCandles(deps: { store: CandleStore }, raw: ReadCandlesInput): CandleColumnsJson {
  const input = parseInput(ReadCandlesInput, raw);
  const key = resolveSeries(deps.store, input);
  const s = deps.store.read(key, {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  });
  const n = s.ts.length;
  const start = n - Math.min(n, input.last ?? MAX_CANDLES);
  const col = (a: Float64Array): number[] => Array.from(a.subarray(start));
  return {
    exchange: key.exchange,
    symbol: key.symbol,
    timeframe: key.timeframe,
    selected: n,
    count: n - start,
    ts: col(s.ts),
    open: col(s.open),
    high: col(s.high),
    low: col(s.low),
    close: col(s.close),
    volume: col(s.volume),
  };
}
