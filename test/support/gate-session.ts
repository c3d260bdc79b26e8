// A paper session on a home opened as kairos opens it (audited order store, audit log), its risk
// limits set by a person, and fresh risk gates on it: each `newGate()` is what another process, an
// approval or a restart would judge with. The adopt-in-flight and A4 replay tests share it.
import { SessionRiskGate } from "../../src/app/risk-gate.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import type { Container } from "../../src/composition-root.ts";
import type { MarketRules } from "../../src/ports/broker.ts";

export interface GateSession {
  t: ReturnType<Container["trading"]>;
  /** sets one risk limit, recorded as changed by the session's person */
  set(key: string, value: string): void;
  venue: ReturnType<ReturnType<Container["trading"]>["paperVenue"]>;
  newGate(): SessionRiskGate;
}

/**
 * Sets `limits` in order, creates the active paper session `id` (baseline 10,000 USDT) and its
 * paper venue (taker fee 0.1%) over `rules`
 */
export function gateSession(
  c: Container,
  home: string,
  opts: { id: string; by: string; limits: Record<string, string>; rules: ReadonlyMap<string, MarketRules> },
): GateSession {
  const t = c.trading();
  const set = (key: string, value: string) =>
    setRisk({ home, now: Date.now, audit: t.audit! }, { key, value, by: opts.by });
  for (const [key, value] of Object.entries(opts.limits)) set(key, value);
  const now0 = Date.now();
  t.orders.createSession({
    id: opts.id,
    mode: "paper",
    venue: "paper",
    state: "active",
    config: { baseline: { USDT: "10000" } },
    createdAt: now0,
    updatedAt: now0,
  });
  const venue = t.paperVenue({ account: opts.id, takerFee: "0.001", rules: [...opts.rules.values()] });
  const newGate = () =>
    new SessionRiskGate({
      home,
      orders: t.orders,
      broker: venue,
      clock: t.clock,
      rules: opts.rules,
      timing: "replay",
      audit: t.audit!,
    });
  return { t, set, venue, newGate };
}
