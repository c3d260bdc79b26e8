/**
 * A proposal in plain language: what the order does, what it costs at the reference price, why
 * the strategy (or agent) wants it, and how the pre-trade checks judged it.
 */
import { num, roundPrice } from "../explain/format.ts";
import type { ExactOrder, ProposalCheck } from "../ports/approval-store.ts";

export interface OrderExplanationInput {
  order: ExactOrder;
  referencePrice: number;
  quote: string;
  /** why: the strategy's reason or the agent's note (outside text, shown as given) */
  why: string | undefined;
  riskAccepted: boolean;
  checks: readonly ProposalCheck[];
}

export function explainOrder(x: OrderExplanationInput): string {
  const o = x.order;
  const base = o.symbol.split("/")[0] ?? o.symbol;
  const price = o.price === undefined ? x.referencePrice : Number(o.price);
  const notional = roundPrice(Number(o.quantity) * price);
  const how =
    o.type === "market"
      ? `at market (last price ${num(roundPrice(x.referencePrice))})`
      : `at a limit of ${o.price}`;
  const verb = o.side === "buy" ? "Buy" : "Sell";
  const failed = x.checks.filter((c) => !c.pass);
  const risk = x.riskAccepted
    ? `The pre-trade checks pass (${x.checks.length} of ${x.checks.length}).`
    : `The pre-trade checks refuse it now: ${failed.map((c) => `${c.check} (observed ${c.observed}, limit ${c.limit})`).join("; ")}; an approval would be refused by the gate unless that changes.`;
  const why = x.why === undefined || x.why.trim() === "" ? "" : ` Reason given: ${x.why.trim()}.`;
  return `${verb} ${o.quantity} ${base} on ${o.symbol} ${how}, about ${num(notional)} ${x.quote}, in session ${o.sessionId} on ${o.venue}.${why} ${risk}`;
}
