/**
 * When an order needs a person, and when an approval counts. Pure: time, prices and hashing come
 * in as values. An approval counts only if all hold:
 * - the proposal is still pending (an approval is single-use: a replay finds it decided);
 * - it binds the hash of exactly the order that will be placed (the stored order re-hashed, and
 *   the hash the person was shown);
 * - it arrives before the proposal expires;
 * - it comes from a person, through another channel AND another credential than the proposal;
 * - the price has not moved beyond the tolerance since the proposal (no price: refused).
 */
import type { ApprovalMode, CallerIdentity, ExactOrder, ProposalRecord } from "../ports/approval-store.ts";
import { orderHash, type Sha256Hex } from "./order-hash.ts";

/** Approval settings: how long a proposal waits, how far the price may move meanwhile */
export interface ApprovalPolicy {
  /** a proposal expires this long after it was made (default 60 s) */
  ttlMs: number;
  /** the largest relative price move between proposal and approval, e.g. 0.005 = 0.5% */
  priceTolerance: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { ttlMs: 60_000, priceTolerance: 0.005 };

/** Whether one order of a session in `mode` waits for a person */
export function needsApproval(
  mode: ApprovalMode,
  notional: number,
  autoBelowNotional: number | undefined,
): boolean {
  switch (mode) {
    case "auto":
      return false;
    case "propose":
    case "approve-each":
      return true;
    case "auto-within-limits":
      // no threshold or a non-finite notional: a person decides (fail closed)
      return autoBelowNotional === undefined || !Number.isFinite(notional) || !(notional < autoBelowNotional);
  }
}

/** Why an approval does not count */
export type ApprovalRefusal =
  | "not-pending"
  | "hash-mismatch"
  | "order-changed"
  | "expired"
  | "not-a-person"
  | "same-channel"
  | "same-credential"
  | "no-price"
  | "price-moved";

export interface ApprovalAttempt {
  /** the order hash the person was shown and approved */
  orderHash: string;
  approver: CallerIdentity;
  /** when the approval arrived, epoch ms */
  at: number;
  /** the current reference price of the order's symbol (undefined: unknown) */
  price: number | undefined;
  /** the order that will be placed (defaults to the stored one): it must be the approved one */
  order?: ExactOrder;
}

export type ApprovalVerdict = { ok: true } | { ok: false; refusal: ApprovalRefusal; message: string };

const refuse = (refusal: ApprovalRefusal, message: string): ApprovalVerdict => ({
  ok: false,
  refusal,
  message,
});

/** Judges one approval of a proposal; the store's compare-and-set then makes it single-use */
export function judgeApproval(
  p: ProposalRecord,
  a: ApprovalAttempt,
  policy: ApprovalPolicy,
  sha256: Sha256Hex,
): ApprovalVerdict {
  if (p.state !== "pending") return refuse("not-pending", `proposal ${p.id} is ${p.state}, not pending`);
  if (a.approver.kind !== "person")
    return refuse(
      "not-a-person",
      `only a person approves; ${a.approver.channel} credentials may only propose`,
    );
  if (a.approver.channel === p.proposer.channel)
    return refuse(
      "same-channel",
      `approval came through ${a.approver.channel}, the channel that proposed it; approve through another one`,
    );
  if (a.approver.credentialId === p.proposer.credentialId)
    return refuse("same-credential", "approval came with the credential that proposed it");
  const stored = orderHash(p.order, sha256);
  if (stored !== p.orderHash)
    return refuse("order-changed", `proposal ${p.id}: the stored order no longer matches its hash`);
  if (a.order !== undefined && orderHash(a.order, sha256) !== p.orderHash)
    return refuse("order-changed", `the order to place differs from the order proposed in ${p.id}`);
  if (a.orderHash !== p.orderHash)
    return refuse(
      "hash-mismatch",
      `approved hash ${a.orderHash.slice(0, 12)} is not the proposal's ${p.orderHash.slice(0, 12)}`,
    );
  const expiresAt = Math.min(p.expiresAt, p.createdAt + policy.ttlMs);
  if (!Number.isFinite(a.at) || a.at >= expiresAt || a.at < p.createdAt)
    return refuse("expired", `proposal ${p.id} expired at ${new Date(expiresAt).toISOString()}`);
  if (a.price === undefined || !Number.isFinite(a.price) || a.price <= 0)
    return refuse("no-price", `no current price for ${p.order.symbol}: nothing is approved blind`);
  const move = Math.abs(a.price - p.referencePrice) / p.referencePrice;
  if (!(move <= policy.priceTolerance))
    return refuse(
      "price-moved",
      `${p.order.symbol} moved ${(move * 100).toFixed(3)}% since the proposal (${p.referencePrice} -> ${a.price}); tolerance ${(policy.priceTolerance * 100).toFixed(3)}%`,
    );
  return { ok: true };
}
