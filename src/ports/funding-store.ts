/** Identifies the funding history of one perpetual contract, ccxt notation (`BTC/USDT:USDT`) */
export interface FundingKey {
  exchange: string;
  symbol: string;
}

/** Funding payments as arrays: `ts` epoch ms of each funding time, `rate` the fraction paid by longs */
export interface FundingSeries {
  readonly exchange: string;
  readonly symbol: string;
  readonly ts: Float64Array;
  readonly rate: Float64Array;
}

export interface FundingInfo extends FundingKey {
  rows: number;
  first: number;
  last: number;
}

/** Stored perpetual funding history; the backtester reads it when present. Upserts are idempotent per ts. */
export interface FundingStore {
  /** Stores rates (sorted, unique ts); returns how many were new. A changed stored rate is replaced */
  upsertFunding(series: FundingSeries): number;
  /** [from, to) epoch ms; an empty series when none is stored */
  readFunding(key: FundingKey, range?: { from?: number; to?: number }): FundingSeries;
  listFunding(): FundingInfo[];
}
