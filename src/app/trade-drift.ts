import { z } from "zod";
import { isBotKind } from "../bots/registry.ts";
import { fillBarOnGrid } from "../domain/fill-bar.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { getFamily } from "../strategies/registry.ts";
import { parseInput } from "./contract.ts";
import { runBacktest } from "./run-backtest.ts";
import { configOf, getSession, strategyOf, type TradingDeps } from "./trade-runtime.ts";

export const TradeDriftInput = z
  .object({ id: z.string().regex(/^[a-z0-9]{1,12}$/, "a session id") })
  .strict();
export type TradeDriftInput = z.input<typeof TradeDriftInput>;

/** One fill as both sides describe it */
export interface DriftFill {
  ts: string;
  side: string;
  qty: number;
  price: number;
  fee: number;
}

export interface DriftReport {
  session: string;
  from: string;
  to: string;
  /** orders the session's decisions caused, and fills on each side */
  orders: number;
  fills: { session: number; backtest: number; matched: number };
  /** largest absolute differences over the matched fills */
  maxDiff: { qty: number; price: number; fee: number };
  pnl: { session: number; backtest: number; diff: number };
  /** the first fill that differs, with its likely cause; undefined when none */
  firstDivergence?: { index: number; session?: DriftFill; backtest?: DriftFill; cause: string };
  /** true when every decision, fill time, price, fee and the P&L agree (to float rounding) */
  zero: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
// the backtest computes in float64 (a ticked price may read 116523.15000000001): beyond this it differs
const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Replays the session's period through the backtest engine with the same strategy, parameters,
 * costs and market rules, and compares every fill (time, side, quantity, price, fee) and the P&L,
 * naming the first divergence and its likely cause
 */
export function tradeDrift(deps: TradingDeps, raw: TradeDriftInput): DriftReport {
  const { id } = parseInput(TradeDriftInput, raw);
  const s = getSession(deps.orders, id);
  const cfg = configOf(s);
  if (s.lastBarTs === undefined) throw new AppError("NOT_FOUND", `session ${id} has not acted on a bar yet`);
  const rules = cfg.rules[0]!;
  const to = s.lastBarTs + timeframeMs(cfg.timeframe);
  const bt = runBacktest(
    { store: deps.store },
    {
      strategy: cfg.strategy,
      params: cfg.params,
      // an execution algorithm (twap, iceberg: src/bots) is not a family: the backtest takes its strategy object
      ...(isBotKind(cfg.strategy) && getFamily(cfg.strategy) === undefined
        ? {
            userModule: {
              createStrategy: (p: Record<string, unknown>) => strategyOf(cfg.strategy, p).strategy,
            },
          }
        : {}),
      exchange: cfg.exchange,
      symbols: cfg.symbols,
      timeframe: cfg.timeframe,
      from: iso(cfg.startTs),
      to: iso(to),
      fee: cfg.fee,
      slippage: cfg.slippage,
      initialCash: cfg.capital,
      lotSize: Number(rules.stepSize),
      priceTick: Number(rules.tickSize),
      minNotional: Number(rules.minNotional),
      ...(cfg.sizeFraction === undefined ? {} : { sizeFraction: cfg.sizeFraction }),
    },
  ).result;
  const orders = deps.orders.ordersOf(id);
  const tf = timeframeMs(cfg.timeframe);
  // one fill per order as the backtest has it: an exchange may split an order's fill into parts
  // (summed, price volume-weighted), and stamps it with the moment it matched, which lies inside
  // the bar the backtest fills at (the simulated exchange: that bar's end), so it counts for the
  // bar it fell in. Paper fills carry their bar's open time already.
  const barOf = (ts: number): number => fillBarOnGrid(ts, s.mode === "live", tf);
  const perOrder = new Map<
    string,
    { ts: number; side: string; qty: number; notional: number; fee: number }
  >();
  for (const f of deps.orders.fillsOf(id)) {
    const k = `${f.clientOrderId}`;
    const a = perOrder.get(k) ?? { ts: barOf(f.ts), side: f.side, qty: 0, notional: 0, fee: 0 };
    a.qty += Number(f.qty);
    a.notional += Number(f.qty) * Number(f.price);
    a.fee += Number(f.fee);
    perOrder.set(k, a);
  }
  const mine: DriftFill[] = [...perOrder.values()]
    .sort((x, y) => x.ts - y.ts)
    .map((a) => ({ ts: iso(a.ts), side: a.side, qty: a.qty, price: a.notional / a.qty, fee: a.fee }));
  const theirs: DriftFill[] = bt.fills.map((f) => ({
    ts: iso(f.ts),
    side: f.side,
    qty: f.qty,
    price: f.price,
    fee: f.fee,
  }));
  const maxDiff = { qty: 0, price: 0, fee: 0 };
  let matched = 0;
  let first: DriftReport["firstDivergence"];
  for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
    const a = mine[i];
    const b = theirs[i];
    if (a !== undefined && b !== undefined && a.ts === b.ts && a.side === b.side) {
      maxDiff.qty = Math.max(maxDiff.qty, Math.abs(a.qty - b.qty));
      maxDiff.price = Math.max(maxDiff.price, Math.abs(a.price - b.price));
      maxDiff.fee = Math.max(maxDiff.fee, Math.abs(a.fee - b.fee));
      if (close(a.qty, b.qty) && close(a.price, b.price) && close(a.fee, b.fee)) {
        matched++;
        continue;
      }
    }
    first = {
      index: i,
      ...(a === undefined ? {} : { session: a }),
      ...(b === undefined ? {} : { backtest: b }),
      cause: causeOf(a, b, orders),
    };
    break;
  }
  const last = cfg.symbols.map((sym) => {
    const r = deps.store.read({ exchange: cfg.exchange, symbol: sym, timeframe: cfg.timeframe }, { to });
    return r.close[r.close.length - 1] ?? Number.NaN;
  });
  let equity = cfg.capital;
  for (const f of mine) equity += (f.side === "buy" ? -1 : 1) * f.qty * f.price - f.fee;
  const held = new Map<string, number>();
  for (const f of deps.orders.fillsOf(id))
    held.set(f.symbol, (held.get(f.symbol) ?? 0) + (f.side === "buy" ? 1 : -1) * Number(f.qty));
  cfg.symbols.forEach((sym, i) => {
    equity += (held.get(sym) ?? 0) * last[i]!;
  });
  const btEnd = bt.equity[bt.equity.length - 1] ?? cfg.capital;
  const pnl = { session: equity - cfg.capital, backtest: btEnd - cfg.capital, diff: equity - btEnd };
  return {
    session: id,
    from: iso(cfg.startTs),
    to: iso(to),
    orders: orders.length,
    fills: { session: mine.length, backtest: theirs.length, matched },
    maxDiff,
    pnl,
    ...(first === undefined ? {} : { firstDivergence: first }),
    zero: first === undefined && Math.abs(pnl.diff) <= 1e-6 * Math.max(1, cfg.capital),
  };
}

function causeOf(
  a: DriftFill | undefined,
  b: DriftFill | undefined,
  orders: ReturnType<TradingDeps["orders"]["ordersOf"]>,
): string {
  const rejected = orders.find((o) => o.state === "rejected");
  const expired = orders.find((o) => o.state === "expired");
  if (a === undefined)
    return rejected !== undefined
      ? `a reject: ${rejected.reason ?? "the venue refused an order"}`
      : "the session has no fill here (an order not sent, or still open)";
  if (b === undefined)
    return "the backtest has no fill here (the session traded on a bar the backtest skipped)";
  if (a.ts !== b.ts) return `a late candle: the session filled at ${a.ts}, the backtest at ${b.ts}`;
  if (a.side !== b.side) return "a different decision: the two sides traded in opposite directions";
  if (!close(a.qty, b.qty))
    return expired !== undefined || a.qty < b.qty
      ? `a partial fill: ${a.qty} filled against ${b.qty} in the backtest`
      : `a different size: ${a.qty} against ${b.qty}`;
  if (!close(a.price, b.price)) return `slippage beyond the model: price ${a.price} against ${b.price}`;
  return `a different fee: ${a.fee} against ${b.fee}`;
}
