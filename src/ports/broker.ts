/**
 * The Broker port: what the order lifecycle needs from a venue (a real exchange through ccxt, the
 * simulated exchange, or the in-process paper venue). Implementations: `CcxtBroker`
 * (src/adapters/ccxt/ccxt-broker.ts) and `PaperBroker` (src/adapters/paper/paper-broker.ts); one
 * contract suite (test/support/broker-contract.ts) runs against both.
 *
 * Three rules every implementation keeps, because the lifecycle's safety rests on them:
 * 1. Amounts are decimal strings exactly as the venue states them ("0.00123"), never binary
 *    floats, so positions and balances can be summed exactly (integer units or a decimal library).
 * 2. `submit` and `cancel` return outcomes as values. `ambiguous` means the venue may or may not
 *    have acted (timeout, 5xx, dropped connection): it is never a failure; the caller resolves it
 *    with `lookup(clientOrderId)` and any resend reuses the same client order id. `rejected` is
 *    returned only on the venue's explicit word. They throw (a retryable AppError) only when nothing
 *    was sent, e.g. the market list could not be loaded.
 * 3. The client order id is the caller's: the broker sends it unchanged and the venue refuses a
 *    second order with the same id, so a resend can never double an order.
 *
 * Reads (`lookup`, `openOrders`, `fillsSince`, `balances`, ...) throw AppErrors on failure:
 * RATE_LIMITED (with `details.retryAfterMs` when the venue said how long to wait) and
 * EXCHANGE_UNAVAILABLE are `retryable`; AUTH_FAILED, NOT_FOUND and EXCHANGE_ERROR are not.
 */

/** A decimal number as text, exactly as the venue states it ("0.00123"); never a binary float */
export type DecimalString = string;

export type BrokerSide = "buy" | "sell";
export type BrokerOrderType = "market" | "limit";
export type BrokerTimeInForce = "gtc" | "ioc" | "fok";

/** An order to place. `symbol` is ccxt notation (BTC/USDT) */
export interface OrderSubmission {
  /**
   * The caller's id, deterministic from (session, decision, leg) and committed before sending;
   * at most 36 characters of [A-Za-z0-9_-] (Binance's `newClientOrderId` rule)
   */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: BrokerSide;
  readonly type: BrokerOrderType;
  /** base-asset quantity, already on the market's step (see MarketRules.stepSize) */
  readonly quantity: DecimalString;
  /** limit price on the market's tick; required for limit orders, absent for market orders */
  readonly price?: DecimalString;
  /** default gtc for limit orders */
  readonly timeInForce?: BrokerTimeInForce;
}

/**
 * The venue's view of an order. `open` covers new and partially filled (see `filledQuantity`);
 * `expired` includes IOC/FOK remainders the venue expired
 */
export type VenueOrderStatus = "open" | "filled" | "cancelled" | "rejected" | "expired";

/** An order as the venue reports it */
export interface VenueOrder {
  readonly clientOrderId: string;
  /** the venue's own id */
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: BrokerSide;
  readonly type: BrokerOrderType;
  readonly status: VenueOrderStatus;
  readonly quantity: DecimalString;
  /** limit price; absent for market orders */
  readonly price?: DecimalString;
  readonly filledQuantity: DecimalString;
  /** volume-weighted fill price; absent while nothing is filled */
  readonly averagePrice?: DecimalString;
  /** epoch ms when the venue accepted it */
  readonly createdAt: number;
  /** epoch ms of the venue's last change, when reported */
  readonly updatedAt?: number;
}

/** One execution. (venue, symbol, tradeId) identifies it (Binance numbers trades per symbol): the same fill may arrive by stream, poll and reconciliation */
export interface VenueFill {
  readonly venue: string;
  readonly tradeId: string;
  readonly venueOrderId: string;
  /** present when the venue reports it (Binance's myTrades does not; the stream does) */
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: BrokerSide;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  readonly liquidity?: "maker" | "taker";
  /** epoch ms of the execution on the venue's clock */
  readonly ts: number;
}

/** One asset of the account */
export interface VenueBalance {
  readonly asset: string;
  readonly free: DecimalString;
  /** held by open orders */
  readonly locked: DecimalString;
}

/** A holding per market: on spot the base asset's total balance, on perpetuals the venue's position */
export interface VenuePosition {
  readonly symbol: string;
  /** signed base quantity (negative = short) */
  readonly quantity: DecimalString;
  /** average entry price when the venue reports one (perpetuals) */
  readonly entryPrice?: DecimalString;
}

/** A market's trading rules, from the venue's filters */
export interface MarketRules {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly marketType: "spot" | "perp";
  /** prices are whole multiples of it */
  readonly tickSize: DecimalString;
  /** quantities are whole multiples of it */
  readonly stepSize: DecimalString;
  readonly minQuantity: DecimalString;
  readonly maxQuantity?: DecimalString;
  /** minimum price x quantity */
  readonly minNotional: DecimalString;
}

/** What an API key may do, as the venue reports it; `undefined` where the venue does not say */
export interface KeyPermissions {
  readonly canTrade: boolean | undefined;
  readonly canWithdraw: boolean | undefined;
}

/** What became of a submit */
export type SubmitOutcome =
  /** the venue accepted it (it may already be filled) */
  | { readonly kind: "accepted"; readonly order: VenueOrder }
  /** the venue refused it and said why; nothing was placed */
  | { readonly kind: "rejected"; readonly code: RejectCode; readonly message: string }
  /** the venue refused to process the request now (429); nothing was placed; resend the same id after `retryAfterMs` */
  | { readonly kind: "throttled"; readonly retryAfterMs: number | undefined; readonly message: string }
  /** it may or may not have been placed: resolve with `lookup(clientOrderId)`, never resend a new id */
  | { readonly kind: "ambiguous"; readonly message: string };

/**
 * Why a venue refused an order: insufficient funds (-2010), filter failure such as min notional or
 * tick (-1013), a duplicate client order id (the order already exists: look it up), an unknown
 * market, or anything else the venue said no to
 */
export type RejectCode =
  | "insufficient-funds"
  | "filter-failure"
  | "duplicate-client-order-id"
  | "unknown-symbol"
  | "other";

/** What became of a cancel */
export type CancelOutcome =
  /** the venue cancelled it; `order` holds what had filled before */
  | { readonly kind: "cancelled"; readonly order: VenueOrder }
  /** the venue knows no open order with that id (never placed, or already filled or closed): look it up */
  | { readonly kind: "not-open"; readonly message: string }
  | { readonly kind: "throttled"; readonly retryAfterMs: number | undefined; readonly message: string }
  /** it may or may not have been cancelled: look it up */
  | { readonly kind: "ambiguous"; readonly message: string };

/** What became of cancelling every open order of one market in one request */
export type CancelAllOutcome =
  /** the venue cancelled these (possibly none: nothing was open); each carries what had filled before */
  | { readonly kind: "cancelled"; readonly orders: readonly VenueOrder[] }
  | { readonly kind: "throttled"; readonly retryAfterMs: number | undefined; readonly message: string }
  /** some, all or none may have been cancelled, or the venue refused: cancel or look up one by one */
  | { readonly kind: "ambiguous"; readonly message: string };

/** Something the venue pushed (a user-data stream); may be dropped, duplicated or out of order */
export type BrokerEvent =
  | { readonly kind: "order"; readonly order: VenueOrder }
  | { readonly kind: "fill"; readonly fill: VenueFill }
  | { readonly kind: "balances"; readonly balances: readonly VenueBalance[] }
  /** the stream dropped; events may have been lost in between: reconcile by polling */
  | { readonly kind: "disconnected"; readonly reason: string };

/**
 * A trading venue. Every method may be called concurrently; none retries a create or cancel on
 * its own (that is the lifecycle's decision, with the same client order id).
 */
export interface Broker {
  /** the venue's id, e.g. "binance" or "paper"; fills are unique per (venue, symbol, tradeId) */
  readonly venue: string;
  /** Places an order under the caller's client order id */
  submit(order: OrderSubmission): Promise<SubmitOutcome>;
  /** Cancels an open order by client order id */
  cancel(symbol: string, clientOrderId: string): Promise<CancelOutcome>;
  /**
   * Cancels every open order of one market in one request (Binance's DELETE /api/v3/openOrders),
   * including orders kairos did not send; present only where the venue has it. The kill switch's
   * fast path: anything not listed in the answer is cancelled one by one
   */
  cancelAll?(symbol: string): Promise<CancelAllOutcome>;
  /** The order with this client order id, or undefined when the venue has never seen it */
  lookup(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  /** Open orders, of one market or all (including orders kairos did not send) */
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** The account's fills on one market with ts >= sinceMs, oldest first */
  fillsSince(symbol: string, sinceMs: number): Promise<VenueFill[]>;
  /** Every asset with a non-zero free or locked balance */
  balances(): Promise<VenueBalance[]>;
  /** Holdings of the given markets (spot: base-asset totals) */
  positions(symbols: readonly string[]): Promise<VenuePosition[]>;
  /** The venue's clock, epoch ms */
  serverTime(): Promise<number>;
  /** A market's trading rules; NOT_FOUND for an unknown symbol */
  marketRules(symbol: string): Promise<MarketRules>;
  /** What the key may do (a key that can withdraw is refused for live trading) */
  permissions(): Promise<KeyPermissions>;
  /**
   * Subscribes to pushed order, fill and balance events when the venue has a stream; returns the
   * unsubscribe function. Pushed events are a fast path only: polling and reconciliation stay the truth
   */
  subscribe?(onEvent: (e: BrokerEvent) => void): Promise<() => Promise<void>>;
  /**
   * Subscribes to the venue's closed candles of the given markets (Binance's kline streams) where it
   * pushes them; returns the unsubscribe function. A fast path only: a candle may come late, twice
   * or never, so the REST klines stay the truth (the live loop fetches what the stream did not bring)
   */
  subscribeCandles?(
    symbols: readonly string[],
    timeframe: string,
    onEvent: (e: CandleEvent) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A closed candle the venue pushed (open time in epoch ms), or the stream's loss */
export type CandleEvent =
  | {
      readonly kind: "candle";
      readonly symbol: string;
      readonly ts: number;
      readonly open: number;
      readonly high: number;
      readonly low: number;
      readonly close: number;
      readonly volume: number;
    }
  | { readonly kind: "disconnected"; readonly reason: string };
