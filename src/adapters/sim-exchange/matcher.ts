// The seam between the simulated exchange and the one simulated venue (src/execution/venue): the
// exchange keeps protocol, funds and the ledger; the venue alone decides when and at what price
// an order fills, bar by bar, exactly as in the backtest

/** An order as the venue sees it (floats: the venue's arithmetic is the backtest's) */
export interface MatchOrder {
  readonly id: number;
  readonly side: "buy" | "sell";
  readonly type: "market" | "limit";
  readonly qty: number;
  readonly limitPrice?: number;
  readonly timeInForce: "gtc" | "ioc" | "fok";
}

/** One execution the venue decided */
export interface MatchFill {
  readonly id: number;
  readonly qty: number;
  readonly price: number;
  readonly maker: boolean;
}

/** What closing one bar did to the working orders */
export interface BarOutcome {
  readonly fills: readonly MatchFill[];
  /** orders the venue is done with (filled, expired, cancelled, rejected); any the ledger still holds open expire */
  readonly expired: readonly number[];
}

/** Matching for one market's replayed series */
export interface Matcher {
  submit(order: MatchOrder): void;
  cancel(id: number): void;
  /** Matches the working orders against bar `index` of the series, now closed */
  closeBar(index: number): BarOutcome;
}
