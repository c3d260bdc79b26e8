/**
 * The durable memory of trading: sessions, decisions, order intents and their venue state, fills
 * and the session's trading state. Every write is committed (fsync'd) before the call returns, so
 * an intent exists on disk before any byte of its order is sent, and a fill recorded once is never
 * lost or counted twice. Amounts are exact decimal strings as the venue reports them.
 */

import type { CandleSeries } from "../domain/candle-series.ts";
import type { OrderStatus } from "../domain/order-status.ts";

/** Where an order stands; it changes only through the domain's transition table */
export type OrderState = OrderStatus;

/** A session's trading state: halted blocks every new order until a person resolves it */
export type TradingState = "starting" | "active" | "halted" | "stopped";

export interface SessionRecord {
  id: string;
  /** "paper" or "live" */
  mode: "paper" | "live";
  venue: string;
  state: TradingState;
  /** why the session is halted: the exact differences, one per line */
  haltReason?: string;
  /** the session's configuration (strategy, params, symbols, timeframe, capital), never secrets */
  config: Record<string, unknown>;
  /** open time of the last candle the session acted on */
  lastBarTs?: number;
  createdAt: number;
  updatedAt: number;
}

export interface DecisionRecord {
  sessionId: string;
  /** sequence within the session (1, 2, ...), part of every client order id it causes */
  seq: number;
  /** open time of the closed candle decided on */
  barTs: number;
  targets: Record<string, number>;
  explanation: string;
  createdAt: number;
  /** what the decision used, for the audit log only (the order store does not keep it) */
  detail?: DecisionDetail;
}

/** The inputs of a decision as the audit log records them */
export interface DecisionDetail {
  /** the feature and indicator values the strategy decided on (Decision.values) */
  values?: Record<string, number>;
  /** the bars the strategy could read: every series from its first loaded bar to `lastIndex` */
  snapshot?: { series: readonly CandleSeries[]; lastIndex: number };
}

export interface OrderRecord {
  clientOrderId: string;
  sessionId: string;
  decisionSeq: number;
  leg: number;
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: string;
  limitPrice?: string;
  state: OrderState;
  venueOrderId?: string;
  /** cumulative filled quantity as the venue reported it */
  filledQty: string;
  /** the venue's words when it rejected or expired the order */
  reason?: string;
  /** how many times the create was sent (resends reuse the client order id) */
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

export type OrderPatch = Partial<
  Pick<OrderRecord, "state" | "venueOrderId" | "filledQty" | "reason" | "attempts">
>;

export interface FillRecord {
  venue: string;
  /** the venue's trade id, numbered per symbol on Binance: (venue, symbol, tradeId) is unique, whichever path reported the fill */
  tradeId: string;
  clientOrderId: string;
  sessionId: string;
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  price: string;
  fee: string;
  feeAsset: string;
  ts: number;
  /** which path reported it first: websocket, polling, reconciliation or the paper venue */
  source: "ws" | "poll" | "reconcile" | "paper";
}

/** One reconciliation pass: ok, or the exact differences found against the venue */
export interface ReconciliationRecord {
  sessionId: string;
  ts: number;
  ok: boolean;
  /** one line per difference, e.g. "balance USDT: kairos 9000.5, venue 9100.5" */
  differences: string[];
  /** venue orders kairos did not send (flagged, never adopted) */
  foreignOrders: string[];
}

/** A session's identity and the fields that change while it lives (state, last bar, update time) */
export interface SessionHead {
  id: string;
  state: TradingState;
  lastBarTs?: number;
  updatedAt: number;
}

export interface OrderStore {
  createSession(s: SessionRecord): void;
  getSession(id: string): SessionRecord | undefined;
  /** sessions oldest first; `page` reads only that slice (a long-lived home holds thousands) */
  listSessions(page?: { limit: number; offset: number }): SessionRecord[];
  /**
   * The same page's sessions as their changing parts only (no configuration read or parsed), in
   * listSessions' order: what a list reads to find which of its entries changed since it built them
   */
  listSessionHeads(page: { limit: number; offset: number }): SessionHead[];
  countSessions(): number;
  /** sets the persisted trading state (and the halt reason when halting) */
  setState(id: string, state: TradingState, haltReason?: string): void;
  setLastBar(id: string, barTs: number): void;
  /** replaces the session's configuration (e.g. a new balance baseline a person accepted) */
  setConfig(id: string, config: Record<string, unknown>): void;

  /** the next decision seq; a decision and its intents are committed in one transaction */
  recordDecision(d: DecisionRecord, intents: OrderRecord[]): void;
  getDecision(sessionId: string, seq: number): DecisionRecord | undefined;
  lastDecision(sessionId: string): DecisionRecord | undefined;

  getOrder(clientOrderId: string): OrderRecord | undefined;
  /** the order the venue knows under its own id */
  orderByVenueId(venue: string, venueOrderId: string): OrderRecord | undefined;
  ordersOf(sessionId: string, states?: readonly OrderState[]): OrderRecord[];
  /** applies a state change the caller validated against the transition table */
  updateOrder(clientOrderId: string, patch: OrderPatch): void;

  /** records a fill once, with its order's change in the same transaction; false when (venue, symbol, tradeId) was already recorded */
  addFill(f: FillRecord, orderPatch?: OrderPatch): boolean;
  fillsOf(sessionId: string): FillRecord[];
  /** the session's fills in the order they were recorded, from the `offset`-th on (a running account's cursor) */
  fillsFrom(sessionId: string, offset: number): FillRecord[];
  fillsOfOrder(clientOrderId: string): FillRecord[];
  /** runs `fn` as one transaction: its writes are committed (one fsync) together or not at all */
  batch<T>(fn: () => T): T;
  addReconciliation(r: ReconciliationRecord): void;
  lastReconciliation(sessionId: string): ReconciliationRecord | undefined;
  close(): void;
}
