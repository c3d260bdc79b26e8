/**
 * The kill switch (MiFID II RTS 6 Art. 12): latch HALTED first (account file and every session,
 * so nothing new is submitted from here on, and the latch survives a restart), then cancel every
 * open order of every session on its venue at once (and any venue order kairos did not send),
 * optionally flatten positions with reduce-only market orders. Reports how long the cancels took
 * to send (the last first request of a cancel handed to its venue's broker) and to confirm (the
 * last answered, retries included).
 * A venue that cannot be reached never stops the latch or the other venues: it is reported.
 * Logged in the audit chain: the latch (session.state), a `kill` record when pulled and one
 * with the outcome.
 */
import { z } from "zod";
import { isOpen } from "../domain/order-status.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { formatAmount, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Broker } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord, OrderStore, SessionRecord } from "../ports/order-store.ts";
import { parseInput } from "./contract.ts";
import { writeTradingState } from "./risk-trading-state.ts";
import { loadLiveKeys } from "./trade-live.ts";
import { configOf, type TradingDeps } from "./trade-runtime.ts";

export const KillInput = z
  .object({
    flatten: z.boolean().default(false),
    by: z.string().min(1).max(64).default("kill switch"),
    /** live sessions: a key file for their exchange (else KAIROS_<EXCHANGE>_API_KEY/_SECRET) */
    keyFile: z.string().min(1).optional(),
    /** live sessions: the exchange's API origin (a simulated exchange) */
    apiBase: z.string().url().optional(),
  })
  .strict();
export type KillInput = z.input<typeof KillInput>;

export interface KillResult {
  sessions: string[];
  cancelled: number;
  /** orders still open after the cancels (should be 0) */
  stillOpen: number;
  foreignCancelled: number;
  flattenOrders: number;
  /** ms from the start until every cancel request was handed to its venue, and until every one was answered */
  sendMs: number;
  confirmMs: number;
  /** sessions whose venue could not be reached (their orders may still be open there) */
  unreached: { session: string; problem: string }[];
  /** cancels or venue reads that failed on the way (retried; what is still open is in stillOpen) */
  problems: string[];
  state: "halted";
}

export interface KillDeps {
  home: string;
  orders: OrderStore;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** the venue a session trades on (a live one may need keys: it may fail, and is then reported) */
  venueFor(s: SessionRecord): Broker | Promise<Broker>;
  /** monotonic ms for the durations */
  elapsed?: () => number;
  audit?: AuditLog;
}

/** passes over what is still open after the first cancels were answered */
const RETRY_PASSES = 4;

const OPEN = ["intent", "sent", "unknown", "acknowledged", "partially_filled"] as const;

export async function killAll(deps: KillDeps, raw: KillInput): Promise<KillResult> {
  const input = parseInput(KillInput, raw);
  const clock = deps.elapsed ?? (() => performance.now());
  const t0 = clock();
  const at = new Date(deps.clock.now()).toISOString();
  const sessions = deps.orders.listSessions().filter((s) => s.state !== "stopped");
  deps.audit?.append("kill", {
    phase: "pulled",
    by: input.by,
    flatten: input.flatten,
    at,
    sessions: sessions.map((s) => s.id),
  });
  // the latch comes first: from here on the gate refuses and sessions stop deciding
  writeTradingState(
    deps.home,
    "halted",
    input.by,
    `kill switch${input.flatten ? " (flatten)" : ""}`,
    at,
    deps.audit,
  );
  for (const s of sessions) deps.orders.setState(s.id, "halted", `kill switch at ${at} by ${input.by}`);
  let lastSent = t0;
  // the send time is that of each cancel's first request; later passes are retries, in confirmMs
  let firstPass = true;
  const work: { s: SessionRecord; venue: Broker; lifecycle: OrderLifecycle; open: OrderRecord[] }[] = [];
  const unreached: { session: string; problem: string }[] = [];
  for (const s of sessions) {
    let venue: Broker;
    try {
      venue = await deps.venueFor(s);
    } catch (err) {
      unreached.push({ session: s.id, problem: err instanceof Error ? err.message : String(err) });
      continue;
    }
    // the moment each cancel is handed to the venue's broker: the last one is "every cancel sent"
    const stamped = new Proxy(venue, {
      get(target, prop) {
        if (prop === "cancel")
          return (symbol: string, id: string) => {
            if (firstPass) lastSent = clock();
            return target.cancel(symbol, id);
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const lifecycle = new OrderLifecycle({
      store: deps.orders,
      broker: stamped,
      clock: deps.clock,
      sleep: deps.sleep,
    });
    work.push({ s, venue: stamped, lifecycle, open: deps.orders.ordersOf(s.id, OPEN) });
  }
  // every cancel is issued before any answer is awaited
  const problems: string[] = [];
  const said = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  // a cancel that throws (a read timing out while resolving it) is tried once more below, never fatal
  const cancelOne = (w: (typeof work)[number], id: string): Promise<unknown> =>
    w.lifecycle.cancel(id).catch((err: unknown) => problems.push(`${id}: ${said(err)}`));
  const pending: Promise<unknown>[] = [];
  for (const w of work) for (const o of w.open) pending.push(cancelOne(w, o.clientOrderId));
  // orders on the venue kairos did not send (or lost track of): listed, and cancelled too
  const foreign: Promise<number>[] = work.map(async (w) => {
    for (let attempt = 1; ; attempt++)
      try {
        let n = 0;
        for (const v of await w.venue.openOrders()) {
          if (deps.orders.getOrder(v.clientOrderId) !== undefined) continue;
          const r = await w.venue.cancel(v.symbol, v.clientOrderId);
          if (r.kind === "cancelled") n++;
        }
        return n;
      } catch (err) {
        if (attempt >= 3) {
          problems.push(`session ${w.s.id}: listing the venue's open orders failed: ${said(err)}`);
          return 0;
        }
      }
  });
  await Promise.all(pending);
  const foreignCancelled = (await Promise.all(foreign)).reduce((a, b) => a + b, 0);
  firstPass = false;
  // more passes for anything still open after the answers (a timed-out cancel, a lookup that failed)
  for (let pass = 1; pass <= RETRY_PASSES; pass++) {
    if (work.every((w) => deps.orders.ordersOf(w.s.id, OPEN).length === 0)) break;
    await deps.sleep(100 * pass);
    const again: Promise<unknown>[] = [];
    for (const w of work)
      for (const o of deps.orders.ordersOf(w.s.id, OPEN)) again.push(cancelOne(w, o.clientOrderId));
    await Promise.all(again);
  }
  const confirmMs = clock() - t0;
  const sendMs = lastSent - t0;
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
  const result: KillResult = {
    sessions: sessions.map((s) => s.id),
    cancelled: work.reduce((a, w) => a + w.open.length, 0),
    stillOpen,
    foreignCancelled,
    flattenOrders,
    sendMs,
    confirmMs,
    unreached,
    problems,
    state: "halted",
  };
  deps.audit?.append("kill", { phase: "done", by: input.by, ...result });
  return result;
}

/**
 * `kairos kill`: paper sessions on their paper venue, live ones on their exchange (keys from the
 * environment or --key-file); a live venue without keys is reported, after the latch
 */
export function kill(deps: TradingDeps & { home: string }, raw: KillInput): Promise<KillResult> {
  const input = parseInput(KillInput, raw);
  return killAll(
    {
      home: deps.home,
      orders: deps.orders,
      clock: deps.clock,
      sleep: deps.sleep,
      ...(deps.audit === undefined ? {} : { audit: deps.audit }),
      venueFor: (s) => {
        const cfg = configOf(s);
        if (s.mode === "live") {
          const live = deps.live;
          if (live === undefined) throw new Error("this build cannot reach live exchanges");
          return live.broker(
            cfg.exchange,
            loadLiveKeys(live.keys, cfg.exchange, input.keyFile),
            input.apiBase,
          );
        }
        return deps.paperVenue({
          account: s.id,
          takerFee: String(cfg.fee),
          slippage: cfg.slippage,
          rules: cfg.rules,
        });
      },
    },
    input,
  ).then((r) => {
    // one account-level alert per kill (each session it halts raises its own), even with no session running
    deps.approvals?.alerts?.emit({
      kind: "kill",
      severity: "critical",
      title: `KILL SWITCH pulled by ${input.by}: HALTED`,
      text: `${r.sessions.length} session(s) halted; ${r.cancelled} order(s) cancelled, ${r.stillOpen} still open; ${r.flattenOrders} flatten order(s). A person must resume.`,
      data: { by: input.by, sessions: r.sessions, cancelled: r.cancelled, stillOpen: r.stillOpen },
    });
    return r;
  });
}
