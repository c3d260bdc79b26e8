/**
 * The portfolio book: one cash balance, positions per symbol, fills and round-trip trades.
 * Invariant: equity = cash + sum(qty * mark). Perpetuals use the same cash accounting (cash may go
 * negative: borrowed notional) plus an isolated margin per position for liquidation.
 */
import type { ExitRules } from "../../domain/decision.ts";
import type { Fill } from "../../domain/fill.ts";
import type { OrderSide } from "../../domain/order.ts";
import type { Position } from "../../domain/position.ts";
import type { Trade } from "../../domain/trade.ts";
import type { VenueAccount } from "./types.ts";

/** The book's working record of an open position (the domain `Position` is its read view) */
export interface OpenPosition {
  qty: number;
  long: boolean;
  avgEntry: number;
  /** isolated margin (perps), |qty| * avgEntry / leverage */
  margin: number;
  liqPrice: number;
  entryTs: number;
  entryBar: number;
  entryReason: string;
  /** highest high / lowest low of finished bars (or detail bars) since entry, for trailing stops */
  peak: number;
  trough: number;
  mae: number;
  mfe: number;
  fees: number;
  funding: number;
  realized: number;
  exitQty: number;
  exitNotional: number;
  maxQty: number;
  exits: ExitRules;
}

export interface FillInput {
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  fee: number;
  ts: number;
  bar: number;
  liquidity: "maker" | "taker";
  orderType: Fill["orderType"];
  reason: string;
  exits?: ExitRules;
}

const EPS = 1e-12;

export class Book implements VenueAccount {
  cash: number;
  readonly bySymbol = new Map<string, OpenPosition>();
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  fees = 0;
  funding = 0;
  tradedNotional = 0;

  constructor(
    initialCash: number,
    private readonly leverage: number,
    private readonly perp: boolean,
    private readonly liqPrice: (side: 1 | -1, entry: number, leverage: number) => number,
  ) {
    this.cash = initialCash;
  }

  qty(symbol: string): number {
    return this.bySymbol.get(symbol)?.qty ?? 0;
  }

  /** cash + sum(qty * mark(symbol)) */
  equity(mark: (symbol: string) => number): number {
    let e = this.cash;
    for (const [s, p] of this.bySymbol) e += p.qty * mark(s);
    return e;
  }

  /** Open positions as the domain reports them */
  positions(): Position[] {
    const out: Position[] = [];
    for (const [symbol, p] of this.bySymbol)
      if (p.qty !== 0)
        out.push({
          symbol,
          side: p.qty > 0 ? "long" : "short",
          qty: p.qty,
          avgEntryPrice: p.avgEntry,
          realizedPnl: p.realized,
          fees: p.fees,
          funding: p.funding,
          margin: p.margin,
          liquidationPrice: p.liqPrice,
          openedTs: p.entryTs,
        });
    return out;
  }

  usedMargin(): number {
    let m = 0;
    for (const p of this.bySymbol.values()) m += p.margin;
    return m;
  }

  /** Applies one fill; closes and records trades when a position returns to zero or flips */
  apply(f: FillInput): void {
    const dq = f.side === "buy" ? f.qty : -f.qty;
    this.cash -= dq * f.price + f.fee;
    this.fees += f.fee;
    this.tradedNotional += f.qty * f.price;
    this.fills.push({
      symbol: f.symbol,
      ts: f.ts,
      bar: f.bar,
      side: f.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      liquidity: f.liquidity,
      orderType: f.orderType,
      reason: f.reason,
    });
    const p = this.bySymbol.get(f.symbol);
    if (p === undefined || p.qty === 0) {
      this.open(f, dq, f.fee);
      return;
    }
    if (Math.sign(dq) === Math.sign(p.qty)) {
      const a = Math.abs(p.qty);
      p.avgEntry = (p.avgEntry * a + f.price * f.qty) / (a + f.qty);
      p.qty += dq;
      p.fees += f.fee;
      p.maxQty = Math.max(p.maxQty, Math.abs(p.qty));
      this.remargin(p);
      return;
    }
    const closeQty = Math.min(f.qty, Math.abs(p.qty));
    const feeClose = (f.fee * closeQty) / f.qty;
    p.realized += closeQty * (f.price - p.avgEntry) * Math.sign(p.qty);
    p.exitQty += closeQty;
    p.exitNotional += closeQty * f.price;
    p.fees += feeClose;
    this.excursion(p, f.price);
    const left = Math.abs(p.qty) - closeQty;
    if (left <= EPS * Math.max(1, Math.abs(p.qty))) {
      p.qty = 0;
      this.close(f.symbol, p, f.ts, f.bar, f.reason);
      const rest = f.qty - closeQty;
      if (rest > EPS * f.qty) this.open({ ...f, qty: rest }, Math.sign(dq) * rest, f.fee - feeClose);
    } else {
      p.qty = Math.sign(p.qty) * left;
      this.remargin(p);
    }
  }

  /** Funding payment on a position (positive = paid by the holder) */
  payFunding(symbol: string, amount: number): void {
    const p = this.bySymbol.get(symbol);
    if (p === undefined || p.qty === 0) return;
    this.cash -= amount;
    this.funding += amount;
    p.funding += amount;
  }

  /** Credits cash without a fill (the exchange absorbing a liquidation loss beyond the margin) */
  credit(amount: number): void {
    this.cash += amount;
  }

  /** Updates MAE/MFE with a price seen while the position was open */
  excursion(p: OpenPosition, price: number): void {
    if (p.qty === 0 || p.avgEntry <= 0) return;
    const r = (price / p.avgEntry - 1) * Math.sign(p.qty);
    if (r < p.mae) p.mae = r;
    if (r > p.mfe) p.mfe = r;
  }

  /** Trades still open at the end, marked at the last close with no exit fee */
  openTrades(ts: number, bar: number, mark: (symbol: string) => number): Trade[] {
    const out: Trade[] = [];
    for (const [s, p] of this.bySymbol) {
      if (p.qty === 0) continue;
      const m = mark(s);
      const q = Math.abs(p.qty);
      const realized = p.realized + q * (m - p.avgEntry) * Math.sign(p.qty);
      out.push(
        this.tradeOf(s, p, ts, bar, "end-of-data", (p.exitNotional + q * m) / (p.exitQty + q), realized),
      );
    }
    return out;
  }

  private open(f: FillInput, dq: number, fee: number): void {
    const price = f.price;
    const p: OpenPosition = {
      qty: dq,
      long: dq > 0,
      avgEntry: price,
      margin: 0,
      liqPrice: Number.NaN,
      entryTs: f.ts,
      entryBar: f.bar,
      entryReason: f.reason,
      peak: price,
      trough: price,
      mae: 0,
      mfe: 0,
      fees: fee,
      funding: 0,
      realized: 0,
      exitQty: 0,
      exitNotional: 0,
      maxQty: Math.abs(dq),
      exits: f.exits ?? {},
    };
    this.remargin(p);
    this.bySymbol.set(f.symbol, p);
  }

  private remargin(p: OpenPosition): void {
    if (!this.perp) return;
    p.margin = (Math.abs(p.qty) * p.avgEntry) / this.leverage;
    p.liqPrice = this.liqPrice(p.qty > 0 ? 1 : -1, p.avgEntry, this.leverage);
  }

  private close(symbol: string, p: OpenPosition, ts: number, bar: number, reason: string): void {
    this.trades.push(this.tradeOf(symbol, p, ts, bar, reason, p.exitNotional / p.exitQty, p.realized));
    this.bySymbol.delete(symbol);
  }

  private tradeOf(
    symbol: string,
    p: OpenPosition,
    ts: number,
    bar: number,
    reason: string,
    exitPrice: number,
    realized: number,
  ): Trade {
    const pnl = realized - p.fees - p.funding;
    return {
      symbol,
      side: p.long ? "long" : "short",
      entryTs: p.entryTs,
      entryPrice: p.avgEntry,
      exitTs: ts,
      exitPrice,
      qty: p.maxQty,
      fees: p.fees,
      funding: p.funding,
      pnl,
      returnPct: pnl / (p.avgEntry * p.maxQty),
      bars: bar - p.entryBar,
      entryReason: p.entryReason,
      exitReason: reason,
      mae: p.mae,
      mfe: p.mfe,
    };
  }
}
