/**
 * The pre-trade gate as trading sessions use it: limits re-read from the home on every decision
 * (their hash recorded with it), the account read from the order store (unreadable = no order),
 * reference prices at the bar's close, the venue's server time for the skew check, the account's
 * trading state, and the repeated-execution throttle that latches HALTED. Every decision, with
 * each check's limit, observed value and verdict, is appended to <home>/risk-decisions.jsonl.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { defineInstrument, type Instrument } from "../domain/instrument.ts";
import { isTerminal } from "../domain/order-status.ts";
import type { RiskScreenContext, SessionRisk } from "../execution/trading-session.ts";
import type { Broker, MarketRules } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { OrderRecord, OrderStore } from "../ports/order-store.ts";
import { type AccountView, type GateDecision, PreTradeGate } from "../risk/pre-trade-gate.ts";
import { loadRiskLimits } from "./risk-limits.ts";
import { readTradingState, writeTradingState } from "./risk-trading-state.ts";

export interface SessionRiskDeps {
  home: string;
  orders: OrderStore;
  broker: Broker;
  clock: Clock;
  rules: ReadonlyMap<string, MarketRules>;
  /** replay: a paper session replaying stored bars lives at the bar's close; live: the clock and the venue's time */
  timing: "replay" | "live";
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

export class SessionRiskGate implements SessionRisk {
  readonly gate = new PreTradeGate();
  private readonly instruments = new Map<string, Instrument>();
  private readonly executions = new Map<string, number[]>();
  private peak = 0;
  private day = -1;
  private dayStart = 0;
  /** every decision made, for status and tests */
  readonly decisions: GateDecision[] = [];

  constructor(private readonly deps: SessionRiskDeps) {
    for (const [s, r] of deps.rules) this.instruments.set(s, instrumentOf(r));
  }

  async screen(intents: OrderRecord[], ctx: RiskScreenContext) {
    const { deps, gate } = this;
    const loaded = loadRiskLimits(deps.home);
    gate.setLimits(loaded.ok ? loaded.limits : undefined, loaded.ok ? loaded.hash : undefined);
    const ts = readTradingState(deps.home);
    gate.setMode(ts.state);
    const now = deps.timing === "replay" ? ctx.closeTs : deps.clock.now();
    let venueTime: { server: number; local: number } | undefined;
    if (deps.timing === "replay") venueTime = { server: now, local: now };
    else
      try {
        const server = await deps.broker.serverTime();
        venueTime = { server, local: deps.clock.now() };
      } catch {
        venueTime = undefined; // no venue time: the skew check fails closed
      }
    const account = this.account(ctx, now);
    const accepted: OrderRecord[] = [];
    const refused: { order: OrderRecord; reason: string }[] = [];
    const lines: string[] = [];
    for (const o of intents) {
      const price = ctx.prices[o.symbol];
      const d = gate.check(
        {
          id: o.clientOrderId,
          venue: o.venue,
          strategyId: ctx.sessionId,
          symbol: o.symbol,
          side: o.side,
          type: o.type,
          qty: Number(o.qty),
          ...(o.limitPrice === undefined ? {} : { limitPrice: Number(o.limitPrice) }),
        },
        {
          instrument: this.instruments.get(o.symbol),
          reference: price === undefined ? undefined : { price, ts: ctx.closeTs },
          venueTime,
        },
        account,
        now,
      );
      this.decisions.push(d);
      lines.push(
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
    this.throttle(ctx.sessionId, accepted.length, now, loaded.ok ? loaded.limits : undefined);
    try {
      appendFileSync(join(deps.home, "risk-decisions.jsonl"), `${lines.join("\n")}\n`);
    } catch {
      // the audit line could not be written: nothing passes unrecorded
      return {
        accepted: [],
        refused: intents.map((order) => ({ order, reason: "risk-decisions.jsonl could not be written" })),
      };
    }
    return { accepted, refused };
  }

  /** The account as the order store says; undefined (no order) when the store cannot be read */
  private account(ctx: RiskScreenContext, now: number): AccountView | undefined {
    try {
      const s = this.deps.orders.getSession(ctx.sessionId);
      if (s === undefined) return undefined;
      // orders that left flight free their reservation: their fills are in the positions now
      for (const d of this.decisions) {
        if (!d.accepted) continue;
        const o = this.deps.orders.getOrder(d.orderId);
        if (o === undefined || isTerminal(o.state)) this.gate.release(d.orderId);
      }
    } catch {
      return undefined;
    }
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.dayStart = ctx.equity;
    }
    this.peak = Math.max(this.peak, ctx.equity);
    return {
      positions: new Map(Object.entries(ctx.positions)),
      equity: ctx.equity,
      peakEquity: this.peak,
      dayStartEquity: this.dayStart,
    };
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
      writeTradingState(this.deps.home, "halted", "throttle", reason, new Date(now).toISOString());
      this.deps.orders.setState(sessionId, "halted", reason);
    }
  }
}
