/**
 * The order lifecycle as data. Every status change of an order anywhere in kairos (backtest
 * venue, paper broker, live lifecycle) goes through `transition`, which refuses any pair that is
 * not in `ORDER_TRANSITIONS`.
 *
 *   intent ──> sent ──> acknowledged ──> partially_filled ──> filled
 *     │          │            │                 │  └──> cancelled / expired
 *     │          └─> rejected └──> cancelled / expired
 *     └──> unknown <── (sent, acknowledged, partially_filled: a timeout, 5xx or disconnect)
 *
 * `unknown` is an ambiguous outcome, never a failure: a lookup by client order id resolves it to
 * what the venue says (or back to `sent` when the venue has no such order and it is resent under
 * the same id). `rejected` comes only from the venue's word.
 */
import { AppError } from "../errors.ts";

export const ORDER_STATUSES = [
  "intent",
  "sent",
  "acknowledged",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
  "unknown",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** After a lookup or a late event, an ambiguous order may land in any state the venue reports */
const RESOLVED_FROM_UNKNOWN = [
  "sent",
  "acknowledged",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
] as const;

/** Allowed changes: from -> the statuses it may move to. Anything else is refused */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // committed, nothing sent yet; cancelled = withdrawn before any byte left; unknown = crashed around the send
  intent: ["sent", "cancelled", "unknown"],
  // fills and terminal events may arrive before the acknowledgement (WebSocket before the REST reply)
  sent: ["acknowledged", "partially_filled", "filled", "cancelled", "rejected", "expired", "unknown"],
  acknowledged: ["partially_filled", "filled", "cancelled", "expired", "unknown"],
  // another partial fill keeps the status
  partially_filled: ["partially_filled", "filled", "cancelled", "expired", "unknown"],
  unknown: RESOLVED_FROM_UNKNOWN,
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

export const isTerminal = (s: OrderStatus): boolean => ORDER_TRANSITIONS[s].length === 0;

/** Orders the venue may still fill (working on the book or possibly so) */
export const isOpen = (s: OrderStatus): boolean =>
  s === "sent" || s === "acknowledged" || s === "partially_filled" || s === "unknown";

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  ORDER_TRANSITIONS[from].includes(to);

/** The one place a status changes: returns `to`, or throws INTERNAL naming the refused pair */
export function transition(from: OrderStatus, to: OrderStatus, clientOrderId?: string): OrderStatus {
  if (canTransition(from, to)) return to;
  const allowed = ORDER_TRANSITIONS[from];
  throw new AppError(
    "INTERNAL",
    `order${clientOrderId === undefined ? "" : ` ${clientOrderId}`}: status ${from} cannot become ${to}` +
      ` (allowed: ${allowed.length === 0 ? `none, ${from} is final` : allowed.join(", ")})`,
    { details: { from, to, ...(clientOrderId === undefined ? {} : { clientOrderId }) } },
  );
}
