/**
 * How a venue's report about an order (a submit reply, a pushed event, a lookup) changes kairos's
 * record of it. Pure and safe against the venue's disorder: the same report twice changes nothing
 * the second time; a stale report (an "open" after a fill was seen) never moves an order back;
 * filled quantity only grows and never exceeds the order's quantity; a closed order (filled,
 * cancelled, rejected, expired) is never changed again.
 */
import { canTransition, isTerminal } from "../domain/order-status.ts";
import type { VenueOrder } from "../ports/broker.ts";
import type { OrderPatch, OrderRecord, OrderState } from "../ports/order-store.ts";
import { amount, formatAmount } from "./amount.ts";

/** The status a venue report means for an order of ours */
export function reportedState(v: Pick<VenueOrder, "status" | "filledQuantity">): OrderState {
  switch (v.status) {
    case "open":
      return amount(v.filledQuantity) > 0n ? "partially_filled" : "acknowledged";
    case "filled":
      return "filled";
    case "cancelled":
      return "cancelled";
    case "rejected":
      return "rejected";
    case "expired":
      return "expired";
  }
}

// how far along an order is: a report may only move it forward
const RANK: Record<OrderState, number> = {
  intent: 0,
  sent: 1,
  unknown: 1,
  acknowledged: 2,
  partially_filled: 3,
  filled: 4,
  cancelled: 4,
  rejected: 4,
  expired: 4,
};

/**
 * The change a venue report makes to an order, or undefined when it changes nothing (a duplicate,
 * a stale report, or any report about a closed order)
 */
export function applyVenueReport(o: OrderRecord, v: VenueOrder): OrderPatch | undefined {
  if (isTerminal(o.state)) return undefined;
  const had = amount(o.filledQty);
  const reported = amount(v.filledQuantity);
  if (reported > amount(o.qty))
    throw new RangeError(`order ${o.clientOrderId}: venue reports ${v.filledQuantity} filled of ${o.qty}`);
  const filled = reported > had ? reported : had;
  let state = reportedState(v);
  if (state === "acknowledged" || state === "partially_filled") {
    state = filled > 0n ? "partially_filled" : "acknowledged";
    // a stale "open" report after a later change keeps the later state
    if (RANK[state] < RANK[o.state]) state = o.state;
  }
  if (state !== o.state && !canTransition(o.state, state)) return undefined;
  const patch: OrderPatch = {};
  if (state !== o.state) patch.state = state;
  if (filled !== had) patch.filledQty = formatAmount(filled);
  if (o.venueOrderId === undefined) patch.venueOrderId = v.venueOrderId;
  if ((state === "rejected" || state === "expired" || state === "cancelled") && o.reason === undefined)
    patch.reason = `venue reported ${v.status}`;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** The record after a patch (what the store will hold) */
export const patched = (o: OrderRecord, p: OrderPatch | undefined): OrderRecord =>
  p === undefined ? o : { ...o, ...p };
