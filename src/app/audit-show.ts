/**
 * `kairos audit show --order ID | --decision ID`: the walk decision -> (risk checks, approval) ->
 * order intent -> sent/acknowledged -> fills, with the explanation, read only from the audit log.
 */
import { invalidInput } from "../errors.ts";
import type { AuditLog } from "../ports/audit-log.ts";

export interface AuditStep {
  seq: number;
  ts: number;
  kind: string;
  data: Record<string, unknown>;
}

export interface AuditWalk {
  decisionId: string;
  explanation?: string;
  steps: AuditStep[];
}

/** Walks the log for one order (client or venue order id) or one decision ("SESSION/SEQ") */
export function showAudit(log: AuditLog, q: { order?: string; decision?: string }): AuditWalk {
  const all: AuditStep[] = [];
  for (const r of log.records()) all.push(JSON.parse(r.body) as AuditStep);
  let decisionId = q.decision;
  if (q.order !== undefined) {
    const o =
      all.find(
        (s) =>
          s.kind === "order.intent" && (s.data.clientOrderId === q.order || s.data.venueOrderId === q.order),
      ) ?? all.find((s) => s.data.clientOrderId !== undefined && s.data.venueOrderId === q.order);
    if (o === undefined)
      throw invalidInput(`no order ${q.order} in the audit log; see \`kairos trade status\` for order ids`);
    const intent = all.find(
      (s) => s.kind === "order.intent" && s.data.clientOrderId === o.data.clientOrderId,
    );
    decisionId = String(intent?.data.decisionId ?? `${intent?.data.sessionId}/${intent?.data.decisionSeq}`);
  }
  if (decisionId === undefined) throw invalidInput("pass --order ID or --decision SESSION/SEQ");
  const decision = all.find((s) => s.kind === "decision" && s.data.decisionId === decisionId);
  if (decision === undefined)
    throw invalidInput(`no decision ${decisionId} in the audit log (ids look like SESSION/SEQ)`);
  const orders = new Set((decision.data.orders as string[] | undefined) ?? []);
  if (q.order !== undefined) {
    const only = all.find(
      (s) =>
        s.kind === "order.intent" && (s.data.clientOrderId === q.order || s.data.venueOrderId === q.order),
    );
    if (only !== undefined) {
      orders.clear();
      orders.add(String(only.data.clientOrderId));
    }
  }
  const steps = all.filter(
    (s) =>
      s === decision ||
      ((s.kind === "risk.check" || s.kind === "approval") && s.data.decisionId === decisionId) ||
      (["order.intent", "order.event", "fill", "risk.check", "approval"].includes(s.kind) &&
        orders.has(String(s.data.clientOrderId))),
  );
  return { decisionId, explanation: String(decision.data.explanation ?? ""), steps };
}
