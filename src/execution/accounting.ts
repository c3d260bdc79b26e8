/**
 * Positions and balances as the exact sum of fills. Pure: `applyFill` returns a new account and
 * leaves the old one alone; a fill seen before (same venue, symbol and trade id, from any path) returns
 * the account unchanged, so replaying fills changes nothing.
 *
 * Conventions: average-cost basis; a position's `cost` is its signed basis (qty x average price),
 * so unrealised = qty x mark - cost; realised P&L is gross of fees, fees are kept per asset beside
 * it (a fee charged in the base asset, as Binance does on buys, also lowers the position and so
 * raises its average price).
 */
import type { FillRecord } from "../ports/order-store.ts";
import { type Amount, abs, amount, div, formatAmount, mul, prorate, sign, ZERO } from "./amount.ts";

export interface PositionBook {
  /** signed base quantity (negative when short) */
  qty: Amount;
  /** signed cost basis in quote: qty x average entry price */
  cost: Amount;
  /** realised P&L in quote, gross of fees */
  realised: Amount;
  /** fees paid per asset */
  fees: ReadonlyMap<string, Amount>;
}

export interface Account {
  readonly balances: ReadonlyMap<string, Amount>;
  readonly positions: ReadonlyMap<string, PositionBook>;
  /** `${venue}|${symbol}|${tradeId}` of every fill applied */
  readonly applied: ReadonlySet<string>;
}

/** Splits "BTC/USDT" (or "BTC/USDT:USDT") into base and quote */
export function assetsOf(symbol: string): { base: string; quote: string } {
  const [pair = "", settle] = symbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  return { base, quote: settle ?? quote };
}

// Binance numbers trades per symbol, so two symbols' fills can share a trade id: the symbol is part of the identity
export const fillKey = (f: Pick<FillRecord, "venue" | "symbol" | "tradeId">): string =>
  `${f.venue}|${f.symbol}|${f.tradeId}`;

export function emptyAccount(balances: Record<string, string | Amount> = {}): Account {
  return {
    balances: new Map(Object.entries(balances).map(([k, v]) => [k, typeof v === "bigint" ? v : amount(v)])),
    positions: new Map(),
    applied: new Set(),
  };
}

const EMPTY_POSITION: PositionBook = { qty: ZERO, cost: ZERO, realised: ZERO, fees: new Map() };

/** The account after one fill; the same account when this fill was applied before */
export function applyFill(acc: Account, f: FillRecord): Account {
  if (acc.applied.has(fillKey(f))) return acc;
  const next: MutableAccount = {
    balances: new Map(acc.balances),
    positions: new Map(acc.positions),
    applied: new Set(acc.applied),
  };
  applyFillInPlace(next, f);
  return next;
}

/** An account a long-running session updates in place (no copy per fill); same rules as `applyFill` */
export interface MutableAccount extends Account {
  readonly balances: Map<string, Amount>;
  readonly positions: Map<string, PositionBook>;
  readonly applied: Set<string>;
}

export const mutableAccount = (acc: Account): MutableAccount => ({
  balances: new Map(acc.balances),
  positions: new Map(acc.positions),
  applied: new Set(acc.applied),
});

/** Applies one fill to `acc` in place; false when it was applied before */
export function applyFillInPlace(acc: MutableAccount, f: FillRecord): boolean {
  const key = fillKey(f);
  if (acc.applied.has(key)) return false;
  const { base, quote } = assetsOf(f.symbol);
  const qty = amount(f.qty);
  const price = amount(f.price);
  const fee = amount(f.fee);
  if (qty <= ZERO || price <= ZERO || fee < ZERO)
    throw new RangeError(`fill ${key}: quantity and price must be positive and the fee not negative`);
  const delta = f.side === "buy" ? qty : -qty;
  const notional = mul(qty, price);
  const add = (asset: string, a: Amount): void => {
    acc.balances.set(asset, (acc.balances.get(asset) ?? ZERO) + a);
  };
  add(base, delta);
  add(quote, f.side === "buy" ? -notional : notional);
  if (fee > ZERO) add(f.feeAsset, -fee);

  const pos = trade(acc.positions.get(f.symbol) ?? EMPTY_POSITION, delta, price);
  const fees = new Map(pos.fees);
  if (fee > ZERO) fees.set(f.feeAsset, (fees.get(f.feeAsset) ?? ZERO) + fee);
  // a fee taken from the bought asset leaves less of it at the same cost
  const qtyAfterFee = f.feeAsset === base ? pos.qty - fee : pos.qty;
  acc.positions.set(f.symbol, { ...pos, qty: qtyAfterFee, fees });
  acc.applied.add(key);
  return true;
}

/** Average-cost position after trading `delta` at `price` */
function trade(p: PositionBook, delta: Amount, price: Amount): PositionBook {
  if (p.qty === ZERO || sign(p.qty) === sign(delta)) {
    return { ...p, qty: p.qty + delta, cost: p.cost + mul(delta, price) };
  }
  // reducing (and maybe flipping): close up to the open quantity at the average cost
  const closing = abs(delta) >= abs(p.qty) ? p.qty : -delta;
  const basisOut = closing === p.qty ? p.cost : prorate(p.cost, closing, p.qty);
  const realised = p.realised + mul(closing, price) - basisOut;
  const rest = delta + closing; // what is left of the trade after closing (opens the other way)
  const qty = p.qty - closing + rest;
  const cost = p.cost - basisOut + mul(rest, price);
  return { ...p, qty, cost, realised };
}

/** Applies fills in order; duplicates are skipped */
export function applyFills(acc: Account, fills: readonly FillRecord[]): Account {
  const next = mutableAccount(acc);
  let changed = false;
  for (const f of fills) if (applyFillInPlace(next, f)) changed = true;
  return changed ? next : acc;
}

/** Average entry price, rounded toward zero at 18 decimals; undefined when flat */
export const averagePrice = (p: PositionBook): Amount | undefined =>
  p.qty === ZERO ? undefined : div(p.cost, p.qty);

/** Unrealised P&L at a mark price: qty x mark - cost */
export const unrealised = (p: PositionBook, mark: Amount): Amount => mul(p.qty, mark) - p.cost;

/** A plain, JSON-friendly view with exact decimal strings */
export function accountView(acc: Account, marks: Record<string, number | string> = {}) {
  return {
    balances: Object.fromEntries([...acc.balances].map(([k, v]) => [k, formatAmount(v)])),
    positions: Object.fromEntries(
      [...acc.positions].map(([symbol, p]) => {
        const avg = averagePrice(p);
        const mark = marks[symbol];
        return [
          symbol,
          {
            qty: formatAmount(p.qty),
            averagePrice: avg === undefined ? null : formatAmount(avg),
            realisedPnl: formatAmount(p.realised),
            unrealisedPnl: mark === undefined ? null : formatAmount(unrealised(p, amount(mark))),
            fees: Object.fromEntries([...p.fees].map(([a, v]) => [a, formatAmount(v)])),
          },
        ];
      }),
    ),
    fills: acc.applied.size,
  };
}
