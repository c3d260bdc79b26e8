/**
 * Proposals waiting for a person's approval: the exact order, its explanation and risk checks, who
 * proposed it, and what became of it. A proposal leaves `pending` once, by a compare-and-set on its
 * state, so an approval is single-use even when two people (or two replays) race.
 */

/** How a session's orders reach the venue: straight through, or through a person's approval */
export type ApprovalMode = "auto" | "propose" | "approve-each" | "auto-within-limits";

/** Who is calling a use case, as the shell authenticated them */
export interface CallerIdentity {
  /** only a person may approve; an agent (an AI client, a strategy session) may propose */
  kind: "person" | "agent";
  /** the face the call came through: cli, http, dashboard, telegram, mcp, session */
  channel: string;
  /** the credential that authenticated it (an OS user, a token id, a Telegram user id); never a secret */
  credentialId: string;
  /** a display name, recorded with the decision */
  name?: string;
}

/** The exact order a proposal binds: these fields, and only these, are hashed */
export interface ExactOrder {
  sessionId: string;
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  /** exact decimal text */
  quantity: string;
  /** the limit price (limit orders only), exact decimal text */
  price?: string;
}

export type ProposalState = "pending" | "approved" | "rejected" | "expired" | "executed" | "failed";

/** One pre-trade check as it was judged when the order was proposed */
export interface ProposalCheck {
  check: string;
  limit: number | string;
  observed: number | string;
  pass: boolean;
}

export interface ProposalRecord {
  id: string;
  order: ExactOrder;
  /** SHA-256 of the order's canonical JSON, hex */
  orderHash: string;
  /** the price the order was proposed at (market orders: the reference price then) */
  referencePrice: number;
  /** plain language: what the order does and why */
  explanation: string;
  /** the pre-trade gate's verdict when proposed (the gate judges it again on approval) */
  riskAccepted: boolean;
  riskChecks: ProposalCheck[];
  mode: ApprovalMode;
  proposer: CallerIdentity;
  state: ProposalState;
  createdAt: number;
  expiresAt: number;
  decidedAt?: number;
  decidedBy?: CallerIdentity;
  /** why it was rejected, expired or failed; what the venue did when executed */
  reason?: string;
  /** the order placed after approval */
  clientOrderId?: string;
}

export type ProposalPatch = Partial<
  Pick<ProposalRecord, "decidedAt" | "decidedBy" | "reason" | "clientOrderId">
>;

export interface ApprovalStore {
  add(p: ProposalRecord): void;
  get(id: string): ProposalRecord | undefined;
  /** newest first */
  list(filter?: { states?: readonly ProposalState[]; sessionId?: string; limit?: number }): ProposalRecord[];
  /**
   * Moves a proposal from `from` to `to` with the patch, atomically: false (nothing changed) when
   * it is no longer in `from`, which is how a replayed or raced approval is refused
   */
  transition(id: string, from: ProposalState, to: ProposalState, patch?: ProposalPatch): boolean;
  /** runs `fn` as one transaction (a state change and its audit record commit together) */
  batch<T>(fn: () => T): T;
}
