/** A round trip: a position from opening to flat (or to the end of the data) */

export type PositionSide = "long" | "short";

/** Why a position was entered or left; free-form tags from strategies are allowed too */
export type ExitReason =
  | "signal"
  | "stop-loss"
  | "take-profit"
  | "trailing-stop"
  | "liquidation"
  | "drawdown-stop"
  | "end-of-data"
  | (string & {});

/** pnl is net of entry and exit fees and funding; returnPct = pnl / entry notional */
export interface Trade {
  symbol: string;
  side: PositionSide;
  entryTs: number;
  entryPrice: number;
  exitTs: number;
  exitPrice: number;
  qty: number;
  fees: number;
  funding: number;
  pnl: number;
  returnPct: number;
  bars: number;
  entryReason: string;
  exitReason: ExitReason;
  /** maximum adverse / favourable excursion as fractions of entry price (mae <= 0 <= mfe) */
  mae: number;
  mfe: number;
}
