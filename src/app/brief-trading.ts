import type { PositionState } from "../explain/brief/brief.ts";
import { readTradingState } from "./risk-trading-state.ts";
import { listTrading, tradeStatus } from "./trade-control.ts";
import type { TradingDeps } from "./trade-runtime.ts";

// money in the quote currency, to the cent: the brief's reader needs no more (trade status has every digit)
const cents = (x: string): number => Math.round(Number(x) * 100) / 100;

export interface BriefTrading {
  state: "active" | "reducing" | "halted";
  sessions: number;
  positions: PositionState[];
}

/**
 * The person's positions and risk for the brief: the account's trading state (active, reducing,
 * halted) and every non-zero position of every session, marked as `kairos trade status` marks them.
 * Undefined when the home has no sessions.
 */
export function briefTrading(deps: TradingDeps): BriefTrading | undefined {
  const sessions = listTrading(deps);
  if (sessions.length === 0) return undefined;
  const positions: PositionState[] = [];
  for (const s of sessions) {
    const st = tradeStatus(deps, { id: s.id });
    for (const [symbol, p] of Object.entries(st.positions)) {
      const qty = Number(p.qty);
      if (qty === 0) continue;
      positions.push({
        session: s.id,
        mode: s.mode,
        symbol,
        qty,
        averagePrice: p.averagePrice === null ? null : cents(p.averagePrice),
        unrealisedPnl: p.unrealisedPnl === null ? null : cents(p.unrealisedPnl),
        equity: cents(st.equity),
        pnl: cents(st.pnl),
      });
    }
  }
  return { state: readTradingState(deps.home).state, sessions: sessions.length, positions };
}
