/**
 * Orders: what a strategy or a trading session asks for (`OrderRequest`) and the order a venue
 * works (`Order`: the request with its client order id, lifecycle status and fills so far).
 */
import type { ExitRules } from "./decision.ts";
import type { OrderStatus } from "./order-status.ts";

export type OrderSide = "buy" | "sell";
export type OrderType = "market" | "limit" | "stop" | "stop-limit";
/** gtc rests until filled, cancelled or expired; ioc fills what it can at once; fok all or nothing */
export type TimeInForce = "gtc" | "ioc" | "fok";

/** An order a strategy hands to the engine at bar t's close; active from bar t+1 */
export interface OrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** base-asset quantity, > 0 */
  qty: number;
  limitPrice?: number;
  stopPrice?: number;
  timeInForce?: TimeInForce;
  /** a gtc order is cancelled after this many active bars */
  expireAfterBars?: number;
  reduceOnly?: boolean;
  /** reason tag copied into the fill and trade */
  tag?: string;
}

/** A request as a venue works it; `status` changes only through `transition` (order-status.ts) */
export interface Order extends OrderRequest {
  /** deterministic id chosen by the sender (e.g. from session, decision and leg); the idempotency key */
  readonly clientOrderId: string;
  status: OrderStatus;
  /** base quantity filled so far, 0 <= filledQty <= qty */
  filledQty: number;
  /** volume-weighted fill price; NaN before the first fill */
  avgFillPrice: number;
  /** fees paid so far, in quote */
  fees: number;
  /** epoch ms the order was created (intent) and last changed */
  readonly createdTs: number;
  updatedTs: number;
  /** the venue's own id once acknowledged */
  venueOrderId?: string;
  /** the decision and strategy that caused it */
  decisionId?: string;
  strategyId?: string;
  /** stop rules for the position this order opens */
  exits?: ExitRules;
  /** the venue's words when it rejected, cancelled or expired the order */
  reason?: string;
}

/** A fresh order in status `intent`: nothing filled, nothing sent */
export function newOrder(
  request: OrderRequest,
  clientOrderId: string,
  ts: number,
  links: { decisionId?: string; strategyId?: string; exits?: ExitRules } = {},
): Order {
  return {
    ...request,
    ...links,
    clientOrderId,
    status: "intent",
    filledQty: 0,
    avgFillPrice: Number.NaN,
    fees: 0,
    createdTs: ts,
    updatedTs: ts,
  };
}
