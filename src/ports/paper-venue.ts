import type { Bar } from "../domain/candle-series.ts";
import type { Broker, MarketRules, VenueFill } from "./broker.ts";

/** How a paper venue fills: fee rates as decimal text, slippage as in the backtest */
export interface PaperVenueOptions {
  /** the paper account (one per trading session) */
  account: string;
  takerFee: string;
  makerFee?: string;
  /** fixed slippage fraction on taker fills */
  slippage?: number;
  rules: readonly MarketRules[];
}

/**
 * An in-process venue driven by closed candles (PaperBroker): a Broker that also takes the bars
 * it matches on, and lets a test or a person change the account behind kairos's back (a deposit)
 */
export interface PaperVenue extends Broker {
  /** opens the account with these balances unless it already has some */
  fund(balances: Record<string, string>): void;
  /** a deposit (negative: a withdrawal) made outside kairos */
  deposit(asset: string, value: string): void;
  /** matches open orders against the closed bars of one instant, once; returns the fills */
  onBars(bars: readonly { symbol: string; bar: Bar }[]): VenueFill[];
  /** the last bar matched on a market */
  lastBarTs(symbol: string): number | undefined;
}
