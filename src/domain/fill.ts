/** One execution: part or all of an order (or a position exit the venue triggers) at one price */
import type { OrderSide, OrderType } from "./order.ts";

export type Liquidity = "maker" | "taker";

/** What caused a fill: an order type, a position exit the venue runs, or a move to a target */
export type FillKind = OrderType | "stop-loss" | "take-profit" | "trailing-stop" | "liquidation" | "target";

export interface Fill {
  symbol: string;
  /** open time of the bar the fill happened in (venue time for live fills) */
  ts: number;
  /** index of that bar in the run */
  bar: number;
  side: OrderSide;
  qty: number;
  price: number;
  /** in quote, never negative */
  fee: number;
  liquidity: Liquidity;
  orderType: FillKind;
  reason: string;
}
