/**
 * Where an order fills inside one bar (or one finer detail bar). Pure price logic; quantities and
 * caps are decided by the venue. Rules are those of types.ts, point 3 and point 10.
 */
import type { Order, OrderRequest, OrderSide } from "../../domain/order.ts";
import type { Segment } from "./types.ts";

export interface Match {
  /** reference price before slippage */
  price: number;
  liquidity: "maker" | "taker";
}

/** Keeps a price inside [low, high] */
export const clampToBar = (p: number, low: number, high: number): number =>
  p < low ? low : Math.min(p, high);

/** Rounds to the tick against the trader (buys up, sells down) but never outside the bar */
export function roundToTick(
  p: number,
  tick: number | undefined,
  side: OrderSide,
  low: number,
  high: number,
): number {
  if (tick === undefined || tick <= 0) return p;
  const steps = p / tick;
  // snap values that are a tick multiple up to float noise
  const near = Math.round(steps);
  const s = Math.abs(steps - near) < 1e-9 ? near : side === "buy" ? Math.ceil(steps) : Math.floor(steps);
  let r = s * tick;
  if (r > high) r = Math.floor(high / tick) * tick;
  if (r < low) r = Math.ceil(low / tick) * tick;
  return r >= low && r <= high ? r : p;
}

/** Taker price: reference moved against the trader by `slip`, clamped into the bar, then ticked */
export function takerPrice(
  side: OrderSide,
  ref: number,
  slip: number,
  low: number,
  high: number,
  tick?: number,
): number {
  const p = clampToBar(side === "buy" ? ref * (1 + slip) : ref * (1 - slip), low, high);
  return roundToTick(p, tick, side, low, high);
}

/** Mutable state of a working order */
export interface WorkingOrder {
  req: OrderRequest;
  /** the order as the venue reports it (status, filled quantity, average price) */
  order: Order;
  remaining: number;
  /** first bar index the order may fill in */
  activeFrom: number;
  barsActive: number;
  /** a stop-limit whose stop has fired and now rests as a limit */
  triggered: boolean;
  /** set on the segment that triggered a stop-limit: it may fill only from the next segment */
  triggeredNow: boolean;
}

/**
 * Whether a non-market working order fills in this segment, and at what reference price.
 * `first` marks the first segment of the order's first active bar (a gap check at the open applies
 * on every segment's open anyway).
 */
export function matchOrder(o: WorkingOrder, seg: Segment): Match | undefined {
  const { req } = o;
  const buy = req.side === "buy";
  if (req.type === "limit" || (req.type === "stop-limit" && o.triggered && !o.triggeredNow)) {
    const lim = req.limitPrice!;
    if (buy ? seg.open <= lim : seg.open >= lim) return { price: seg.open, liquidity: "taker" };
    if (buy ? seg.low <= lim : seg.high >= lim) return { price: lim, liquidity: "maker" };
    return undefined;
  }
  if (req.type === "stop") {
    const stop = req.stopPrice!;
    if (buy ? seg.open >= stop : seg.open <= stop) return { price: seg.open, liquidity: "taker" };
    if (buy ? seg.high >= stop : seg.low <= stop) return { price: stop, liquidity: "taker" };
    return undefined;
  }
  if (req.type === "stop-limit" && !o.triggered) {
    const stop = req.stopPrice!;
    const lim = req.limitPrice!;
    let trigger: number | undefined;
    if (buy ? seg.open >= stop : seg.open <= stop) trigger = seg.open;
    else if (buy ? seg.high >= stop : seg.low <= stop) trigger = stop;
    if (trigger === undefined) return undefined;
    o.triggered = true;
    // fills at the trigger only when the limit allows it; otherwise rests as a limit from the next segment
    if (buy ? trigger <= lim : trigger >= lim) return { price: trigger, liquidity: "taker" };
    o.triggeredNow = true;
    return undefined;
  }
  return undefined;
}
