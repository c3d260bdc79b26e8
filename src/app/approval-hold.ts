/**
 * The approval hook of a trading session's submit path: after the pre-trade gate has accepted an
 * order, a session in an approval mode (approvals.json) holds it as a proposal instead of storing
 * and sending it. The order is placed only when a person approves it (approval-service.ts), and
 * then through the gate and the lifecycle again. `auto` (the default) passes everything through.
 */
import { needsApproval } from "../approval/rules.ts";
import type {
  RiskScreenContext,
  ScreenOptions,
  ScreenResult,
  SessionRisk,
} from "../execution/trading-session.ts";
import type { AlertEmitter } from "../ports/alert-sink.ts";
import type { ApprovalStore, CallerIdentity, ProposalCheck } from "../ports/approval-store.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord } from "../ports/order-store.ts";
import type { GateDecision } from "../risk/pre-trade-gate.ts";
import { createProposal, expireStale } from "./approval-service.ts";
import { loadApprovalSettings, sessionModeOf } from "./approval-settings.ts";

/** What a container gives trading sessions for approvals and alerts */
export interface ApprovalWiring {
  store: ApprovalStore;
  audit?: AuditLog;
  /** raised for every order the gate refuses (limit breaches) and every proposal waiting for a person */
  alerts?: AlertEmitter;
}

/** A strategy session proposes as an agent on its own channel: a person must approve elsewhere */
export const sessionProposer = (sessionId: string): CallerIdentity => ({
  kind: "agent",
  channel: "session",
  credentialId: `session:${sessionId}`,
  name: `session ${sessionId}`,
});

export class ApprovalHold implements SessionRisk {
  constructor(
    private readonly inner: SessionRisk & { readonly decisions?: readonly GateDecision[] },
    private readonly deps: ApprovalWiring & { home: string; clock: Clock; quote: string },
  ) {}

  async screen(intents: OrderRecord[], ctx: RiskScreenContext, opts?: ScreenOptions): Promise<ScreenResult> {
    // a session that may hold orders for a person has its checks recorded before any proposal
    // (not deferred to the decision's commit): the log shows the checks, then what was held
    const modeBefore = sessionModeOf(loadApprovalSettings(this.deps.home), ctx.sessionId);
    const r = await this.inner.screen(intents, ctx, modeBefore.mode === "auto" ? opts : undefined);
    // every refusal by the gate is a limit breach a person hears about (within seconds, off this path)
    const alerts = this.deps.alerts;
    if (alerts !== undefined)
      for (const x of r.refused)
        alerts.emit({
          kind: "limit-breach",
          severity: "warning",
          title: `risk gate refused ${x.order.side} ${x.order.qty} ${x.order.symbol} (session ${ctx.sessionId})`,
          text: `${x.reason}\nThe order was not stored and not sent.`,
          data: {
            session: ctx.sessionId,
            order: x.order.clientOrderId,
            symbol: x.order.symbol,
            side: x.order.side,
            qty: x.order.qty,
            reason: x.reason,
          },
        });
    // proposals nobody answered in time are marked expired (and recorded) as the session moves on
    expireStale(this.deps);
    const mode = sessionModeOf(loadApprovalSettings(this.deps.home), ctx.sessionId);
    if (mode.mode === "auto" || r.accepted.length === 0) return r;
    if (r.record !== undefined)
      // approvals were switched on while the gate judged: nothing goes without a person, and no
      // proposal precedes its checks in the log; the next decision proposes (its reservations are
      // freed at the next screen, as for any order never stored)
      return {
        ...r,
        accepted: [],
        refused: [
          ...r.refused,
          ...r.accepted.map((order) => ({
            order,
            reason:
              "approvals were switched on while the gate judged: not sent; the next decision proposes it",
          })),
        ],
      };
    const accepted: OrderRecord[] = [];
    const refused = [...r.refused];
    for (const o of r.accepted) {
      const price = ctx.prices[o.symbol];
      const notional =
        Number(o.qty) * (o.limitPrice === undefined ? (price ?? Number.NaN) : Number(o.limitPrice));
      if (!needsApproval(mode.mode, notional, mode.autoBelowNotional)) {
        accepted.push(o);
        continue;
      }
      if (price === undefined) {
        refused.push({ order: o, reason: `no price for ${o.symbol}: nothing is proposed blind` });
        continue;
      }
      const decision = this.inner.decisions?.findLast((d) => d.orderId === o.clientOrderId);
      const checks: ProposalCheck[] = (decision?.checks ?? []).map((c) => ({ ...c }));
      const p = createProposal(this.deps, sessionProposer(ctx.sessionId), {
        order: {
          sessionId: o.sessionId,
          venue: o.venue,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          quantity: o.qty,
          ...(o.limitPrice === undefined ? {} : { price: o.limitPrice }),
        },
        price,
        risk: { accepted: true, checks },
        quote: this.deps.quote,
        mode: mode.mode,
        note: `session ${ctx.sessionId} decided on the bar of ${new Date(ctx.barTs).toISOString()}`,
      });
      refused.push({ order: o, reason: `held for a person's approval as proposal ${p.id}` });
    }
    return { accepted, refused };
  }
}
