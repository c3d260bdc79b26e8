/**
 * The kill switch (MiFID II RTS 6 Art. 12): latch HALTED first (account file and every session,
 * so nothing new is submitted from here on, and the latch survives a restart), then cancel every
 * open order of every session on its venue at once (and any venue order kairos did not send),
 * optionally flatten positions with reduce-only market orders. Where the venue cancels a market's
 * orders in one request (Binance's DELETE /api/v3/openOrders) that is one request per market, so a
 * loaded machine or a throttled client sends 3 requests, not 150; an order the bulk answer does not
 * list is cancelled on its own. The venue's own list of open orders then confirms: whatever it still
 * holds is cancelled again. The kill never resends an order. Reports how long the cancels took to
 * send (the last request covering an order handed to its venue's broker) and to confirm (every
 * order's final state known, retries included).
 * A venue that cannot be reached never stops the latch or the other venues: it is reported.
 * Logged in the audit chain: the latch (session.state), a `kill` record when pulled and one
 * with the outcome.
 */
import { z } from "zod";
import { isOpen } from "../domain/order-status.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { formatAmount, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle, readWithRetry } from "../execution/order-lifecycle.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Broker, VenueOrder } from "../ports/broker.ts";
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
  /** cancel requests sent: one per market where the venue cancels a market at once, one per order otherwise */
  cancelRequests: { bulk: number; single: number };
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
  /** false: one cancel request per order even where the venue cancels a market at once (the bench's peer) */
  bulkCancel?: boolean;
  audit?: AuditLog;
}

/** passes over what is still open after the first cancels were answered */
const RETRY_PASSES = 4;

/**
 * How long after it was sent a create may still reach its venue and rest there: ccxt's request
 * timeout (10 s) and Binance's receive window (10 s as ccxt signs: a create signed earlier is
 * refused), with a margin. An order still `sent` or `unknown` when the passes end is watched until
 * then and cancelled the moment the venue holds it (without the watch, a create that arrived two
 * seconds after the switch rested open, with nothing left to cancel it)
 */
const IN_FLIGHT_MS = 15_000;
const WATCH_EVERY_MS = 250;

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
  // a cancel counts as sent when its first request is handed to the venue's broker; later passes are retries
  let sending = true;
  const stamp = (): void => {
    if (sending) lastSent = clock();
  };
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
    const lifecycle = new OrderLifecycle({
      store: deps.orders,
      broker: venue,
      clock: deps.clock,
      sleep: deps.sleep,
    });
    work.push({ s, venue, lifecycle, open: deps.orders.ordersOf(s.id, OPEN) });
  }
  const problems: string[] = [];
  const requests = { bulk: 0, single: 0 };
  const said = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  const lifecycleOf = new Map(work.map((w) => [w.s.id, w.lifecycle]));
  /** applies the venue's word on one of our orders (a cancel's answer, a bulk cancel's list, a lookup) */
  const report = (v: VenueOrder, known?: OrderRecord): boolean => {
    // read afresh: an event may have moved the order while the request was out
    const o = deps.orders.getOrder(known?.clientOrderId ?? v.clientOrderId);
    const lc = o === undefined ? undefined : lifecycleOf.get(o.sessionId);
    if (o === undefined || lc === undefined) return false;
    lc.report(o, v);
    return true;
  };
  /**
   * One order's cancel: an intent is withdrawn without a byte sent; otherwise a cancel request and,
   * unless it plainly cancelled, a lookup (never a resend: the kill submits nothing). What is still
   * open afterwards is tried again in the next pass. A throw is recorded, never fatal
   */
  const cancelOne = async (w: (typeof work)[number], id: string): Promise<void> => {
    try {
      const o = deps.orders.getOrder(id);
      if (o === undefined || !(o.state === "intent" || isOpen(o.state))) return;
      if (o.state === "intent") {
        await w.lifecycle.cancel(id);
        return;
      }
      stamp();
      requests.single++;
      const r = await w.venue.cancel(o.symbol, id);
      // a cancel's answer may name the cancel request, not the order (Binance's clientOrderId): it is this order's
      if (r.kind === "cancelled") {
        report(r.order, o);
        return;
      }
      if (r.kind === "throttled") await deps.sleep(r.retryAfterMs ?? 1000);
      const v = await readWithRetry(deps.sleep, () => w.venue.lookup(o.symbol, id));
      if (v !== undefined) report(v, o);
    } catch (err) {
      problems.push(`${id}: ${said(err)}`);
    }
  };
  // 1. one bulk cancel per venue and market where the venue has one (Binance: DELETE
  // /api/v3/openOrders: 3 requests instead of 150), every request issued before any answer is awaited
  const venues = new Map<Broker, (typeof work)[number][]>();
  for (const w of work) venues.set(w.venue, [...(venues.get(w.venue) ?? []), w]);
  const bulkOn = (v: Broker): boolean => (deps.bulkCancel ?? true) && v.cancelAll !== undefined;
  let foreignCancelled = 0;
  const bulk: Promise<void>[] = [];
  const singles: Promise<void>[] = [];
  for (const [venue, ws] of venues) {
    if (!bulkOn(venue)) {
      for (const w of ws) for (const o of w.open) singles.push(cancelOne(w, o.clientOrderId));
      continue;
    }
    const symbols = new Set(
      ws.flatMap((w) => w.open.filter((o) => o.state !== "intent").map((o) => o.symbol)),
    );
    for (const w of ws)
      for (const o of w.open) if (o.state === "intent") singles.push(cancelOne(w, o.clientOrderId));
    for (const symbol of symbols) {
      stamp();
      requests.bulk++;
      bulk.push(
        venue.cancelAll!(symbol).then(
          (r) => {
            if (r.kind !== "cancelled") {
              problems.push(
                `${venue.venue} ${symbol}: cancelling all open orders: ${r.message}; one by one instead`,
              );
              return;
            }
            // the answer lists every order it cancelled: ours are recorded at once (one commit), the rest are foreign
            deps.orders.batch(() => {
              for (const v of r.orders) if (!report(v)) foreignCancelled++;
            });
          },
          (err: unknown) => {
            problems.push(
              `${venue.venue} ${symbol}: cancelling all open orders: ${said(err)}; one by one instead`,
            );
          },
        ),
      );
    }
  }
  await Promise.all(bulk);
  // 2. one cancel per order the bulk answers did not settle (a refused or failed bulk cancel, an
  // order whose create was still on its way, a venue without one)
  for (const [venue, ws] of venues)
    if (bulkOn(venue))
      for (const w of ws)
        for (const o of deps.orders.ordersOf(w.s.id, OPEN))
          if (o.state !== "intent") singles.push(cancelOne(w, o.clientOrderId));
  await Promise.all(singles);
  sending = false;
  // 3. confirmation at the venue: its own list of open orders. Ours still listed are cancelled
  // again; orders kairos did not send (or lost track of) are cancelled too
  const confirm = [...venues].map(async ([venue, ws]) => {
    const w = ws[0]!;
    let listed: VenueOrder[] | undefined;
    // three quick tries: a kill does not wait out a long backoff for its check
    for (let attempt = 1; listed === undefined; attempt++)
      try {
        listed = await venue.openOrders();
      } catch (err) {
        if (attempt >= 3) {
          problems.push(`${venue.venue}: listing the venue's open orders failed: ${said(err)}`);
          return;
        }
        await deps.sleep(100 * attempt);
      }
    await Promise.all(
      listed.map(async (v) => {
        const o = deps.orders.getOrder(v.clientOrderId);
        if (o !== undefined && lifecycleOf.has(o.sessionId) && isOpen(o.state))
          return cancelOne(ws.find((x) => x.s.id === o.sessionId) ?? w, o.clientOrderId);
        requests.single++;
        const r = await venue.cancel(v.symbol, v.clientOrderId).catch((err: unknown) => {
          problems.push(`${v.clientOrderId}: ${said(err)}`);
          return undefined;
        });
        if (r?.kind === "cancelled" && (o === undefined || !report(r.order, o))) foreignCancelled++;
      }),
    );
  });
  await Promise.all(confirm);
  // 4. more passes for anything of ours still open (a timed-out cancel, a lookup that failed)
  for (let pass = 1; pass <= RETRY_PASSES; pass++) {
    if (work.every((w) => deps.orders.ordersOf(w.s.id, OPEN).length === 0)) break;
    await deps.sleep(100 * pass);
    const again: Promise<void>[] = [];
    for (const w of work)
      for (const o of deps.orders.ordersOf(w.s.id, OPEN)) again.push(cancelOne(w, o.clientOrderId));
    await Promise.all(again);
  }
  // 5. creates still on their way: watched until they can no longer arrive, everything of ours still
  // open cancelled again at each look (one the venue now holds is found by the lookup and cancelled)
  const inFlight = (o: OrderRecord): boolean => o.state === "sent" || o.state === "unknown";
  for (let waited = 0; waited < IN_FLIGHT_MS; waited += WATCH_EVERY_MS) {
    const open = work.flatMap((w) => deps.orders.ordersOf(w.s.id, OPEN).map((o) => ({ w, o })));
    const now = deps.clock.now();
    if (!open.some(({ o }) => inFlight(o) && o.updatedAt + IN_FLIGHT_MS > now)) break;
    await deps.sleep(WATCH_EVERY_MS);
    await Promise.all(open.map(({ w, o }) => cancelOne(w, o.clientOrderId)));
  }
  for (const w of work)
    for (const o of deps.orders.ordersOf(w.s.id, OPEN))
      if (inFlight(o))
        problems.push(
          `${o.clientOrderId}: its create never reached ${w.venue.venue} while the kill watched (${IN_FLIGHT_MS / 1000} s after it was sent); reconciliation settles it before the session trades again`,
        );
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
    cancelRequests: requests,
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
          // the exchange the session trades on: its stored origin and key file unless given here (a
          // session started against a simulated exchange is killed there, never on the real one)
          return live.broker(
            cfg.exchange,
            loadLiveKeys(live.keys, cfg.exchange, input.keyFile ?? cfg.keyFile),
            input.apiBase ?? cfg.apiBase,
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
