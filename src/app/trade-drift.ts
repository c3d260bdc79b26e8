import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { runEngine } from "../backtest/engine.ts";
import { fillBarOnGrid } from "../domain/fill-bar.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { paperInstrumentOf } from "../execution/market-rules.ts";
import type { OrderRecord } from "../ports/order-store.ts";
import { parseInput } from "./contract.ts";
import { executionFromRequest, RunBacktestInput } from "./run-backtest.ts";
import {
  configOf,
  getSession,
  loadSeries,
  type SessionConfig,
  strategyOf,
  type TradingDeps,
} from "./trade-runtime.ts";

export const TradeDriftInput = z
  .object({ id: z.string().regex(/^[a-z0-9]{1,12}$/, "a session id") })
  .strict();
export type TradeDriftInput = z.input<typeof TradeDriftInput>;

/** One fill as both sides describe it (the session's: one per order, its parts summed) */
export interface DriftFill {
  ts: string;
  symbol: string;
  side: string;
  qty: number;
  price: number;
  fee: number;
}

/** A changed target as both sides decided it (the backtest's rule: only a changed target acts) */
export interface DriftDecision {
  /** open time of the closed bar decided on */
  ts: string;
  symbol: string;
  target: number;
}

export interface DriftReport {
  session: string;
  from: string;
  to: string;
  /** orders the session's decisions caused, and fills on each side */
  orders: number;
  fills: { session: number; backtest: number; matched: number };
  /** changed targets on each side, and how many agree in time, symbol and value */
  decisions: { session: number; backtest: number; matched: number };
  /** largest absolute differences over the matched fills */
  maxDiff: { qty: number; price: number; fee: number };
  pnl: { session: number; backtest: number; diff: number };
  /**
   * the first difference with its likely cause; undefined when none. A fill that differs is named
   * by its index among the fills (`kind` "fill"); when every fill agrees but a decision does not
   * (a target change that sent no order on one side), by its index among the decisions
   */
  firstDivergence?: {
    kind: "fill" | "decision";
    index: number;
    session?: DriftFill | DriftDecision;
    backtest?: DriftFill | DriftDecision;
    cause: string;
  };
  /** true when every decision, fill time, price, fee and the P&L agree (to float rounding) */
  zero: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
// the backtest computes in float64 (a ticked price may read 116523.15000000001): beyond this it differs
const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Orders by time, then symbol; stable, so fills of one market in one bar keep the order they happened in */
const byTimeSymbol = <T extends { ts: string; symbol: string }>(x: T, y: T): number =>
  x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0;

interface Replay {
  fills: DriftFill[];
  decisions: DriftDecision[];
  endEquity: number;
}

/**
 * The session's period through the backtest engine, fed what the session's strategy was fed: the
 * same strategy object (strategyOf), the same loaded bars (loadSeries: the same first bar, so a
 * strategy that counts bars or keeps a cost basis from the first one, as dca does, starts where the
 * session's did; the same timestamps every market has), the same first bar acted on, the same costs
 * and each market's own rules (lot, tick, minimum quantity and notional, as the paper venue has them)
 */
function replay(deps: TradingDeps, cfg: SessionConfig, to: number): Replay {
  const { strategy, params } = strategyOf(cfg.strategy, cfg.params);
  const series = loadSeries(deps.store, { ...cfg, endTs: to }, strategy.warmup);
  const ts = series[0]?.ts ?? new Float64Array(0);
  let start = 0;
  while (start < ts.length && ts[start]! < cfg.startTs) start++;
  if (start >= ts.length)
    throw new AppError(
      "NOT_FOUND",
      `no stored ${cfg.symbols.join(", ")} ${cfg.timeframe} candles from ${iso(cfg.startTs)} to replay`,
    );
  const rules0 = cfg.rules[0]!;
  const config = executionFromRequest(
    parseInput(RunBacktestInput, {
      strategy: cfg.strategy,
      symbols: cfg.symbols,
      timeframe: cfg.timeframe,
      fee: cfg.fee,
      slippage: cfg.slippage,
      initialCash: cfg.capital,
      lotSize: Number(rules0.stepSize),
      priceTick: Number(rules0.tickSize),
      ...(Number(rules0.minNotional) > 0 ? { minNotional: Number(rules0.minNotional) } : {}),
      ...(cfg.sizeFraction === undefined ? {} : { sizeFraction: cfg.sizeFraction }),
    }),
  );
  // each market's own rules, as the paper venue matched the session's orders with them
  const instruments = Object.fromEntries(cfg.rules.map((r) => [r.symbol, paperInstrumentOf(r)]));
  const decisions: DriftDecision[] = [];
  const prev = new Map<string, number>();
  const result = runEngine({
    series,
    strategy,
    config,
    start,
    params,
    instruments,
    onDecision: (t, d) => {
      for (const [sym, raw] of Object.entries(d.targets ?? {})) {
        // a spot session's rule (TradingSession): clipped to [0, 1], only a changed target acts
        const e = Math.max(0, Math.min(1, raw));
        const p = prev.get(sym);
        if (e === p || (p === undefined && e === 0)) continue;
        prev.set(sym, e);
        decisions.push({ ts: iso(ts[t]!), symbol: sym, target: e });
      }
    },
  });
  return {
    fills: result.fills
      .map((f) => ({ ts: iso(f.ts), symbol: f.symbol, side: f.side, qty: f.qty, price: f.price, fee: f.fee }))
      .sort(byTimeSymbol),
    decisions: decisions.sort(byTimeSymbol),
    endEquity: result.equity[result.equity.length - 1] ?? cfg.capital,
  };
}

/**
 * Replays the session's period through the backtest engine with the same strategy, parameters,
 * costs, bars and market rules, and compares every changed target (decision), fill (time, symbol,
 * side, quantity, price, fee) and the P&L, naming the first divergence and its likely cause
 */
export function tradeDrift(deps: TradingDeps, raw: TradeDriftInput): DriftReport {
  const { id } = parseInput(TradeDriftInput, raw);
  const s = getSession(deps.orders, id);
  const cfg = configOf(s);
  if (s.lastBarTs === undefined) throw new AppError("NOT_FOUND", `session ${id} has not acted on a bar yet`);
  const tf = timeframeMs(cfg.timeframe);
  const to = s.lastBarTs + tf;
  const bt = replay(deps, cfg, to);
  const orders = deps.orders.ordersOf(id);

  // the session's decisions: each committed decision's changed targets
  const decisionTs = new Map<number, number>();
  const decisionAt = new Map<number, { seq: number; targets: Record<string, number>; explanation: string }>();
  const mineDecisions: DriftDecision[] = [];
  const lastSeq = deps.orders.lastDecision(id)?.seq ?? 0;
  for (let seq = 1; seq <= lastSeq; seq++) {
    const d = deps.orders.getDecision(id, seq);
    if (d === undefined) continue;
    decisionTs.set(seq, d.barTs);
    decisionAt.set(d.barTs, { seq, targets: d.targets, explanation: d.explanation });
    for (const [sym, e] of Object.entries(d.targets))
      mineDecisions.push({ ts: iso(d.barTs), symbol: sym, target: e });
  }
  mineDecisions.sort(byTimeSymbol);

  // one fill per order as the backtest has it: an exchange may split an order's fill into parts
  // (summed, price volume-weighted), and stamps it with the moment it matched, which lies inside
  // the bar the backtest fills at (the simulated exchange: that bar's end), so it counts for the
  // bar it fell in. Paper fills carry their bar's open time already.
  const barOf = (ts: number): number => fillBarOnGrid(ts, s.mode === "live", tf);
  const perOrder = new Map<
    string,
    { ts: number; symbol: string; side: string; qty: number; notional: number; fee: number }
  >();
  for (const f of deps.orders.fillsOf(id)) {
    const a = perOrder.get(f.clientOrderId) ?? {
      ts: barOf(f.ts),
      symbol: f.symbol,
      side: f.side,
      qty: 0,
      notional: 0,
      fee: 0,
    };
    a.qty += Number(f.qty);
    a.notional += Number(f.qty) * Number(f.price);
    a.fee += Number(f.fee);
    perOrder.set(f.clientOrderId, a);
  }
  const mineOrders = [...perOrder.entries()]
    .map(([clientOrderId, a]) => ({
      clientOrderId,
      fill: {
        ts: iso(a.ts),
        symbol: a.symbol,
        side: a.side,
        qty: a.qty,
        price: a.notional / a.qty,
        fee: a.fee,
      } satisfies DriftFill,
    }))
    .sort((x, y) => byTimeSymbol(x.fill, y.fill));
  const mine = mineOrders.map((o) => o.fill);
  const theirs = bt.fills;

  // decisions: the first changed target that is not the backtest's
  let decisionsMatched = 0;
  let firstDecision: { index: number; session?: DriftDecision; backtest?: DriftDecision } | undefined;
  for (let i = 0; i < Math.max(mineDecisions.length, bt.decisions.length); i++) {
    const a = mineDecisions[i];
    const b = bt.decisions[i];
    if (
      a !== undefined &&
      b !== undefined &&
      a.ts === b.ts &&
      a.symbol === b.symbol &&
      close(a.target, b.target)
    ) {
      decisionsMatched++;
      continue;
    }
    firstDecision = {
      index: i,
      ...(a === undefined ? {} : { session: a }),
      ...(b === undefined ? {} : { backtest: b }),
    };
    break;
  }

  const ctx: CauseContext = {
    sessionId: id,
    home: deps.home,
    tf,
    orders,
    decisionTs,
    decisionAt,
    firstDecision,
    mineOrders,
  };
  const maxDiff = { qty: 0, price: 0, fee: 0 };
  let matched = 0;
  let first: DriftReport["firstDivergence"];
  for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
    const a = mine[i];
    const b = theirs[i];
    if (a !== undefined && b !== undefined && a.ts === b.ts && a.symbol === b.symbol && a.side === b.side) {
      maxDiff.qty = Math.max(maxDiff.qty, Math.abs(a.qty - b.qty));
      maxDiff.price = Math.max(maxDiff.price, Math.abs(a.price - b.price));
      maxDiff.fee = Math.max(maxDiff.fee, Math.abs(a.fee - b.fee));
      if (close(a.qty, b.qty) && close(a.price, b.price) && close(a.fee, b.fee)) {
        matched++;
        continue;
      }
    }
    first = {
      kind: "fill",
      index: i,
      ...(a === undefined ? {} : { session: a }),
      ...(b === undefined ? {} : { backtest: b }),
      cause: causeOf(a, b, ctx, i),
    };
    break;
  }
  // every fill agrees, yet a decision differs (a target change that sent nothing on one side)
  if (first === undefined && firstDecision !== undefined)
    first = {
      kind: "decision",
      ...firstDecision,
      cause: decisionCause(firstDecision, ctx),
    };

  const last = cfg.symbols.map((sym) => {
    const r = deps.store.read({ exchange: cfg.exchange, symbol: sym, timeframe: cfg.timeframe }, { to });
    return r.close[r.close.length - 1] ?? Number.NaN;
  });
  let equity = cfg.capital;
  for (const f of mine) equity += (f.side === "buy" ? -1 : 1) * f.qty * f.price - f.fee;
  const held = new Map<string, number>();
  for (const f of mine) held.set(f.symbol, (held.get(f.symbol) ?? 0) + (f.side === "buy" ? 1 : -1) * f.qty);
  cfg.symbols.forEach((sym, i) => {
    const q = held.get(sym) ?? 0;
    if (q !== 0) equity += q * last[i]!;
  });
  const pnl = {
    session: equity - cfg.capital,
    backtest: bt.endEquity - cfg.capital,
    diff: equity - bt.endEquity,
  };
  return {
    session: id,
    from: iso(cfg.startTs),
    to: iso(to),
    orders: orders.length,
    fills: { session: mine.length, backtest: theirs.length, matched },
    decisions: { session: mineDecisions.length, backtest: bt.decisions.length, matched: decisionsMatched },
    maxDiff,
    pnl,
    ...(first === undefined ? {} : { firstDivergence: first }),
    zero: first === undefined && Math.abs(pnl.diff) <= 1e-6 * Math.max(1, cfg.capital),
  };
}

interface CauseContext {
  sessionId: string;
  /** the home: risk-decisions.jsonl names why the pre-trade gate refused an order */
  home: string;
  tf: number;
  orders: readonly OrderRecord[];
  /** the bar each of the session's decisions was taken on, by decision seq */
  decisionTs: ReadonlyMap<number, number>;
  /** the session's decisions by the bar they were taken on */
  decisionAt: ReadonlyMap<number, { seq: number; targets: Record<string, number>; explanation: string }>;
  firstDecision: { index: number; session?: DriftDecision; backtest?: DriftDecision } | undefined;
  /** the session's fills (one per order) with the order each belongs to, in the compared order */
  mineOrders: readonly { clientOrderId: string; fill: DriftFill }[];
}

const describeTarget = (d: DriftDecision | undefined): string =>
  d === undefined ? "none" : `${d.target} on ${d.symbol} at ${d.ts}`;

function decisionCause(d: { session?: DriftDecision; backtest?: DriftDecision }, ctx: CauseContext): string {
  const mine = d.session === undefined ? undefined : ctx.decisionAt.get(Date.parse(d.session.ts));
  // the session's own words for it: the strategy's reason, or a person's (stop --flatten)
  const why = mine === undefined ? "" : ` ("${mine.explanation}")`;
  const base = `a different decision: the session's target ${describeTarget(d.session)}${why}, the backtest's ${describeTarget(d.backtest)}`;
  const seq = mine?.seq;
  const sent = ctx.orders.some((o) => o.symbol === d.session?.symbol && o.decisionSeq === seq);
  if (seq === undefined || sent) return base;
  const refused = refusalOf(ctx, seq, d.session!.symbol);
  return `${base} (the session's order for it was not sent: ${refused ?? "below the venue's minimum"})`;
}

/** Why the pre-trade gate refused the session's order of decision `seq` on `symbol`, from risk-decisions.jsonl */
function refusalOf(ctx: CauseContext, seq: number, symbol: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(ctx.home, "risk-decisions.jsonl"), "utf8");
  } catch {
    return undefined;
  }
  const prefix = clientOrderId(ctx.sessionId, seq, 0).replace(/-[0-9a-z]+$/, "-");
  const tag = `"session":${JSON.stringify(ctx.sessionId)}`;
  for (const line of text.split("\n")) {
    if (!line.includes(tag) || !line.includes(prefix)) continue;
    try {
      const r = JSON.parse(line) as { order?: string; symbol?: string; accepted?: boolean; reason?: string };
      if (r.order?.startsWith(prefix) === true && r.symbol === symbol && r.accepted === false)
        return `refused by the risk gate (${r.reason ?? "refused"})`;
    } catch {
      // a line cut short by a crash names nothing
    }
  }
  return undefined;
}

/** The session's order behind a fill the backtest has and the session lacks: that market and side, decided before it */
function orderBehind(b: DriftFill, ctx: CauseContext, index: number): OrderRecord | undefined {
  const compared = new Set(ctx.mineOrders.slice(0, index).map((o) => o.clientOrderId));
  const filled = new Set(ctx.mineOrders.map((o) => o.clientOrderId));
  const at = Date.parse(b.ts);
  const candidates = ctx.orders
    .filter((o) => o.symbol === b.symbol && o.side === b.side && !compared.has(o.clientOrderId))
    .map((o) => ({ o, ts: ctx.decisionTs.get(o.decisionSeq) ?? Number.NaN }))
    .filter((x) => x.ts < at)
    .sort((x, y) => y.ts - x.ts);
  // the market order decided at the previous close first; else the latest unfilled one before it
  return (
    candidates.find((x) => x.ts === at - ctx.tf)?.o ??
    candidates.find((x) => !filled.has(x.o.clientOrderId))?.o
  );
}

/** Why the session has no fill where the backtest has `b` */
function missingCause(b: DriftFill, ctx: CauseContext, index: number): string {
  const what = `the backtest's ${b.side} ${b.qty} ${b.symbol} at ${b.ts}`;
  const o = orderBehind(b, ctx, index);
  if (o === undefined) {
    const d = ctx.decisionAt.get(Date.parse(b.ts) - ctx.tf);
    if (d !== undefined && b.symbol in d.targets)
      return `no order sent for ${what}: the session decided it (target ${d.targets[b.symbol]}) and sent nothing, ${refusalOf(ctx, d.seq, b.symbol) ?? "below the venue's minimum"}`;
    return `the session has no fill and no order for ${what}`;
  }
  if (o.state === "rejected")
    return `a reject: ${o.reason ?? "the venue refused the order"} (order ${o.clientOrderId}, ${what})`;
  if (o.state === "filled" || o.state === "partially_filled")
    return `a lost fill: order ${o.clientOrderId} is ${o.state} (${o.filledQty} at the venue's word) but no fill of it is recorded (${what})`;
  if (o.state === "expired" || o.state === "cancelled")
    return `no fill: order ${o.clientOrderId} ${o.state} unfilled${o.reason === undefined ? "" : ` (${o.reason})`} (${what})`;
  return `no fill yet: order ${o.clientOrderId} is ${o.state} (${what})`;
}

function causeOf(
  a: DriftFill | undefined,
  b: DriftFill | undefined,
  ctx: CauseContext,
  index: number,
): string {
  // a decision that differs at or before the bar this fill was decided on is the root cause
  const d = ctx.firstDecision;
  const decidedBy = Math.min(...[a, b].filter((f) => f !== undefined).map((f) => Date.parse(f.ts))) - ctx.tf;
  if (d !== undefined && Date.parse((d.session ?? d.backtest)!.ts) <= decidedBy) return decisionCause(d, ctx);
  const id = ctx.mineOrders[index]?.clientOrderId;
  const order = a === undefined ? undefined : ctx.orders.find((o) => o.clientOrderId === id);
  const decided = order === undefined ? undefined : ctx.decisionTs.get(order.decisionSeq);
  if (a === undefined) return missingCause(b!, ctx, index);
  const extra = `the backtest has no fill for the session's ${a.side} ${a.qty} ${a.symbol} at ${a.ts}${decided === undefined ? "" : ` (decided at ${iso(decided)})`}`;
  if (b === undefined) return extra;
  if (a.ts !== b.ts || a.symbol !== b.symbol) {
    if (byTimeSymbol(a, b) < 0) return extra;
    // the session's fill comes later: the order behind the backtest's fill filled late, or the session lacks that fill
    return order !== undefined && orderBehind(b, ctx, index)?.clientOrderId === order.clientOrderId
      ? `a late candle: the order decided at ${iso(decided!)} filled at ${a.ts} in the session, at ${b.ts} in the backtest`
      : missingCause(b, ctx, index);
  }
  if (a.side !== b.side) return "a different decision: the two sides traded in opposite directions";
  if (!close(a.qty, b.qty)) {
    const ordered = order === undefined ? Number.NaN : Number(order.qty);
    if (order !== undefined && a.qty < ordered && !close(a.qty, ordered))
      return `a partial fill: ${a.qty} of ${order.qty} filled (order ${order.clientOrderId} ${order.state}), ${b.qty} in the backtest`;
    return `a different size: the session ordered ${order?.qty ?? a.qty}, the backtest filled ${b.qty}`;
  }
  if (!close(a.price, b.price)) {
    const bps = ((a.price - b.price) / b.price) * 10_000 * (a.side === "buy" ? 1 : -1);
    return `slippage beyond the model: ${a.symbol} ${a.side} at ${a.price} against ${b.price} in the backtest (${Math.abs(bps).toFixed(2)} bp ${bps >= 0 ? "worse" : "better"})`;
  }
  return `a different fee: ${a.fee} against ${b.fee} in the backtest`;
}
