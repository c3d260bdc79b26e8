import type { Timeframe } from "../domain/timeframe.ts";

/** One page of candles as arrays, oldest first, as the exchange returned it (may include the unclosed one) */
export interface CandlePage {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One page of funding payments, oldest first */
export interface FundingPage {
  readonly ts: Float64Array;
  readonly rate: Float64Array;
}

/**
 * An exchange's public market data. Failures are AppErrors: RATE_LIMITED and
 * EXCHANGE_UNAVAILABLE are `retryable` (with `details.retryAfterMs` when the exchange said how
 * long to wait); EXCHANGE_ERROR, NOT_FOUND and INVALID_INPUT are not.
 */
export interface MarketDataSource {
  readonly exchange: string;
  /** Whether the exchange offers OHLCV at all, and funding history */
  capabilities(): Promise<{ ohlcv: boolean; funding: boolean; timeframes: readonly string[] }>;
  /** Up to `limit` candles with open time >= since */
  fetchCandles(symbol: string, timeframe: Timeframe, since: number, limit: number): Promise<CandlePage>;
  /** Up to `limit` funding payments with time >= since; `symbol` in ccxt notation (BTC/USDT:USDT) */
  fetchFunding(symbol: string, since: number, limit: number): Promise<FundingPage>;
  /** Largest page the exchange serves for candles */
  readonly maxCandlesPerPage: number;
  close(): Promise<void>;
}
