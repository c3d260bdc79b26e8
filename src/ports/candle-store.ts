import type { CandleColumns, CandleSeries } from "../domain/candle-series.ts";
import type { Timeframe } from "../domain/timeframe.ts";

/** Identifies one stored series */
export interface SeriesKey {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
}

/** What the store knows about a series without reading it */
export interface SeriesInfo extends SeriesKey {
  rows: number;
  /** open time of the first and last candle, epoch ms */
  first: number;
  last: number;
}

export interface UpsertResult {
  inserted: number;
  unchanged: number;
  replaced: number;
}

/**
 * The embedded home of all candles. Writes are atomic: a batch lands whole or not at all.
 * Upserts are idempotent per (exchange, symbol, timeframe, ts).
 */
export interface CandleStore {
  /**
   * Stores candles (sorted, unique timestamps); a stored timestamp with different values is
   * refused with CONFLICT, and nothing of the batch is stored, unless `replace`
   */
  upsert(series: CandleSeries, options?: { replace?: boolean }): UpsertResult;
  /**
   * Reads [from, to) in epoch ms (both optional) as arrays; NOT_FOUND when the series is not stored.
   * With `into`, the candles are written into those caller-owned arrays (each at least as long as
   * the range; INVALID_INPUT otherwise) and the result's columns are views of their first rows, so a
   * caller reading many series or re-reading one (checks, live loops, servers) allocates nothing.
   */
  read(key: SeriesKey, range?: { from?: number; to?: number }, into?: CandleColumns): CandleSeries;
  /** Only the open times of a stored series (gap scans read a sixth of the bytes) */
  readTimestamps(key: SeriesKey): Float64Array;
  list(): SeriesInfo[];
  info(key: SeriesKey): SeriesInfo | undefined;
  /** Removes a series; true when it existed */
  remove(key: SeriesKey): boolean;
  /**
   * Removes the candles with open time in [from, to) (the whole series without a range), in one
   * transaction; the series itself goes when no candle remains. Returns how many were removed.
   */
  deleteRange(key: SeriesKey, range?: { from?: number; to?: number }): number;
  /**
   * Runs `fn` as one transaction: every write inside it (candles and, in the same home, funding)
   * lands, or none does when it throws. A folder import and a repair are each one batch.
   */
  batch<T>(fn: () => T): T;
  /**
   * Makes every committed write durable now, off the event loop. Candle writes commit without
   * waiting for the disk (they can be fetched again); without this, the next write on the same file
   * that does wait (a trading decision's intents) pays for syncing them, on its way to the wire
   */
  syncToDisk(): Promise<void>;
  close(): void;
}
