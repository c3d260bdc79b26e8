import type { PositionState } from "../explain/brief/brief.ts";
import { readTradingState } from "./risk-trading-state.ts";
import { listTrading, tradeStatus } from "./trade-control.ts";
import type { TradingDeps } from "./trade-runtime.ts";

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
        averagePrice: p.averagePrice === null ? null : Number(p.averagePrice),
        unrealisedPnl: p.unrealisedPnl === null ? null : Number(p.unrealisedPnl),
        equity: Number(st.equity),
        pnl: Number(st.pnl),
      });
    }
  }
  return { state: readTradingState(deps.home).state, sessions: sessions.length, positions };
}
