// Approvals (issue 16): an approval binds the exact order by hash, expires, must come from a person
// through another channel and credential than the proposal, and is single-use. Over random orders
// and random mutations (fast-check), on a real home (SQLite approval and order stores, the paper
// session's venue, the real pre-trade gate): any changed field, a tampered stored order, an expired
// approval, the proposer's own channel or credential, an agent, a replay: all refused, nothing
// placed; an untouched approval is accepted exactly once and its order goes through the gate.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paperApprovalDeps } from "../../src/app/approval-paper.ts";
import {
  type ApprovalDeps,
  approve,
  type CallerIdentity,
  listApprovals,
  proposeOrder,
  sha256Hex,
} from "../../src/app/approval-service.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { orderHash } from "../../src/approval/order-hash.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { isAppError } from "../../src/errors.ts";
import type { ExactOrder } from "../../src/ports/approval-store.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const RUNS = process.env.KAIROS_FULL === "1" ? 1000 : 150;
const SESSION = "appr1";
const agent: CallerIdentity = { kind: "agent", channel: "mcp", credentialId: "token:agent-7" };
const alice: CallerIdentity = { kind: "person", channel: "cli", credentialId: "os-user:alice" };
const bob: CallerIdentity = { kind: "person", channel: "dashboard", credentialId: "token:bob" };

let home: string;
let c: Container;
let deps: ApprovalDeps;
// the test's own time, years ahead of the wall clock: the container's expiry timer (wall time)
// never finds these proposals due, so expiry here is the fake clock's alone
const clock = {
  t: Date.UTC(2036, 11, 4, 12),
  now(): number {
    return this.t;
  },
};

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "kairos-approvals-"));
  c = createContainer({ home });
  const all = loadBundledSeries("binance", "BTC/USDT", "1h");
  c.store.upsert(sliceSeries(all, all.ts.length - 120));
  const t = c.trading();
  await startTrading(t, {
    id: SESSION,
    strategy: "sma-cross",
    params: { fast: 2, slow: 5 },
    symbols: "BTC/USDT",
    timeframe: "1h",
    capital: 1000,
    from: new Date(all.ts[all.ts.length - 20]!).toISOString(),
  });
  // limit orders away from the price stay open on the paper venue and every gate counts them in
  // flight; exposure is not what this property is about, so its limits leave room for all of them
  for (const key of ["maxExposurePerSymbol", "maxExposureTotal"])
    setRisk({ home, now: Date.now, audit: t.audit! }, { key, value: "1000000", by: "approvals-test" });
  deps = { ...paperApprovalDeps(t), clock };
});
afterAll(() => {
  c?.close();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

type Mutation =
  | { kind: "none" }
  | { kind: "field"; field: keyof ExactOrder }
  | { kind: "tamper"; field: "quantity" | "side" | "symbol" | "price" }
  | { kind: "expired"; afterMs: number }
  | { kind: "same-channel" }
  | { kind: "same-credential" }
  | { kind: "agent" }
  | { kind: "replay" };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: "none" }),
  fc
    .constantFrom<keyof ExactOrder>("sessionId", "venue", "symbol", "side", "type", "quantity", "price")
    .map((field): Mutation => ({ kind: "field", field })),
  fc
    .constantFrom("quantity", "side", "symbol", "price" as const)
    .map((field): Mutation => ({ kind: "tamper", field })),
  fc.integer({ min: 0, max: 3_600_000 }).map((afterMs): Mutation => ({ kind: "expired", afterMs })),
  fc.constant<Mutation>({ kind: "same-channel" }),
  fc.constant<Mutation>({ kind: "same-credential" }),
  fc.constant<Mutation>({ kind: "agent" }),
  fc.constant<Mutation>({ kind: "replay" }),
);

/** the order with one field changed (a different order, whatever normal form its numbers take) */
function changed(o: ExactOrder, field: keyof ExactOrder, k: number): ExactOrder {
  switch (field) {
    case "sessionId":
      return { ...o, sessionId: `${o.sessionId}x` };
    case "venue":
      return { ...o, venue: "binance" };
    case "symbol":
      return { ...o, symbol: "ETH/USDT" };
    case "side":
      return { ...o, side: o.side === "buy" ? "sell" : "buy" };
    case "type":
      return o.type === "market"
        ? { ...o, type: "limit", price: "1" }
        : {
            sessionId: o.sessionId,
            venue: o.venue,
            symbol: o.symbol,
            side: o.side,
            type: "market",
            quantity: o.quantity,
          };
    case "quantity":
      return { ...o, quantity: (Number(o.quantity) + 0.00001 * k).toFixed(5) };
    case "price":
      return o.price === undefined
        ? { ...o, price: "100" }
        : { ...o, price: (Number(o.price) + 0.01 * k).toFixed(2) };
  }
}

const ordersPlaced = (): number => c.trading().orders.ordersOf(SESSION).length;

describe("Approvals", () => {
  it("any changed field, a tampered order, expiry, the proposer's channel or credential, an agent, a replay: refused; an untouched approval counts once", async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          side: fc.constantFrom<"buy" | "sell">("buy", "sell"),
          limit: fc.boolean(),
          qtySteps: fc.integer({ min: 1, max: 50 }),
          pricePermille: fc.integer({ min: -8, max: 8 }),
          k: fc.integer({ min: 1, max: 20 }),
          m: mutation,
        }),
        async ({ side, limit, qtySteps, pricePermille, k, m }) => {
          clock.t += 1000;
          const ref = (await deps.market.price({
            sessionId: SESSION,
            venue: "paper",
            symbol: "BTC/USDT",
            side,
            type: "market",
            quantity: "1",
          }))!;
          const p = await proposeOrder(deps, agent, {
            sessionId: SESSION,
            symbol: "BTC/USDT",
            side,
            quantity: (qtySteps * 0.0001).toFixed(4),
            ...(limit ? { type: "limit", price: (ref * (1 + pricePermille / 1000)).toFixed(2) } : {}),
            note: "fast-check",
          });
          expect(p.orderHash).toBe(orderHash(p.order, sha256Hex));
          const before = ordersPlaced();
          let approver = alice;
          let hash = p.orderHash;
          if (m.kind === "field") hash = orderHash(changed(p.order, m.field, k), sha256Hex);
          if (m.kind === "tamper") {
            const value =
              m.field === "quantity"
                ? (Number(p.order.quantity) * 2).toFixed(4)
                : m.field === "side"
                  ? side === "buy"
                    ? "sell"
                    : "buy"
                  : m.field === "symbol"
                    ? "ETH/USDT"
                    : String(Math.round(ref * 0.5));
            c.db
              .prepare("UPDATE approval_proposals SET body = json_set(body, ?, ?) WHERE id = ?")
              .run(`$.order.${m.field}`, value, p.id);
          }
          if (m.kind === "expired") clock.t += 60_000 + m.afterMs;
          if (m.kind === "same-channel") approver = { ...alice, channel: agent.channel };
          if (m.kind === "same-credential") approver = { ...bob, credentialId: agent.credentialId };
          if (m.kind === "agent") approver = { ...agent, channel: "http", credentialId: "token:agent-8" };
          const attempt = () => approve(deps, approver, { id: p.id, orderHash: hash });
          if (m.kind === "none" || m.kind === "replay") {
            const r = await attempt();
            expect(r.outcome, r.reason).toBe("placed");
            expect(ordersPlaced()).toBe(before + 1);
            // the same approval again, and another person's: the proposal is spent
            for (const again of [attempt, () => approve(deps, bob, { id: p.id, orderHash: hash })]) {
              const e = await again().then(
                () => undefined,
                (err: unknown) => err,
              );
              expect(isAppError(e) && e.code).toBe("CONFLICT");
            }
            expect(ordersPlaced()).toBe(before + 1);
            outcomes.set("accepted", (outcomes.get("accepted") ?? 0) + 1);
            return;
          }
          const e = await attempt().then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(isAppError(e), `${m.kind} was not refused`).toBe(true);
          const refusal = isAppError(e) ? String(e.details.refusal) : "";
          const want: Record<Mutation["kind"], string[]> = {
            none: [],
            replay: [],
            field: ["hash-mismatch"],
            tamper: ["order-changed"],
            expired: ["expired"],
            "same-channel": ["same-channel"],
            "same-credential": ["same-credential"],
            agent: ["not-a-person"],
          };
          expect(want[m.kind]).toContain(refusal);
          expect(ordersPlaced()).toBe(before);
          const after = deps.store.get(p.id)!;
          expect(after.state).toBe(m.kind === "expired" ? "expired" : "pending");
          outcomes.set(m.kind, (outcomes.get(m.kind) ?? 0) + 1);
        },
      ),
      { numRuns: RUNS },
    );
    process.stderr.write(
      `Approvals: ${RUNS} runs, outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}\n`,
    );
    // every kind of mutation was tried
    expect([...outcomes.keys()].sort()).toEqual(
      ["accepted", "agent", "expired", "field", "same-channel", "same-credential", "tamper"].sort(),
    );
    // the refused ones are still there for a person (or expired, and listed as such)
    expect(listApprovals(deps, { state: "all", limit: 1000 }).proposals.length).toBeGreaterThan(0);
  });
});
