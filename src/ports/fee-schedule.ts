/** Maker and taker fee rates as fractions of notional */
export interface TradingFees {
  maker: number;
  taker: number;
}

/** An exchange's published trading fees (base tier), e.g. from ccxt's market metadata; offline */
export interface FeeSchedule {
  /** undefined when the exchange is unknown */
  tradingFees(exchange: string, symbol: string): Promise<TradingFees | undefined>;
}
