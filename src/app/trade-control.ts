import { z } from "zod";
import { AppError, invalidInput } from "../errors.ts";
import { type Account, accountView, applyFills, assetsOf, emptyAccount } from "../execution/accounting.ts";
import { amount, formatAmount, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import { foreignFillKey } from "../execution/reconcile.ts";
import type { Broker } from "../ports/broker.ts";
import type { OrderRecord, ReconciliationRecord, SessionRecord } from "../ports/order-store.ts";
import { flagField, parseInput } from "./contract.ts";
import { FLATTEN_EXPLANATION, reconcileLive, runLiveSession } from "./trade-live-run.ts";
import { withLiveVenue } from "./trade-live-venue.ts";
import {
  configOf,
  gateClockOf,
  getSession,
  openSession,
  type RunProgress,
  type TradingDeps,
} from "./trade-runtime.ts";
import { runSession, type TradeStartResult } from "./trade-start.ts";

const sessionIdField = () =>
  z.string().regex(/^[a-z0-9]{1,12}$/, "a session id: 1-12 lower-case letters or digits");

export const TradeStatusInput = z.object({ id: sessionIdField().optional() }).strict();
export type TradeStatusInput = z.input<typeof TradeStatusInput>;

export interface TradeStatus {
  id: string;
  mode: string;
  state: string;
  haltReason?: string;
  strategy: string;
  params: Record<string, number | boolean>;
  symbols: string[];
  timeframe: string;
  lastBar?: string;
  capital: number;
  equity: string;
  pnl: string;
  balances: Record<string, string>;
  positions: ReturnType<typeof accountView>["positions"];
  openOrders: Pick<OrderRecord, "clientOrderId" | "symbol" | "side" | "qty" | "filledQty" | "state">[];
  orders: number;
  fills: number;
  latestDecision?: { seq: number; bar: string; targets: Record<string, number>; explanation: string };
  lastReconciliation?: ReconciliationRecord;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A session's state, positions (exact, with average price and P&L at the last close), open orders and latest decision */
export function tradeStatus(deps: TradingDeps, raw: TradeStatusInput): TradeStatus {
  const input = parseInput(TradeStatusInput, raw);
  const id = input.id ?? deps.orders.listSessions().at(-1)?.id;
  if (id === undefined)
    throw new AppError("NOT_FOUND", "no trading sessions yet; start one with `kairos trade start`");
  const s = getSession(deps.orders, id);
  const cfg = configOf(s);
  const acc = applyFills(emptyAccount(cfg.baseline), deps.orders.fillsOf(id));
  const marks: Record<string, number> = {};
  for (const sym of cfg.symbols) {
    const last = deps.store.read(
      { exchange: cfg.exchange, symbol: sym, timeframe: cfg.timeframe },
      s.lastBarTs === undefined ? {} : { to: s.lastBarTs + 1 },
    );
    const n = last.close.length;
    if (n > 0) marks[sym] = last.close[n - 1]!;
  }
  const view = accountView(acc, marks);
  const quote = assetsOf(cfg.symbols[0]!).quote;
  let equity = acc.balances.get(quote) ?? ZERO;
  for (const [sym, p] of acc.positions)
    if (marks[sym] !== undefined) equity += (p.qty * amount(marks[sym])) / 10n ** 18n;
  const d = deps.orders.lastDecision(id);
  const rec = deps.orders.lastReconciliation(id);
  const orders = deps.orders.ordersOf(id);
  return {
    id,
    mode: s.mode,
    state: s.state,
    ...(s.haltReason === undefined ? {} : { haltReason: s.haltReason }),
    strategy: cfg.strategy,
    params: cfg.params,
    symbols: cfg.symbols,
    timeframe: cfg.timeframe,
    ...(s.lastBarTs === undefined ? {} : { lastBar: iso(s.lastBarTs) }),
    capital: cfg.capital,
    equity: formatAmount(equity),
    pnl: formatAmount(equity - amount(String(cfg.capital))),
    balances: view.balances,
    positions: view.positions,
    openOrders: orders
      .filter((o) => ["sent", "acknowledged", "partially_filled", "unknown"].includes(o.state))
      .map((o) => ({
        clientOrderId: o.clientOrderId,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty,
        filledQty: o.filledQty,
        state: o.state,
      })),
    orders: orders.length,
    fills: acc.applied.size,
    ...(d === undefined
      ? {}
      : {
          latestDecision: { seq: d.seq, bar: iso(d.barTs), targets: d.targets, explanation: d.explanation },
        }),
    ...(rec === undefined ? {} : { lastReconciliation: rec }),
  };
}

export interface TradeListEntry {
  id: string;
  mode: string;
  state: string;
  strategy: string;
  symbols: string[];
  timeframe: string;
  created: string;
  lastBar?: string;
}

/** Every session in the home, oldest first; `page` reads only that slice */
export function listTrading(deps: TradingDeps, page?: { limit: number; offset: number }): TradeListEntry[] {
  return deps.orders.listSessions(page).map(tradeListEntry);
}

/** One session as `kairos trade list` shows it (app/trade-list-pages.ts reuses it while its head holds) */
export function tradeListEntry(s: SessionRecord): TradeListEntry {
  const cfg = configOf(s);
  return {
    id: s.id,
    mode: s.mode,
    state: s.state,
    strategy: cfg.strategy,
    symbols: cfg.symbols,
    timeframe: cfg.timeframe,
    created: iso(s.createdAt),
    ...(s.lastBarTs === undefined ? {} : { lastBar: iso(s.lastBarTs) }),
  };
}

export const TradeReconcileInput = z.object({ id: sessionIdField() }).strict();
export type TradeReconcileInput = z.input<typeof TradeReconcileInput>;

/** Reconciles now (settling orders first) and returns the diff; any difference halts the session */
export async function reconcileTrading(
  deps: TradingDeps,
  raw: TradeReconcileInput,
): Promise<ReconciliationRecord> {
  const { id } = parseInput(TradeReconcileInput, raw);
  const s = getSession(deps.orders, id);
  // a live session is reconciled against its exchange, reached as the session was started
  if (s.mode === "live")
    return withLiveVenue(deps, configOf(s), ({ broker }) => reconcileLive(deps, id, broker));
  const live = openSession(deps, id);
  return live.reconcile(true);
}

export const TradeResumeInput = z
  .object({
    id: sessionIdField(),
    /** a person reviewed the balance differences (a deposit, a manual trade) and accepts the venue's balances as the new baseline */
    acceptBalances: flagField().default(false),
    /** live: the key file to read the keys from now (mode 0600, checked again); recorded for later resumes */
    keyFile: z.string().min(1).optional(),
  })
  .strict();
export type TradeResumeInput = z.input<typeof TradeResumeInput>;

/**
 * Resumes a session after a restart or a halt: reconciles first and acts only when it passes. A
 * halted session needs a person: `acceptBalances` takes the venue's balances as the new baseline
 * (recorded in the session), venue orders kairos did not send must be closed by that person first.
 */
export async function resumeTrading(
  deps: TradingDeps,
  raw: TradeResumeInput,
  onBar?: (p: RunProgress) => void,
): Promise<TradeStartResult & { reconciliation: ReconciliationRecord }> {
  const input = parseInput(TradeResumeInput, raw);
  const s = getSession(deps.orders, input.id);
  if (s.state === "stopped")
    throw new AppError("CONFLICT", `session ${input.id} is stopped; start a new one`);
  if (input.keyFile !== undefined && s.mode !== "live")
    throw invalidInput(`--key-file: session ${input.id} is ${s.mode}; API keys are for live sessions only`, {
      field: "keyFile",
    });
  if (s.mode === "live") {
    // the gate's clock as the session was started (checked again: a local simulated exchange)
    const clock = await gateClockOf(deps, configOf(s));
    // a key file given again (moved, renamed): read and checked (mode 0600) before anything is sent
    const cfg = input.keyFile === undefined ? configOf(s) : { ...configOf(s), keyFile: input.keyFile };
    // the broker is rebuilt from the stored configuration: the same exchange, origin and key source
    return withLiveVenue(deps, cfg, async ({ broker, market }) => {
      // the keys passed the checks (mode, permissions): later resumes and reconciliations read them there
      if (cfg.keyFile !== configOf(s).keyFile)
        deps.orders.setConfig(input.id, {
          ...configOf(getSession(deps.orders, input.id)),
          keyFile: cfg.keyFile,
        });
      if (input.acceptBalances) await acceptVenueBalances(deps, input.id, broker);
      const rec = await reconcileLive(deps, input.id, broker);
      if (!rec.ok) {
        const now = getSession(deps.orders, input.id);
        return {
          sessionId: input.id,
          state: now.state,
          barsActed: 0,
          haltReason: now.haltReason ?? "",
          reconciliation: rec,
        };
      }
      deps.orders.setState(input.id, "active");
      const r = await runLiveSession(deps, input.id, {
        broker,
        market,
        pollMs: deps.live?.pollMs ?? 2000,
        clock,
        ...(onBar === undefined ? {} : { onBar }),
      });
      return {
        sessionId: r.sessionId,
        state: r.state,
        barsActed: r.barsActed,
        ...(r.haltReason === undefined ? {} : { haltReason: r.haltReason }),
        reconciliation: rec,
      };
    });
  }
  const live = openSession(deps, input.id);
  if (input.acceptBalances) await acceptVenueBalances(deps, input.id, live.venue);
  const rec = await openSession(deps, input.id).reconcile(true);
  if (!rec.ok) {
    const now = getSession(deps.orders, input.id);
    return {
      sessionId: input.id,
      state: now.state,
      barsActed: 0,
      haltReason: now.haltReason ?? "",
      reconciliation: rec,
    };
  }
  deps.orders.setState(input.id, "active");
  const r = await runSession(deps, input.id, onBar);
  return { ...r, reconciliation: rec };
}

/**
 * A person reviewed the differences: the venue's balances become the new baseline (recorded in the
 * session) and fills on the venue of orders kairos did not send stop counting as differences
 */
async function acceptVenueBalances(deps: TradingDeps, id: string, broker: Broker): Promise<void> {
  const s = getSession(deps.orders, id);
  const fills = applyFills(emptyAccount(), deps.orders.fillsOf(id));
  const baseline: Record<string, string> = {};
  for (const b of await broker.balances()) {
    const held = amount(b.free) + amount(b.locked) - (fills.balances.get(b.asset) ?? ZERO);
    baseline[b.asset] = formatAmount(held);
  }
  for (const [asset, v] of fills.balances)
    if (baseline[asset] === undefined) baseline[asset] = formatAmount(-v);
  // fills of orders kairos did not send, reviewed with the balances, stop counting as differences
  const accepted = new Set(configOf(s).acceptedForeignFills ?? []);
  for (const sym of configOf(s).symbols)
    for (const f of await broker.fillsSince(sym, configOf(s).sinceMs)) {
      const ours =
        (f.clientOrderId !== undefined && deps.orders.getOrder(f.clientOrderId) !== undefined) ||
        deps.orders.orderByVenueId(broker.venue, f.venueOrderId) !== undefined;
      if (!ours) accepted.add(foreignFillKey(sym, f.tradeId));
    }
  deps.orders.setConfig(id, {
    ...configOf(s),
    baseline,
    acceptedForeignFills: [...accepted],
  } as unknown as Record<string, unknown>);
}

export const TradeStopInput = z
  .object({ id: sessionIdField(), flatten: flagField().default(false) })
  .strict();
export type TradeStopInput = z.input<typeof TradeStopInput>;

/**
 * Stops a session: open orders are cancelled (ambiguous cancels resolved by lookup); with
 * `flatten`, every position is sold at market as one more decision (target 0) through the lifecycle
 */
export async function stopTrading(
  deps: TradingDeps,
  raw: TradeStopInput,
): Promise<{ id: string; cancelled: string[]; flattenOrders: OrderRecord[] }> {
  const input = parseInput(TradeStopInput, raw);
  const s = getSession(deps.orders, input.id);
  if (s.mode === "live") {
    // a running live loop sees "stopped" at its next poll, decides nothing more and cancels what is open
    deps.orders.setState(input.id, "stopped");
    if (!input.flatten) return { id: input.id, cancelled: [], flattenOrders: [] };
    // --flatten: this process reaches the exchange itself, cancels, brings fills up to date and sells
    return withLiveVenue(deps, configOf(s), async ({ broker }) => {
      const lifecycle = new OrderLifecycle({
        store: deps.orders,
        broker,
        clock: deps.clock,
        sleep: deps.sleep,
        ...(deps.crash === undefined ? {} : { crash: deps.crash }),
      });
      const cancelled = await cancelOpen(deps, input.id, lifecycle);
      for (const sym of configOf(s).symbols) await lifecycle.syncFills(sym, configOf(s).sinceMs, "reconcile");
      const acc = applyFills(emptyAccount(configOf(s).baseline), deps.orders.fillsOf(input.id));
      const ids = flattenDecision(deps, input.id, acc, broker.venue);
      const flattenOrders = await lifecycle.sendMany(ids);
      return { id: input.id, cancelled, flattenOrders };
    });
  }
  const live = openSession(deps, input.id);
  const cancelled = await cancelOpen(deps, input.id, live.lifecycle);
  const flattenOrders: OrderRecord[] = [];
  if (input.flatten)
    for (const id of flattenDecision(deps, input.id, live.session.account(), live.venue.venue))
      flattenOrders.push(await live.lifecycle.send(id));
  deps.orders.setState(input.id, "stopped");
  return { id: input.id, cancelled, flattenOrders };
}

/** Cancels every order of the session still open (ambiguous cancels resolved by lookup) but its flatten orders */
async function cancelOpen(deps: TradingDeps, id: string, lifecycle: OrderLifecycle): Promise<string[]> {
  const cancelled: string[] = [];
  for (const o of deps.orders.ordersOf(id, [
    "intent",
    "sent",
    "acknowledged",
    "partially_filled",
    "unknown",
  ])) {
    if (deps.orders.getDecision(id, o.decisionSeq)?.explanation === FLATTEN_EXPLANATION) continue;
    const after = await lifecycle.cancel(o.clientOrderId);
    if (after.state === "cancelled") cancelled.push(o.clientOrderId);
  }
  return cancelled;
}

/** Records one more decision (target 0 everywhere) with a market sell of every position held; returns its order ids */
function flattenDecision(deps: TradingDeps, id: string, acc: Account, venue: string): string[] {
  const s = getSession(deps.orders, id);
  const seq = (deps.orders.lastDecision(id)?.seq ?? 0) + 1;
  const now = deps.clock.now();
  const intents: OrderRecord[] = [];
  for (const [leg, sym] of configOf(s).symbols.entries()) {
    const qty = acc.positions.get(sym)?.qty ?? ZERO;
    if (qty <= ZERO) continue;
    intents.push({
      clientOrderId: clientOrderId(id, seq, leg),
      sessionId: id,
      decisionSeq: seq,
      leg,
      venue,
      symbol: sym,
      side: "sell",
      type: "market",
      qty: formatAmount(qty),
      state: "intent",
      filledQty: "0",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    });
  }
  deps.orders.recordDecision(
    {
      sessionId: id,
      seq,
      barTs: s.lastBarTs ?? 0,
      targets: Object.fromEntries(configOf(s).symbols.map((x) => [x, 0])),
      explanation: FLATTEN_EXPLANATION,
      createdAt: now,
    },
    intents,
  );
  return intents.map((o) => o.clientOrderId);
}
