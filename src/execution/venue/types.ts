/**
 * The simulated venue's contract. One pure, deterministic matching engine and account, driven by
 * closed bars: the backtest's event engine, the paper broker and the simulated exchange all call
 * the same `Venue`, so they produce the same fills for the same bars and orders.
 *
 * The cycle, per bar:
 *   1. `submit` / `cancel` / `setTarget` at any time between bars (after bar t closed): an order
 *      submitted then is active from the next `onBar` on (it never fills in a bar already seen).
 *   2. `onBar(index, bars)` with the next closed bar of each symbol: open fills (targets and market
 *      orders, sells before buys), funding, then inside the bar stops, take-profit, liquidation and
 *      resting orders in the pessimistic order of src/backtest/types.ts, then time in force.
 *      It returns the events that bar caused, in the order they happened.
 *   3. Read the account (cash, positions, equity at the close) and decide again.
 *
 * Everything is a value: no clock, no randomness, no I/O. The same calls give the same events.
 */
import type { ExitRules } from "../../domain/decision.ts";
import type { Fill } from "../../domain/fill.ts";
import type { Instrument, MarketType } from "../../domain/instrument.ts";
import type { Order, OrderRequest } from "../../domain/order.ts";
import type { OrderStatus } from "../../domain/order-status.ts";
import type { Position } from "../../domain/position.ts";
import type { Trade } from "../../domain/trade.ts";
import type { ExecutionModels } from "./models.ts";

/** Slippage: a fixed fraction, or base + k * (high - low) / open * sqrt(qty / volume) */
export type SlippageSpec = { kind: "fixed"; rate: number } | { kind: "volume"; base: number; k: number };

/** How the venue turns orders into fills and charges for them */
export interface VenueConfig {
  initialCash: number;
  market: MarketType;
  /** taker fee rate (fraction of notional) */
  fee: number;
  /** maker fee rate; equals `fee` when not set */
  makerFee?: number;
  slippage: SlippageSpec;
  /** 1 on spot; up to the exchange's limit on perps */
  leverage: number;
  /** maintenance margin rate, default 0.005 */
  maintenanceMargin: number;
  /** fee on liquidated notional, default 0.005 */
  liquidationFee: number;
  /** funding rate per funding interval when no history is given (perps only) */
  fundingRate: number;
  /** funding interval, default 8h */
  fundingIntervalMs: number;
  /** stored funding history per symbol: ts ascending, rate per interval */
  fundingHistory?: Record<string, { ts: Float64Array; rate: Float64Array }>;
  /** max fraction of a bar's volume that may fill in that bar (partial fills) */
  participationCap?: number;
  /** default rules for every symbol; an `Instrument` given to the venue overrides them */
  minNotional?: number;
  lotSize?: number;
  priceTick?: number;
  /** stop rules of a position opened without its own */
  exits: ExitRules;
  /** bars without new entries on a symbol after a stop-loss, trailing-stop or liquidation exit there */
  cooldownBars: number;
}

/** One bar, or one finer bar inside it */
export interface Segment {
  open: number;
  high: number;
  low: number;
  volume: number;
}

/** A closed bar of one symbol; `detail` are finer closed bars inside it, in time order */
export interface VenueBar extends Segment {
  /** open time, epoch ms */
  ts: number;
  close: number;
  detail?: readonly Segment[] | undefined;
}

/** An order as handed to the venue: the request plus the sender's id (the idempotency key) */
export interface VenueOrderRequest extends OrderRequest {
  clientOrderId: string;
  /** stop rules for the position this order opens (else the config's) */
  exits?: ExitRules;
}

/** A status change of an order the venue works; `status` always follows the domain's table */
export interface VenueOrderEvent {
  type: "order";
  clientOrderId: string;
  symbol: string;
  status: Extract<
    OrderStatus,
    "acknowledged" | "partially_filled" | "filled" | "cancelled" | "rejected" | "expired"
  >;
  /** open time of the bar it happened in; the time of the last bar seen for submit and cancel */
  ts: number;
  filledQty: number;
  remainingQty: number;
  /** why it was rejected, cancelled or expired */
  reason?: string;
}

/** One execution. `clientOrderId` is absent for fills the venue makes itself (targets, stops, liquidations) */
export interface VenueFillEvent {
  type: "fill";
  /** deterministic per venue: "T1", "T2", ... in fill order */
  tradeId: string;
  clientOrderId?: string;
  fill: Fill;
}

/** Funding charged on a perpetual position (positive = paid by the holder) */
export interface VenueFundingEvent {
  type: "funding";
  symbol: string;
  ts: number;
  amount: number;
}

export type VenueEvent = VenueOrderEvent | VenueFillEvent | VenueFundingEvent;

/** Read side of the venue's one cash balance and its positions */
export interface VenueAccount {
  readonly cash: number;
  /** totals over the run, in quote */
  readonly fees: number;
  readonly funding: number;
  readonly tradedNotional: number;
  /** every fill in order, and every closed round trip */
  readonly fills: readonly Fill[];
  readonly trades: readonly Trade[];
  /** signed quantity held (0 when flat) */
  qty(symbol: string): number;
  /** cash + sum(qty * mark(symbol)) */
  equity(mark: (symbol: string) => number): number;
  usedMargin(): number;
  positions(): Position[];
  /** round trips still open, marked at `mark` with no exit fee (exit reason "end-of-data") */
  openTrades(ts: number, bar: number, mark: (symbol: string) => number): Trade[];
}

export interface VenueOptions {
  config: VenueConfig;
  /** the symbols this venue trades; orders for others are rejected */
  symbols: readonly string[];
  /** length of one bar in ms (funding instants inside [ts, ts + barMs) are charged at that bar) */
  barMs: number;
  /** per-symbol tick, lot and minimum notional (override the config's defaults) */
  instruments?: Readonly<Record<string, Instrument>>;
  /**
   * false (the backtest): quantities are floored to the lot and fills below the minimum notional
   * are dropped at fill time. true (an exchange): an order that breaks a filter is rejected at submit
   */
  strictFilters?: boolean;
  /** replace one of the pluggable models (a venue's own fee schedule, say) */
  models?: Partial<ExecutionModels>;
}

export interface Venue {
  readonly account: VenueAccount;
  /**
   * Accepts an order (event `acknowledged`, active from the next bar) or refuses it (event
   * `rejected` with the reason: unknown symbol, qty <= 0, missing limit/stop price, a duplicate
   * client order id, or with `strictFilters` a filter failure). Never throws for a bad order.
   */
  submit(order: VenueOrderRequest): VenueOrderEvent;
  /** Cancels a working order; undefined when there is no open order with that id (Binance -2011) */
  cancel(clientOrderId: string, reason?: string): VenueOrderEvent | undefined;
  /** Cancels every working order (the drawdown stop, a kill switch), in submission order */
  cancelAll(reason: string): VenueOrderEvent[];
  /**
   * Moves the position to `qty` (signed base units) at the next open with taker fills. Replaces an
   * earlier target; left pending only while the participation cap holds it back
   */
  setTarget(symbol: string, qty: number, reason: string, exits?: ExitRules): void;
  clearTarget(symbol: string): void;
  /**
   * Runs one closed bar. `index` goes up by one per bar (it numbers fills and cooldowns);
   * `bars` holds the bar of every traded symbol. Returns the events of this bar in order; the
   * array is reused by the next call, so copy what you keep.
   */
  onBar(index: number, bars: Readonly<Record<string, VenueBar>>): readonly VenueEvent[];
  /** The order with this client id, open or final; undefined when the venue never accepted it */
  lookup(clientOrderId: string): Readonly<Order> | undefined;
  /** Orders still working, in submission order */
  openOrders(symbol?: string): Readonly<Order>[];
}
