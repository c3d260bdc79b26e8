import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExactOrder, ProposalRecord } from "../ports/approval-store.ts";
import { canonicalOrderText, normalDecimal, orderHash } from "./order-hash.ts";
import { DEFAULT_APPROVAL_POLICY, judgeApproval, needsApproval } from "./rules.ts";

const sha = (t: string): string => createHash("sha256").update(t, "utf8").digest("hex");
const order: ExactOrder = {
  sessionId: "s1",
  venue: "paper",
  symbol: "BTC/USDT",
  side: "buy",
  type: "limit",
  quantity: "0.015",
  price: "64000.5",
};
const proposal = (over: Partial<ProposalRecord> = {}): ProposalRecord => ({
  id: "p-1",
  order,
  orderHash: orderHash(order, sha),
  referencePrice: 64000,
  explanation: "",
  riskAccepted: true,
  riskChecks: [],
  mode: "approve-each",
  proposer: { kind: "agent", channel: "mcp", credentialId: "token:a" },
  state: "pending",
  createdAt: 1_000_000,
  expiresAt: 1_060_000,
  ...over,
});
const person = { kind: "person" as const, channel: "cli", credentialId: "os-user:alice" };

describe("exact-order hash", () => {
  it("is the SHA-256 of RFC 8785 text with numbers in one normal form", () => {
    expect(canonicalOrderText(order)).toBe(
      '{"price":"64000.5","quantity":"0.015","sessionId":"s1","side":"buy","symbol":"BTC/USDT","type":"limit","venue":"paper"}',
    );
    expect(orderHash({ ...order, quantity: "0.0150", price: "64000.50" }, sha)).toBe(orderHash(order, sha));
    expect(normalDecimal("1e3")).toBeUndefined();
    expect(normalDecimal("-1")).toBeUndefined();
    expect(normalDecimal("10.000")).toBe("10");
  });

  it("changes with any numeric change of quantity or price", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 1, max: 10 ** 9 }), (a, b) => {
        fc.pre(a !== b);
        const q = (n: number) => ({ ...order, quantity: (n / 1e8).toFixed(8) });
        expect(orderHash(q(a), sha) === orderHash(q(b), sha)).toBe(false);
      }),
    );
  });
});

describe("approval rules", () => {
  const ok = { orderHash: proposal().orderHash, approver: person, at: 1_030_000, price: 64000 };

  it("accept a person's approval on another channel and credential, in time, at the price", () => {
    expect(judgeApproval(proposal(), ok, DEFAULT_APPROVAL_POLICY, sha)).toEqual({ ok: true });
  });

  it("refuse a price moved beyond the tolerance, either way, and a missing price", () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 0.5, noNaN: true }), (move) => {
        const v = judgeApproval(
          proposal(),
          { ...ok, price: 64000 * (1 + move) },
          DEFAULT_APPROVAL_POLICY,
          sha,
        );
        const beyond = Math.abs(64000 * (1 + move) - 64000) / 64000 > DEFAULT_APPROVAL_POLICY.priceTolerance;
        expect(v.ok ? "ok" : v.refusal).toBe(beyond ? "price-moved" : "ok");
      }),
    );
    for (const price of [undefined, Number.NaN, 0, -1]) {
      const v = judgeApproval(proposal(), { ...ok, price }, DEFAULT_APPROVAL_POLICY, sha);
      expect(v.ok ? "ok" : v.refusal).toBe("no-price");
    }
  });

  it("refuse at and after expiry, and under a shorter configured lifetime", () => {
    const at = (t: number, ttlMs = 60_000) => {
      const v = judgeApproval(proposal(), { ...ok, at: t }, { ...DEFAULT_APPROVAL_POLICY, ttlMs }, sha);
      return v.ok ? "ok" : v.refusal;
    };
    expect(at(1_059_999)).toBe("ok");
    expect(at(1_060_000)).toBe("expired");
    expect(at(1_030_000, 20_000)).toBe("expired");
    expect(at(999_999)).toBe("expired");
  });

  it("refuse an order to place that is not the proposed one", () => {
    const v = judgeApproval(
      proposal(),
      { ...ok, order: { ...order, quantity: "0.016" } },
      DEFAULT_APPROVAL_POLICY,
      sha,
    );
    expect(v.ok ? "ok" : v.refusal).toBe("order-changed");
  });

  it("need approval by mode; auto-within-limits fails closed without a threshold or a finite notional", () => {
    expect(needsApproval("auto", 1e9, undefined)).toBe(false);
    expect(needsApproval("propose", 1, undefined)).toBe(true);
    expect(needsApproval("approve-each", 1, undefined)).toBe(true);
    expect(needsApproval("auto-within-limits", 99, 100)).toBe(false);
    expect(needsApproval("auto-within-limits", 100, 100)).toBe(true);
    expect(needsApproval("auto-within-limits", Number.NaN, 100)).toBe(true);
    expect(needsApproval("auto-within-limits", 1, undefined)).toBe(true);
  });
});
