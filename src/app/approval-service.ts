/**
 * Human approval of orders (the use cases every face calls): proposeOrder, listApprovals,
 * approve, reject. A proposal binds the exact order by hash; an approval counts only from a person,
 * through another channel and credential than the proposal, before it expires, once, with the
 * price within tolerance (src/approval/rules.ts). An approved order is then placed through the
 * session's pre-trade gate and order lifecycle like any other, never around them. Every proposal,
 * approval, refusal, rejection and expiry is an audit record (kind "approval").
 *
 * Shells pass the caller as they authenticated it: the CLI a person on channel "cli", the HTTP
 * server a person or agent by token, MCP an agent, Telegram a person only from the configured chat.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { explainOrder } from "../approval/explain-order.ts";
import { orderHash, type Sha256Hex } from "../approval/order-hash.ts";
import { type ApprovalPolicy, judgeApproval } from "../approval/rules.ts";
import { AppError } from "../errors.ts";
import type { AlertEmitter } from "../ports/alert-sink.ts";
import type {
  ApprovalMode,
  ApprovalStore,
  CallerIdentity,
  ExactOrder,
  ProposalCheck,
  ProposalRecord,
  ProposalState,
} from "../ports/approval-store.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Clock } from "../ports/clock.ts";
import { loadApprovalSettings, policyOf } from "./approval-settings.ts";
import { idField, parseInput, symbolField, wholeNumberField } from "./contract.ts";

export type { CallerIdentity } from "../ports/approval-store.ts";

export const sha256Hex: Sha256Hex = (text) => createHash("sha256").update(text, "utf8").digest("hex");

/** The market an approval is judged and placed against (a session's venue, its gate, its lifecycle) */
export interface ApprovalMarket {
  /** the venue and quote currency of a session (NOT_FOUND when there is no such session) */
  sessionOf(sessionId: string): { venue: string; quote: string };
  /** the current reference price of the order's symbol in its session (undefined: unknown) */
  price(order: ExactOrder): Promise<number | undefined>;
  /** the pre-trade checks of the order as it stands now, a dry run: nothing is reserved, stored or sent */
  check(order: ExactOrder, price: number): Promise<{ accepted: boolean; checks: ProposalCheck[] }>;
  /** places an approved order through the session's pre-trade gate and order lifecycle */
  place(
    p: ProposalRecord,
    price: number,
  ): Promise<{ placed: true; clientOrderId: string; orderState: string } | { placed: false; reason: string }>;
}

export interface ApprovalDeps {
  home: string;
  store: ApprovalStore;
  market: ApprovalMarket;
  clock: Clock;
  /** the audit log on the store's connection: a decision and its record commit together */
  audit?: AuditLog;
  alerts?: AlertEmitter;
}

const newProposalId = (): string => `p-${randomBytes(6).toString("hex")}`;

/** An identity as recorded (never a secret: credential ids only) */
const who = (c: CallerIdentity) => ({
  kind: c.kind,
  channel: c.channel,
  credentialId: c.credentialId,
  ...(c.name === undefined ? {} : { name: c.name }),
});

function record(
  deps: ProposalDeps,
  event: string,
  p: ProposalRecord,
  extra: Record<string, unknown> = {},
): void {
  deps.audit?.append("approval", {
    event,
    proposal: p.id,
    orderHash: p.orderHash,
    order: { ...p.order },
    ...extra,
  });
}

// ---- propose ----------------------------------------------------------------------------------

export const ProposeOrderInput = z
  .object({
    sessionId: idField(),
    symbol: symbolField(),
    side: z.enum(["buy", "sell"]),
    type: z.enum(["market", "limit"]).default("market"),
    /** exact decimal text (or a number), > 0 */
    quantity: z.union([z.string(), z.number()]).transform((v, ctx) => decimalOf(v, "quantity", ctx)),
    /** the limit price; limit orders only */
    price: z
      .union([z.string(), z.number()])
      .transform((v, ctx) => decimalOf(v, "price", ctx))
      .optional(),
    /** why the order is proposed (outside text: shown to the person as given, marked as such) */
    note: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.type === "limit" && o.price === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: "is required for a limit order",
        params: { allowed: "a price > 0" },
      });
    if (o.type === "market" && o.price !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["price"],
        message: "is only for limit orders",
        params: { allowed: "leave it out, or type limit" },
      });
  });
export type ProposeOrderInput = z.input<typeof ProposeOrderInput>;

function decimalOf(v: string | number, field: string, ctx: z.RefinementCtx): string {
  const text = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "x") : v.trim();
  if (/^(?:0|[1-9]\d*)(?:\.\d+)?$/.test(text) && Number(text) > 0 && !text.includes("e")) return text;
  ctx.addIssue({
    code: "custom",
    message: `"${String(v)}" is not a ${field} > 0`,
    params: { allowed: "a plain decimal > 0, e.g. 0.015" },
  });
  return z.NEVER as never;
}

export interface ProposalView {
  id: string;
  state: ProposalState;
  order: ExactOrder;
  orderHash: string;
  referencePrice: number;
  explanation: string;
  riskAccepted: boolean;
  riskChecks: ProposalCheck[];
  mode: ApprovalMode;
  proposedBy: CallerIdentity;
  createdAt: string;
  expiresAt: string;
  /** ms left to approve (0 once expired or decided) */
  expiresInMs: number;
  decidedBy?: CallerIdentity;
  decidedAt?: string;
  reason?: string;
  clientOrderId?: string;
}

export interface ProposeResult extends ProposalView {
  /** what a person must do */
  howToApprove: string;
}

const iso = (t: number): string => new Date(t).toISOString();

export function viewOf(p: ProposalRecord, now: number): ProposalView {
  return {
    id: p.id,
    state: p.state,
    order: p.order,
    orderHash: p.orderHash,
    referencePrice: p.referencePrice,
    explanation: p.explanation,
    riskAccepted: p.riskAccepted,
    riskChecks: p.riskChecks,
    mode: p.mode,
    proposedBy: p.proposer,
    createdAt: iso(p.createdAt),
    expiresAt: iso(p.expiresAt),
    expiresInMs: p.state === "pending" ? Math.max(0, p.expiresAt - now) : 0,
    ...(p.decidedBy === undefined ? {} : { decidedBy: p.decidedBy }),
    ...(p.decidedAt === undefined ? {} : { decidedAt: iso(p.decidedAt) }),
    ...(p.reason === undefined ? {} : { reason: p.reason }),
    ...(p.clientOrderId === undefined ? {} : { clientOrderId: p.clientOrderId }),
  };
}

export const howToApprove = (id: string, hash: string): string =>
  `a person approves it within its lifetime with \`kairos approvals approve ${id}\` (or the dashboard, or the Telegram button), order hash ${hash.slice(0, 16)}; \`kairos approvals reject ${id}\` refuses it`;

/**
 * Creates a proposal (no order is stored or sent): the exact order, its hash, its explanation and
 * the pre-trade checks as they stand. Used by sessions in an approval mode and by agents (MCP propose_order).
 */
export async function proposeOrder(
  deps: ApprovalDeps,
  caller: CallerIdentity,
  raw: ProposeOrderInput,
  opts: {
    mode?: ApprovalMode;
    referencePrice?: number;
    checks?: { accepted: boolean; checks: ProposalCheck[] };
  } = {},
): Promise<ProposeResult> {
  const input = parseInput(ProposeOrderInput, raw);
  const session = deps.market.sessionOf(input.sessionId);
  const order: ExactOrder = {
    sessionId: input.sessionId,
    venue: session.venue,
    symbol: input.symbol,
    side: input.side,
    type: input.type,
    quantity: input.quantity,
    ...(input.price === undefined ? {} : { price: input.price }),
  };
  const price = opts.referencePrice ?? (await deps.market.price(order));
  if (price === undefined || !Number.isFinite(price) || price <= 0)
    throw new AppError(
      "RISK_REJECTED",
      `no current price for ${order.symbol} in session ${order.sessionId}: nothing is proposed blind`,
    );
  const risk = opts.checks ?? (await deps.market.check(order, price));
  return createProposal(deps, caller, {
    order,
    price,
    risk,
    quote: session.quote,
    mode: opts.mode ?? "propose",
    ...(input.note === undefined ? {} : { note: input.note }),
  });
}

/** What creating a proposal needs (a session in an approval mode has no ApprovalMarket at hand) */
export type ProposalDeps = Omit<ApprovalDeps, "market">;

/** Stores a proposal for a known order, price and risk verdict, records it and raises the alert */
export function createProposal(
  deps: ProposalDeps,
  caller: CallerIdentity,
  x: {
    order: ExactOrder;
    price: number;
    risk: { accepted: boolean; checks: ProposalCheck[] };
    quote: string;
    mode: ApprovalMode;
    note?: string;
  },
): ProposeResult {
  const { order, price, risk } = x;
  const policy = policyOf(loadApprovalSettings(deps.home));
  const now = deps.clock.now();
  const hash = orderHash(order, sha256Hex);
  const note = x.note;
  const p: ProposalRecord = {
    id: newProposalId(),
    order,
    orderHash: hash,
    referencePrice: price,
    explanation: explainOrder({
      order,
      referencePrice: price,
      quote: x.quote,
      why:
        note === undefined
          ? undefined
          : caller.kind === "agent"
            ? `(from ${caller.channel}, unverified) ${note}`
            : note,
      riskAccepted: risk.accepted,
      checks: risk.checks,
    }),
    riskAccepted: risk.accepted,
    riskChecks: risk.checks,
    mode: x.mode,
    proposer: who(caller),
    state: "pending",
    createdAt: now,
    expiresAt: now + policy.ttlMs,
  };
  deps.store.batch(() => {
    deps.store.add(p);
    record(deps, "proposed", p, {
      proposer: who(caller),
      expiresAt: p.expiresAt,
      riskAccepted: p.riskAccepted,
      mode: p.mode,
    });
  });
  deps.alerts?.emit({
    kind: "approval-waiting",
    severity: "warning",
    title: `approval needed: ${order.side} ${order.quantity} ${order.symbol} (${p.id})`,
    text: `${p.explanation}\nExpires ${iso(p.expiresAt)}. ${howToApprove(p.id, hash)}`,
    data: {
      proposal: p.id,
      session: order.sessionId,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
    },
    approval: { id: p.id, orderHash: hash, expiresAt: p.expiresAt },
  });
  return { ...viewOf(p, now), howToApprove: howToApprove(p.id, hash) };
}

// ---- list -------------------------------------------------------------------------------------

export const ListApprovalsInput = z
  .object({
    /** pending (default) or every state */
    state: z
      .enum(["pending", "all", "approved", "rejected", "expired", "executed", "failed"])
      .default("pending"),
    sessionId: idField().optional(),
    limit: wholeNumberField({ min: 1, max: 1000 }).default(100),
  })
  .strict();
export type ListApprovalsInput = z.input<typeof ListApprovalsInput>;

/** Marks pending proposals past their lifetime expired (recorded); returns how many */
export function expireStale(deps: ProposalDeps): number {
  const now = deps.clock.now();
  let n = 0;
  for (const p of deps.store.list({ states: ["pending"] }))
    if (p.expiresAt <= now && expire(deps, p, now)) n++;
  return n;
}

/** Pending proposals' earliest expiry (undefined: none pending) */
export function nextExpiry(deps: ProposalDeps): number | undefined {
  let next: number | undefined;
  for (const p of deps.store.list({ states: ["pending"] }))
    if (next === undefined || p.expiresAt < next) next = p.expiresAt;
  return next;
}

/** One process records an expiry (compare-and-set) and raises its alert: nothing was placed */
function expire(deps: ProposalDeps, p: ProposalRecord, now: number): boolean {
  const ok = deps.store.batch(() => {
    const done = deps.store.transition(p.id, "pending", "expired", {
      decidedAt: now,
      reason: `expired at ${iso(p.expiresAt)}`,
    });
    if (done) record(deps, "expired", p, { expiresAt: p.expiresAt });
    return done;
  });
  if (ok)
    deps.alerts?.emit({
      kind: "approval-expired",
      severity: "warning",
      title: `approval expired: ${p.order.side} ${p.order.quantity} ${p.order.symbol} (${p.id})`,
      text: `Proposal ${p.id} of session ${p.order.sessionId} expired at ${iso(p.expiresAt)} without a person's decision: nothing was placed.`,
      data: {
        proposal: p.id,
        session: p.order.sessionId,
        symbol: p.order.symbol,
        side: p.order.side,
        quantity: p.order.quantity,
        expiresAt: iso(p.expiresAt),
      },
    });
  return ok;
}

export function listApprovals(
  deps: ProposalDeps,
  raw: ListApprovalsInput = {},
): { proposals: ProposalView[] } {
  const input = parseInput(ListApprovalsInput, raw);
  expireStale(deps);
  const now = deps.clock.now();
  const states = input.state === "all" ? undefined : [input.state];
  const ps = deps.store.list({
    ...(states === undefined ? {} : { states }),
    ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
    limit: input.limit,
  });
  return { proposals: ps.map((p) => viewOf(p, now)) };
}

// ---- approve / reject -------------------------------------------------------------------------

export const ApproveInput = z
  .object({
    id: idField(),
    /** the order hash the person was shown; faces that display the order pass it (the CLI binds the stored one it printed) */
    orderHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "is not a SHA-256 hex hash")
      .optional(),
  })
  .strict();
export type ApproveInput = z.input<typeof ApproveInput>;

export interface ApproveResult extends ProposalView {
  /** placed: the order went through the gate to the venue; refused: the gate (or venue) said no */
  outcome: "placed" | "refused";
  orderState?: string;
}

function getProposal(deps: ProposalDeps, id: string): ProposalRecord {
  const p = deps.store.get(id);
  if (p === undefined)
    throw new AppError("NOT_FOUND", `no proposal "${id}"; \`kairos approvals list --state all\` shows them`);
  return p;
}

/**
 * A person approves one proposal: judged (rules.ts), consumed once (compare-and-set), then placed
 * through the session's pre-trade gate and lifecycle. A refused approval changes nothing but the
 * audit log (an expired proposal is marked expired).
 */
export async function approve(
  deps: ApprovalDeps,
  caller: CallerIdentity,
  raw: ApproveInput,
): Promise<ApproveResult> {
  const input = parseInput(ApproveInput, raw);
  let p = getProposal(deps, input.id);
  const policy: ApprovalPolicy = policyOf(loadApprovalSettings(deps.home));
  const price = p.state === "pending" ? await deps.market.price(p.order).catch(() => undefined) : undefined;
  const at = deps.clock.now();
  const verdict = judgeApproval(
    p,
    { orderHash: input.orderHash ?? p.orderHash, approver: caller, at, price },
    policy,
    sha256Hex,
  );
  if (!verdict.ok) {
    if (verdict.refusal === "expired") expire(deps, p, at);
    deps.audit?.append("approval", {
      event: "approval-refused",
      proposal: p.id,
      orderHash: p.orderHash,
      refusal: verdict.refusal,
      approver: who(caller),
    });
    const code =
      verdict.refusal === "not-a-person" ||
      verdict.refusal === "same-channel" ||
      verdict.refusal === "same-credential"
        ? "FORBIDDEN"
        : verdict.refusal === "not-pending" || verdict.refusal === "expired"
          ? "CONFLICT"
          : "RISK_REJECTED";
    throw new AppError(code, `approval of ${p.id} refused: ${verdict.message}`, {
      details: { refusal: verdict.refusal, proposal: p.id },
    });
  }
  // single use: of two approvals racing, only one moves the proposal out of pending
  const won = deps.store.batch(() => {
    const ok = deps.store.transition(p.id, "pending", "approved", { decidedAt: at, decidedBy: who(caller) });
    if (ok) record(deps, "approved", p, { approver: who(caller), price });
    return ok;
  });
  if (!won) {
    deps.audit?.append("approval", {
      event: "approval-refused",
      proposal: p.id,
      refusal: "not-pending",
      approver: who(caller),
    });
    throw new AppError("CONFLICT", `approval of ${p.id} refused: it was decided meanwhile`, {
      details: { refusal: "not-pending", proposal: p.id },
    });
  }
  let placed: Awaited<ReturnType<ApprovalMarket["place"]>>;
  try {
    placed = await deps.market.place(p, price!);
  } catch (err) {
    placed = { placed: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (placed.placed) {
    deps.store.batch(() => {
      deps.store.transition(p.id, "approved", "executed", {
        clientOrderId: placed.clientOrderId,
        reason: `order ${placed.orderState}`,
      });
      record(deps, "executed", p, { clientOrderId: placed.clientOrderId, orderState: placed.orderState });
    });
  } else {
    deps.store.batch(() => {
      deps.store.transition(p.id, "approved", "failed", { reason: placed.reason });
      record(deps, "failed", p, { reason: placed.reason });
    });
  }
  p = getProposal(deps, p.id);
  return {
    ...viewOf(p, deps.clock.now()),
    outcome: placed.placed ? "placed" : "refused",
    ...(placed.placed ? { orderState: placed.orderState } : {}),
  };
}

export const RejectInput = z
  .object({ id: idField(), reason: z.string().min(1).max(500).optional() })
  .strict();
export type RejectInput = z.input<typeof RejectInput>;

/** A person (or the proposer withdrawing its own proposal) rejects a pending proposal; nothing is placed */
export function reject(deps: ProposalDeps, caller: CallerIdentity, raw: RejectInput): ProposalView {
  const input = parseInput(RejectInput, raw);
  const p = getProposal(deps, input.id);
  if (caller.kind !== "person" && caller.credentialId !== p.proposer.credentialId)
    throw new AppError("FORBIDDEN", `only a person, or the proposer withdrawing it, rejects ${p.id}`);
  const now = deps.clock.now();
  if (p.state === "pending" && p.expiresAt <= now) expire(deps, p, now);
  const reason = input.reason ?? "rejected";
  const ok = deps.store.batch(() => {
    const done = deps.store.transition(p.id, "pending", "rejected", {
      decidedAt: now,
      decidedBy: who(caller),
      reason,
    });
    if (done) record(deps, "rejected", p, { by: who(caller), reason });
    return done;
  });
  const after = getProposal(deps, p.id);
  if (!ok)
    throw new AppError("CONFLICT", `proposal ${p.id} is ${after.state}, not pending: nothing to reject`);
  return viewOf(after, now);
}
