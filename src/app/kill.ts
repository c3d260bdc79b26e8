/**
 * The kill switch (MiFID II RTS 6 Art. 12): latch HALTED first (account file and every session,
 * so nothing new is submitted from here on, and the latch survives a restart), then cancel every
 * open order of every session on its venue at once (and any venue order kairos did not send),
 * optionally flatten positions with reduce-only market orders. Reports how long the cancels took
 * to send and to confirm.
 */
import { z } from "zod";
import { isOpen } from "../domain/order-status.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { formatAmount, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import type { Broker } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord, OrderStore, SessionRecord } from "../ports/order-store.ts";
import { parseInput } from "./contract.ts";
import { writeTradingState } from "./risk-trading-state.ts";
import { configOf, type TradingDeps } from "./trade-runtime.ts";

export const KillInput = z
  .object({ flatten: z.boolean().default(false), by: z.string().min(1).max(64).default("kill switch") })
  .strict();
export type KillInput = z.input<typeof KillInput>;

export interface KillResult {
  sessions: string[];
  cancelled: number;
  /** orders still open after the cancels (should be 0) */
  stillOpen: number;
  foreignCancelled: number;
  flattenOrders: number;
  /** ms from the start until every cancel request was issued, and until every one was answered */
  sendMs: number;
  confirmMs: number;
  state: "halted";
}

export interface KillDeps {
  home: string;
  orders: OrderStore;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** the venue a session trades on */
  venueFor(s: SessionRecord): Broker;
  /** monotonic ms for the durations */
  elapsed?: () => number;
}

const OPEN = ["intent", "sent", "unknown", "acknowledged", "partially_filled"] as const;

export async function killAll(deps: KillDeps, raw: KillInput): Promise<KillResult> {
  const input = parseInput(KillInput, raw);
  const clock = deps.elapsed ?? (() => performance.now());
  const t0 = clock();
  const at = new Date(deps.clock.now()).toISOString();
  // the latch comes first: from here on the gate refuses and sessions stop deciding
  writeTradingState(deps.home, "halted", input.by, `kill switch${input.flatten ? " (flatten)" : ""}`, at);
  const sessions = deps.orders.listSessions().filter((s) => s.state !== "stopped");
  for (const s of sessions) deps.orders.setState(s.id, "halted", `kill switch at ${at} by ${input.by}`);
  const work: { s: SessionRecord; venue: Broker; lifecycle: OrderLifecycle; open: OrderRecord[] }[] = [];
  for (const s of sessions) {
    const venue = deps.venueFor(s);
    const lifecycle = new OrderLifecycle({
      store: deps.orders,
      broker: venue,
      clock: deps.clock,
      sleep: deps.sleep,
    });
    work.push({ s, venue, lifecycle, open: deps.orders.ordersOf(s.id, OPEN) });
  }
  // every cancel is issued before any answer is awaited
  const pending: Promise<unknown>[] = [];
  for (const w of work) for (const o of w.open) pending.push(w.lifecycle.cancel(o.clientOrderId));
  const foreign: Promise<number>[] = work.map(async (w) => {
    let n = 0;
    for (const v of await w.venue.openOrders()) {
      if (deps.orders.getOrder(v.clientOrderId) !== undefined) continue;
      const r = await w.venue.cancel(v.symbol, v.clientOrderId);
      if (r.kind === "cancelled") n++;
    }
    return n;
  });
  const sendMs = clock() - t0;
  await Promise.all(pending);
  const foreignCancelled = (await Promise.all(foreign)).reduce((a, b) => a + b, 0);
  const confirmMs = clock() - t0;
  let stillOpen = 0;
  for (const w of work) stillOpen += deps.orders.ordersOf(w.s.id).filter((o) => isOpen(o.state)).length;
  let flattenOrders = 0;
  if (input.flatten)
    for (const w of work) {
      const acc = applyFills(emptyAccount(), deps.orders.fillsOf(w.s.id));
      const seq = (deps.orders.lastDecision(w.s.id)?.seq ?? 0) + 1;
      const now = deps.clock.now();
      const intents: OrderRecord[] = [];
      for (const [symbol, p] of acc.positions) {
        if (p.qty === ZERO) continue;
        const leg = intents.length;
        intents.push({
          clientOrderId: clientOrderId(w.s.id, seq, leg),
          sessionId: w.s.id,
          decisionSeq: seq,
          leg,
          venue: w.venue.venue,
          symbol,
          // reduce-only: exactly the position, in the closing direction
          side: p.qty > ZERO ? "sell" : "buy",
          type: "market",
          qty: formatAmount(p.qty > ZERO ? p.qty : -p.qty),
          state: "intent",
          filledQty: "0",
          attempts: 0,
          createdAt: now,
          updatedAt: now,
        });
      }
      if (intents.length === 0) continue;
      const targets = Object.fromEntries(intents.map((o) => [o.symbol, 0]));
      deps.orders.recordDecision(
        {
          sessionId: w.s.id,
          seq,
          barTs: now,
          targets,
          explanation: `kill switch flatten by ${input.by}`,
          createdAt: now,
        },
        intents,
      );
      await w.lifecycle.sendMany(intents.map((o) => o.clientOrderId));
      flattenOrders += intents.length;
    }
  return {
    sessions: sessions.map((s) => s.id),
    cancelled: work.reduce((a, w) => a + w.open.length, 0),
    stillOpen,
    foreignCancelled,
    flattenOrders,
    sendMs,
    confirmMs,
    state: "halted",
  };
}

/** `kairos kill`: every session's paper venue (live sessions do not run in this build) */
export function kill(deps: TradingDeps & { home: string }, raw: KillInput): Promise<KillResult> {
  return killAll(
    {
      home: deps.home,
      orders: deps.orders,
      clock: deps.clock,
      sleep: deps.sleep,
      venueFor: (s) => {
        const cfg = configOf(s);
        return deps.paperVenue({
          account: s.id,
          takerFee: String(cfg.fee),
          slippage: cfg.slippage,
          rules: cfg.rules,
        });
      },
    },
    raw,
  );
}
