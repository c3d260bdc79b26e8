/** An open position as a venue or broker reports it: the sum of its fills */
import type { PositionSide } from "./trade.ts";

export interface Position {
  symbol: string;
  side: PositionSide;
  /** signed base quantity: > 0 long, < 0 short */
  qty: number;
  /** volume-weighted entry price of the open quantity */
  avgEntryPrice: number;
  /** realised pnl of the parts already closed, before fees */
  realizedPnl: number;
  /** fees and funding paid by this position, in quote */
  fees: number;
  funding: number;
  /** isolated margin (perps; 0 on spot) and the price at which it is liquidated (NaN on spot) */
  margin: number;
  liquidationPrice: number;
  /** when it was opened (epoch ms) */
  openedTs: number;
}

/** Unrealised pnl at `mark`, before exit fees */
export const unrealizedPnl = (p: Position, mark: number): number => p.qty * (mark - p.avgEntryPrice);
