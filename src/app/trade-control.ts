import { z } from "zod";
import { AppError, invalidInput } from "../errors.ts";
import { accountView, applyFills, assetsOf, emptyAccount } from "../execution/accounting.ts";
import { amount, formatAmount, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { foreignFillKey } from "../execution/reconcile.ts";
import type { OrderRecord, ReconciliationRecord } from "../ports/order-store.ts";
import { flagField, parseInput } from "./contract.ts";
import { configOf, getSession, openSession, type RunProgress, type TradingDeps } from "./trade-runtime.ts";
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

/** Every session in the home, oldest first */
export function listTrading(deps: TradingDeps): TradeListEntry[] {
  return deps.orders.listSessions().map((s) => {
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
  });
}

export const TradeReconcileInput = z.object({ id: sessionIdField() }).strict();
export type TradeReconcileInput = z.input<typeof TradeReconcileInput>;

/** Reconciles now (settling orders first) and returns the diff; any difference halts the session */
export async function reconcileTrading(
  deps: TradingDeps,
  raw: TradeReconcileInput,
): Promise<ReconciliationRecord> {
  const { id } = parseInput(TradeReconcileInput, raw);
  const live = openSession(deps, id);
  return live.reconcile(true);
}

export const TradeResumeInput = z
  .object({
    id: sessionIdField(),
    /** a person reviewed the balance differences (a deposit, a manual trade) and accepts the venue's balances as the new baseline */
    acceptBalances: flagField().default(false),
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
  const live = openSession(deps, input.id);
  if (input.acceptBalances) {
    const fills = applyFills(emptyAccount(), deps.orders.fillsOf(input.id));
    const baseline: Record<string, string> = {};
    for (const b of await live.venue.balances()) {
      const held = amount(b.free) + amount(b.locked) - (fills.balances.get(b.asset) ?? ZERO);
      baseline[b.asset] = formatAmount(held);
    }
    for (const [asset, v] of fills.balances)
      if (baseline[asset] === undefined) baseline[asset] = formatAmount(-v);
    // fills of orders kairos did not send, reviewed with the balances, stop counting as differences
    const accepted = new Set(configOf(s).acceptedForeignFills ?? []);
    for (const sym of configOf(s).symbols)
      for (const f of await live.venue.fillsSince(sym, configOf(s).sinceMs)) {
        const ours =
          (f.clientOrderId !== undefined && deps.orders.getOrder(f.clientOrderId) !== undefined) ||
          deps.orders.orderByVenueId(live.venue.venue, f.venueOrderId) !== undefined;
        if (!ours) accepted.add(foreignFillKey(sym, f.tradeId));
      }
    deps.orders.setConfig(input.id, {
      ...configOf(s),
      baseline,
      acceptedForeignFills: [...accepted],
    } as unknown as Record<string, unknown>);
  }
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
    // the live loop owns the exchange connection: it sees "stopped" at its next poll and cancels what is open
    if (input.flatten)
      throw invalidInput(
        `trade stop --flatten is not built for live sessions yet; stop without it, then sell on ${s.venue} yourself`,
      );
    deps.orders.setState(input.id, "stopped");
    return { id: input.id, cancelled: [], flattenOrders: [] };
  }
  const live = openSession(deps, input.id);
  const cancelled: string[] = [];
  for (const o of deps.orders.ordersOf(input.id, [
    "intent",
    "sent",
    "acknowledged",
    "partially_filled",
    "unknown",
  ])) {
    const after = await live.lifecycle.cancel(o.clientOrderId);
    if (after.state === "cancelled") cancelled.push(o.clientOrderId);
  }
  const flattenOrders: OrderRecord[] = [];
  if (input.flatten) {
    const acc = live.session.account();
    const seq = (deps.orders.lastDecision(input.id)?.seq ?? 0) + 1;
    const now = deps.clock.now();
    const intents: OrderRecord[] = [];
    for (const [leg, sym] of configOf(s).symbols.entries()) {
      const qty = acc.positions.get(sym)?.qty ?? ZERO;
      if (qty <= ZERO) continue;
      intents.push({
        clientOrderId: clientOrderId(input.id, seq, leg),
        sessionId: input.id,
        decisionSeq: seq,
        leg,
        venue: live.venue.venue,
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
        sessionId: input.id,
        seq,
        barTs: s.lastBarTs ?? 0,
        targets: Object.fromEntries(configOf(s).symbols.map((x) => [x, 0])),
        explanation: "stop --flatten: close every position",
        createdAt: now,
      },
      intents,
    );
    for (const o of intents) flattenOrders.push(await live.lifecycle.send(o.clientOrderId));
  }
  deps.orders.setState(input.id, "stopped");
  return { id: input.id, cancelled, flattenOrders };
}
