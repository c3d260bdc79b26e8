/**
 * The pre-trade gate as trading sessions use it: limits re-read from the home on every decision
 * (their hash recorded with it), the account read from the order store (unreadable = no order),
 * reference prices at the bar's close (timed, live, by the newest bar the market traded in), the
 * venue's server time for the skew check, the account's
 * trading state, and the repeated-execution throttle that latches HALTED. Peak and day-start
 * equity start from the session's fills in the order store (a restart keeps them).
 *
 * Every check goes into the chained audit log as a `risk.check` record holding everything it was
 * judged by (so `kairos audit replay` re-runs it), appended ahead of the decision and its intents:
 * a refused order is never stored, yet its checks are logged; an accepted one has its checks in
 * the log before its intent. A trading session asks for the records (`deferRecord`) and appends
 * them in its decision's transaction, so checks, decision and intents commit together with one
 * fsync (or not at all: the gate's reservations are then released); other callers get them in a
 * transaction of their own. The limits' exact text is logged (`limits.change`) the first time a
 * gate judges by a hash. A copy of each decision also goes to <home>/risk-decisions.jsonl for a
 * quick look (after the sends, off the way to the wire). Nothing passes unrecorded: a failed
 * append refuses the whole batch.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { defineInstrument, type Instrument } from "../domain/instrument.ts";
import { isTerminal, ORDER_STATUSES } from "../domain/order-status.ts";
import type {
  RiskScreenContext,
  ScreenOptions,
  ScreenResult,
  SessionRisk,
} from "../execution/trading-session.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Broker, MarketRules } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord, OrderStore } from "../ports/order-store.ts";
import { equityHistory } from "../risk/equity-marks.ts";
import { type GateCheckData, gateCheckData } from "../risk/gate-replay.ts";
import { type AccountView, type GateDecision, PreTradeGate } from "../risk/pre-trade-gate.ts";
import { loadRiskLimits } from "./risk-limits.ts";
import { lastResumeMark, readTradingState, writeTradingState } from "./risk-trading-state.ts";

export interface SessionRiskDeps {
  home: string;
  orders: OrderStore;
  broker: Broker;
  clock: Clock;
  rules: ReadonlyMap<string, MarketRules>;
  /** replay: a paper session replaying stored bars lives at the bar's close; live: the clock and the venue's time */
  timing: "replay" | "live";
  /** the chained audit log (every check, limits in force, throttle latches) */
  audit?: AuditLog;
}

const instrumentOf = (r: MarketRules): Instrument =>
  defineInstrument({
    symbol: r.symbol,
    market: r.marketType,
    tickSize: Number(r.tickSize),
    lotSize: Number(r.stepSize),
    minQty: Number(r.minQuantity),
    minNotional: Number(r.minNotional),
  });

/** Decisions a gate keeps in memory (status reads the order store; the audit log and risk-decisions.jsonl hold all) */
export const GATE_DECISIONS_KEPT = 1_000;

/** Statuses the venue may still fill or that may still be sent */
const IN_FLIGHT = ORDER_STATUSES.filter((s) => !isTerminal(s));

export class SessionRiskGate implements SessionRisk {
  readonly gate = new PreTradeGate();
  /** names this gate's records in the audit log: a replay runs them on one fresh gate */
  readonly gateId = `gate-${randomUUID()}`;
  private readonly instruments = new Map<string, Instrument>();
  private readonly executions = new Map<string, number[]>();
  /** accepted orders whose reservation is still held */
  private readonly held = new Set<string>();
  private peak = Number.NEGATIVE_INFINITY;
  private day = -1;
  private dayStart = 0;
  private derived = false;
  private loggedLimits: string | undefined;
  private resumeMark: string | undefined;
  private released: string[] = [];
  /** stored in-flight orders adopted since the last record, written with it so a replay reserves them too */
  private adopted: { id: string; symbol: string; side: "buy" | "sell"; qty: number; price: number }[] = [];
  /** the newest decisions (at most GATE_DECISIONS_KEPT), for an approval hold and tests; every one is in the audit log */
  readonly decisions: GateDecision[] = [];

  constructor(private readonly deps: SessionRiskDeps) {
    for (const [s, r] of deps.rules) this.instruments.set(s, instrumentOf(r));
  }

  async screen(intents: OrderRecord[], ctx: RiskScreenContext, opts?: ScreenOptions): Promise<ScreenResult> {
    const { deps, gate } = this;
    const now0 = deps.timing === "replay" ? ctx.closeTs : deps.clock.now();
    let venueTime: { server: number; local: number } | undefined;
    if (deps.timing === "replay") venueTime = { server: now0, local: now0 };
    else
      try {
        const server = await deps.broker.serverTime();
        venueTime = { server, local: deps.clock.now() };
      } catch {
        venueTime = undefined; // no venue time: the skew check fails closed
      }
    // limits and the latch are read after the last await: a kill that latched meanwhile is seen
    const loaded = loadRiskLimits(deps.home);
    gate.setLimits(loaded.ok ? loaded.limits : undefined, loaded.ok ? loaded.hash : undefined);
    const ts = readTradingState(deps.home);
    gate.setMode(ts.state);
    const mark = lastResumeMark(ts.file);
    // a person resumed since the last decision: the throttle's window starts again
    if (mark !== this.resumeMark) {
      if (this.resumeMark !== undefined || mark !== undefined) this.executions.clear();
      this.resumeMark = mark;
    }
    const now = deps.timing === "replay" ? ctx.closeTs : deps.clock.now();
    const account = this.account(ctx, now, new Set(intents.map((o) => o.clientOrderId)));
    const accepted: OrderRecord[] = [];
    const refused: { order: OrderRecord; reason: string }[] = [];
    // the quick-look copy of each decision, written (and turned into text) after the sends
    const lines: (() => string)[] = [];
    const records: GateCheckData[] = [];
    for (const o of intents) {
      const price = ctx.prices[o.symbol];
      const order = {
        id: o.clientOrderId,
        venue: o.venue,
        strategyId: ctx.sessionId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        qty: Number(o.qty),
        ...(o.limitPrice === undefined ? {} : { limitPrice: Number(o.limitPrice) }),
      };
      const market = {
        instrument: this.instruments.get(o.symbol),
        reference: price === undefined ? undefined : { price, ts: this.priceTime(o.symbol, ctx) },
        venueTime,
      };
      const mode = gate.tradingMode;
      const d = gate.check(order, market, account, now);
      this.decisions.push(d);
      // a session runs for months: an unbounded list here grew the trading process by every order judged
      if (this.decisions.length > GATE_DECISIONS_KEPT) this.decisions.shift();
      if (d.accepted) this.held.add(o.clientOrderId);
      records.push(
        gateCheckData({
          gate: this.gateId,
          sessionId: ctx.sessionId,
          decisionId: `${ctx.sessionId}/${o.decisionSeq}`,
          order,
          market,
          account,
          now,
          mode,
          released: this.released.splice(0),
          adopted: this.adopted.splice(0),
          decision: d,
          // one account view for the whole batch: written with the first check, referred to after
          accountAsBefore: records.length > 0,
        }),
      );
      lines.push(() =>
        JSON.stringify({
          session: ctx.sessionId,
          order: o.clientOrderId,
          symbol: o.symbol,
          side: o.side,
          qty: o.qty,
          ...d,
        }),
      );
      if (d.accepted) accepted.push(o);
      else refused.push({ order: o, reason: d.reason ?? "refused" });
    }
    const audit = deps.audit;
    const write = (): void => {
      if (audit === undefined) return;
      if (loaded.ok && loaded.hash !== this.loggedLimits) {
        audit.append("limits.change", {
          event: "in force",
          hash: loaded.hash,
          revision: loaded.limits.revision,
          by: loaded.limits.updatedBy,
          limitsText: loaded.text,
        });
        this.loggedLimits = loaded.hash;
      }
      for (const r of records) audit.append("risk.check", r as unknown as Record<string, unknown>);
    };
    const quickLook = (): void => {
      appendFileSync(join(deps.home, "risk-decisions.jsonl"), `${lines.map((l) => l()).join("\n")}\n`);
    };
    const abandon = (): void => {
      for (const o of accepted) {
        gate.release(o.clientOrderId);
        this.held.delete(o.clientOrderId);
      }
    };
    if (opts?.deferRecord === true) {
      // the caller appends the records in its own transaction (the decision's: one fsync on the way
      // to the wire, and the checks commit with the intents they let through or not at all)
      this.throttle(ctx.sessionId, accepted.length, now, loaded.ok ? loaded.limits : undefined);
      return {
        accepted,
        refused,
        record: () => {
          const before = this.loggedLimits;
          try {
            write();
          } catch (err) {
            this.loggedLimits = before;
            throw err;
          }
        },
        abandon: () => {
          abandon();
          this.loggedLimits = undefined;
        },
        after: () => {
          try {
            quickLook();
          } catch {
            // a copy for a quick look: the audit log already holds every check
          }
        },
      };
    }
    try {
      if (audit !== undefined) deps.orders.batch(write);
      quickLook();
    } catch {
      // the checks could not be recorded: nothing passes unrecorded
      abandon();
      return {
        accepted: [],
        refused: intents.map((order) => ({ order, reason: "the risk checks could not be recorded" })),
      };
    }
    this.throttle(ctx.sessionId, accepted.length, now, loaded.ok ? loaded.limits : undefined);
    return { accepted, refused };
  }

  /**
   * When the reference price was seen at the venue. Replay (paper on stored bars): the bar's close,
   * the session's own time. Live: the close of the newest bar in which the market traded, never
   * later than this bar's close, so a frozen feed (bars keep closing, flat, without volume) ages
   * the price and the stale-price check refuses
   */
  private priceTime(symbol: string, ctx: RiskScreenContext): number {
    if (this.deps.timing === "replay") return ctx.closeTs;
    const seen = ctx.priceTs?.[symbol];
    return seen === undefined || !Number.isFinite(seen) ? ctx.closeTs : Math.min(seen, ctx.closeTs);
  }

  /** The account as the order store says; undefined (no order) when the store cannot be read */
  private account(
    ctx: RiskScreenContext,
    now: number,
    screened: ReadonlySet<string> = new Set(),
  ): AccountView | undefined {
    try {
      const s = this.deps.orders.getSession(ctx.sessionId);
      if (s === undefined) return undefined;
      // the session's orders in flight, read once (one statement): held ones that left flight (or
      // were never stored) free their reservation, their fills being in the positions now; stored
      // ones this gate did not judge are adopted
      const flying = this.deps.orders.ordersOf(ctx.sessionId, IN_FLIGHT);
      const ids = new Set(flying.map((o) => o.clientOrderId));
      for (const id of this.held) {
        if (ids.has(id)) continue;
        this.held.delete(id);
        if (this.gate.release(id)) this.released.push(id);
      }
      this.adoptStored(ctx, screened, flying);
      if (!this.derived) this.derive(ctx, now);
    } catch {
      return undefined;
    }
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      // a new UTC day while running: it starts at the equity seen now
      if (this.day !== -1) this.dayStart = ctx.equity;
      this.day = day;
    }
    this.peak = Math.max(this.peak, ctx.equity);
    return {
      positions: new Map(Object.entries(ctx.positions)),
      equity: ctx.equity,
      peakEquity: this.peak,
      dayStartEquity: this.dayStart,
    };
  }

  /**
   * The session's stored orders still in flight that this gate did not judge (placed by another
   * process, e.g. a person's approval, or before a restart) reserve their exposure here too, so
   * orders judged apart never jointly exceed a limit; they are released like the others
   */
  private adoptStored(
    ctx: RiskScreenContext,
    screened: ReadonlySet<string>,
    flying: readonly OrderRecord[],
  ): void {
    for (const o of flying) {
      if (this.held.has(o.clientOrderId) || screened.has(o.clientOrderId)) continue;
      const price = o.limitPrice === undefined ? ctx.prices[o.symbol] : Number(o.limitPrice);
      if (price === undefined) continue;
      // the filled part is already in the position derived from fills; only the rest is in flight
      const open = Number(o.qty) - Number(o.filledQty);
      const x = { id: o.clientOrderId, symbol: o.symbol, side: o.side, qty: open, price };
      if (this.gate.adopt(x)) {
        this.held.add(o.clientOrderId);
        this.adopted.push(x);
      }
    }
  }

  /**
   * Peak and day-start equity from the session's opening balances and every fill in the order
   * store (each fill prices its symbol), so a restarted process judges drawdown and daily loss
   * against the account's history, not against the equity its first decision happens to see
   */
  private derive(ctx: RiskScreenContext, now: number): void {
    const s = this.deps.orders.getSession(ctx.sessionId)!;
    const baseline = (s.config as { baseline?: Record<string, string> }).baseline ?? {};
    const symbols = Object.keys(ctx.prices);
    const quote = (symbols[0] ?? "/USDT").split("/")[1]?.split(":")[0] ?? "USDT";
    const marks: Record<string, number> = {};
    for (const [sym, p] of Object.entries(ctx.prices)) marks[sym.split("/")[0]!] = p;
    const dayStartTs = Math.floor(now / 86_400_000) * 86_400_000;
    const h = equityHistory(
      Object.fromEntries(Object.entries(baseline).map(([a, v]) => [a, Number(v)])),
      this.deps.orders.fillsOf(ctx.sessionId).map((f) => ({
        symbol: f.symbol,
        side: f.side,
        qty: Number(f.qty),
        price: Number(f.price),
        fee: Number(f.fee),
        feeAsset: f.feeAsset,
        ts: f.ts,
      })),
      quote,
      dayStartTs,
      marks,
    );
    // a session without a recorded baseline (tests, old homes) starts from what it sees now
    const known = Object.keys(baseline).length > 0;
    this.peak = known ? Math.max(h.peak, ctx.equity) : ctx.equity;
    this.dayStart = known ? h.dayStart : ctx.equity;
    this.day = Math.floor(now / 86_400_000);
    this.derived = true;
  }

  /** N executions per window per strategy latch HALTED, for the account and the session */
  private throttle(
    sessionId: string,
    n: number,
    now: number,
    limits: { throttleExecutions: number; throttleWindowMs: number } | undefined,
  ): void {
    if (n === 0 || limits === undefined) return;
    const times = this.executions.get(sessionId) ?? [];
    for (let i = 0; i < n; i++) times.push(now);
    while (times.length > 0 && times[0]! <= now - limits.throttleWindowMs) times.shift();
    this.executions.set(sessionId, times);
    if (times.length >= limits.throttleExecutions) {
      const reason = `repeated-execution throttle: ${times.length} executions within ${limits.throttleWindowMs} ms (limit ${limits.throttleExecutions}); a person must resume`;
      writeTradingState(
        this.deps.home,
        "halted",
        "throttle",
        reason,
        new Date(now).toISOString(),
        this.deps.audit,
      );
      this.deps.orders.setState(sessionId, "halted", reason);
      // the latch is this gate's own: its resume mark is unchanged, so its window is kept until a person resumes
    }
  }
}
