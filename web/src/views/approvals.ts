// The approval queue: each proposal's exact order, its explanation (outside text, shown as given) and
// its risk checks in view; a person approves (bound to the order hash shown) or rejects with a reason
import type { Api } from "../api.ts";
import { field, h, messageOf, replace, table } from "../dom.ts";

export interface Proposal {
  id: string;
  state: string;
  order: {
    sessionId: string;
    venue: string;
    symbol: string;
    side: string;
    type: string;
    quantity: string;
    price?: string;
  };
  orderHash: string;
  referencePrice: number;
  explanation: string;
  riskAccepted: boolean;
  riskChecks: { check: string; limit: number | string; observed: number | string; pass: boolean }[];
  proposedBy: { kind: string; channel: string; name?: string };
  createdAt: string;
  expiresAt: string;
  expiresInMs: number;
}

function proposalCard(api: Api, p: Proposal, done: () => void): HTMLElement {
  const o = p.order;
  const status = h("p", { class: "status", role: "status" });
  const reason = h("input", { id: `reject-reason-${p.id}`, type: "text", maxlength: 500 });
  const decide = (op: string, body: Record<string, unknown>, what: string) => {
    status.textContent = `${what}…`;
    api.op<{ state: string; outcome?: string }>(op, body).then(
      (r) => {
        status.textContent = `${what}: ${r.outcome ?? r.state}`;
        done();
      },
      (e: unknown) => (status.textContent = `${what} failed: ${messageOf(e)}`),
    );
  };
  const failed = p.riskChecks.filter((c) => !c.pass);
  return h(
    "section",
    { class: "card proposal", "data-proposal": p.id, "aria-label": `Proposal ${p.id}` },
    h(
      "h3",
      {},
      `${o.side.toUpperCase()} ${o.quantity} ${o.symbol} ${o.type}${o.price === undefined ? "" : ` at ${o.price}`} · session ${o.sessionId} on ${o.venue}`,
    ),
    h(
      "p",
      { class: "note" },
      `Proposed by ${p.proposedBy.kind}${p.proposedBy.name === undefined ? "" : ` ${p.proposedBy.name}`} (${p.proposedBy.channel}) at ${p.createdAt}; reference price ${p.referencePrice}; expires ${p.expiresAt}; order hash ${p.orderHash.slice(0, 16)}…`,
    ),
    h("h4", {}, "Why (as the proposer wrote it, not checked by kairos)"),
    h("blockquote", { class: "untrusted" }, p.explanation),
    h(
      "p",
      { class: p.riskAccepted ? "tag good" : "tag bad" },
      p.riskAccepted
        ? "The risk checks pass as things stand."
        : `The risk gate refuses it now: ${failed.map((c) => c.check).join(", ")}.`,
    ),
    table(
      `Risk checks of ${p.id}`,
      ["Check", "Limit", "Observed", "Result"],
      p.riskChecks.map((c) => [c.check, String(c.limit), String(c.observed), c.pass ? "pass" : "FAIL"]),
    ),
    p.state !== "pending"
      ? h("p", {}, `State: ${p.state}`)
      : h(
          "div",
          { class: "row start" },
          h(
            "button",
            {
              type: "button",
              class: "primary",
              id: `approve-${p.id}`,
              onclick: () => decide("approvals_approve", { id: p.id, orderHash: p.orderHash }, "Approve"),
            },
            "Approve this exact order",
          ),
          field(`reject-reason-${p.id}`, "Reason (optional)", reason),
          h(
            "button",
            {
              type: "button",
              class: "danger",
              id: `reject-${p.id}`,
              onclick: () =>
                decide(
                  "approvals_reject",
                  { id: p.id, ...(reason.value.trim() === "" ? {} : { reason: reason.value.trim() }) },
                  "Reject",
                ),
            },
            "Reject",
          ),
        ),
    status,
  );
}

/** The queue of pending proposals; refreshes itself after each decision */
export async function approvalQueue(api: Api): Promise<HTMLElement> {
  const box = h("div", { id: "approvals" });
  const load = async (): Promise<void> => {
    const r = await api.op<{ proposals: Proposal[] }>("approvals_list", { state: "pending" });
    replace(
      box,
      r.proposals.length === 0
        ? h("p", {}, "No proposal waits for a person.")
        : h("div", {}, ...r.proposals.map((p) => proposalCard(api, p, () => void load().catch(() => {})))),
    );
  };
  await load();
  return box;
}
