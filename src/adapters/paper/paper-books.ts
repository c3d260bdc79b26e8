import type Database from "better-sqlite3";
import type { Bar } from "../../domain/candle-series.ts";
import { type Amount, amount, formatAmount, mul, ZERO } from "../../execution/amount.ts";
import type { MarketRules, VenueBalance, VenueFill, VenueOrder } from "../../ports/broker.ts";
import type { Clock } from "../../ports/clock.ts";
import { type Db, preparedOnce } from "../sqlite/database.ts";

export interface OrderRow {
  venue_order_id: number;
  account: string;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: string;
  price: string | null;
  status: VenueOrder["status"];
  filled: string;
  notional: string;
  created_at: number;
  updated_at: number;
  active_from: number;
}

interface FillRow {
  trade_id: number;
  /** the trade's number within its market (Binance numbers trades per symbol) */
  symbol_trade_id: number;
  venue_order_id: number;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  price: string;
  fee: string;
  fee_asset: string;
  liquidity: "maker" | "taker";
  ts: number;
}

/** One fill as the books record it: what the matching decided and the account could pay for */
export interface BookedFill {
  row: OrderRow;
  qty: Amount;
  price: Amount;
  notional: Amount;
  fee: Amount;
  feeAsset: string;
  liquidity: "maker" | "taker";
  /** the order's status after this fill */
  status: VenueOrder["status"];
  /** the bar's open time (a paper fill's time) */
  ts: number;
  /** when the books change (the order's updated_at) */
  now: number;
}

export const toVenueOrder = (r: OrderRow): VenueOrder => {
  const filled = amount(r.filled);
  return {
    clientOrderId: r.client_order_id,
    venueOrderId: String(r.venue_order_id),
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    status: r.status,
    quantity: r.qty,
    ...(r.price === null ? {} : { price: r.price }),
    filledQuantity: r.filled,
    ...(filled > ZERO ? { averagePrice: formatAmount((amount(r.notional) * 10n ** 18n) / filled) } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

/**
 * The paper account's books in SQLite: balances, orders, fills and the last bar matched per market.
 * Reads and writes only; the broker wraps each action in one BEGIN IMMEDIATE transaction. Inside one
 * matched instant (`openInstant` .. `closeInstant`) balances, trade ids and locked quote are held in
 * memory and the balances written back once.
 */
export class PaperBooks {
  // prepared once per SQL text
  private readonly stmt: (sql: string) => Database.Statement;

  constructor(
    db: Db,
    private readonly account: string,
    private readonly rules: ReadonlyMap<string, MarketRules>,
    private readonly clock: Clock,
  ) {
    this.stmt = preparedOnce(db);
  }

  hasBalances(): boolean {
    return (
      this.stmt("SELECT 1 FROM paper_balances WHERE account = ? LIMIT 1").get(this.account) !== undefined
    );
  }

  /** balances read and written inside one onBars transaction, written back once at its end */
  private held: Map<string, { v: Amount; dirty: boolean }> | undefined;

  balance(asset: string): Amount {
    const h = this.held?.get(asset);
    if (h !== undefined) return h.v;
    const r = this.stmt("SELECT total FROM paper_balances WHERE account = ? AND asset = ?").get(
      this.account,
      asset,
    ) as { total: string } | undefined;
    const v = r === undefined ? ZERO : amount(r.total);
    this.held?.set(asset, { v, dirty: false });
    return v;
  }

  setBalance(asset: string, v: Amount): void {
    if (this.held !== undefined) {
      this.held.set(asset, { v, dirty: true });
      return;
    }
    this.writeBalance(asset, v);
  }

  private writeBalance(asset: string, v: Amount): void {
    this.stmt(
      "INSERT INTO paper_balances (account, asset, total) VALUES (?, ?, ?) ON CONFLICT (account, asset) DO UPDATE SET total = excluded.total",
    ).run(this.account, asset, formatAmount(v));
  }

  /** the last trade id per market inside one onBars transaction */
  private tradeIds: Map<string, number> | undefined;

  /** Starts holding balances and trade ids in memory for one matched instant */
  openInstant(): void {
    this.held = new Map();
    this.tradeIds = new Map();
  }

  /** Writes the balances the instant changed */
  flushInstant(): void {
    for (const [asset, h] of this.held ?? []) if (h.dirty) this.writeBalance(asset, h.v);
  }

  closeInstant(): void {
    this.held = undefined;
    this.tradeIds = undefined;
  }

  lastBar(symbol: string): Bar | undefined {
    return this.stmt(
      "SELECT ts, open, high, low, close, volume FROM paper_bars WHERE account = ? AND symbol = ?",
    ).get(this.account, symbol) as Bar | undefined;
  }

  /** the last matched bar's time of every market, in one read */
  lastBarTimes(): Map<string, number> {
    return new Map(
      (
        this.stmt("SELECT symbol, ts FROM paper_bars WHERE account = ?").all(this.account) as {
          symbol: string;
          ts: number;
        }[]
      ).map((r) => [r.symbol, r.ts]),
    );
  }

  storeBar(symbol: string, bar: Bar): void {
    this.stmt(
      `INSERT INTO paper_bars (account, symbol, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (account, symbol) DO UPDATE SET ts = excluded.ts, open = excluded.open, high = excluded.high,
               low = excluded.low, close = excluded.close, volume = excluded.volume`,
    ).run(this.account, symbol, bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume);
  }

  row(clientOrderId: string): OrderRow | undefined {
    return this.stmt("SELECT * FROM paper_orders WHERE account = ? AND client_order_id = ?").get(
      this.account,
      clientOrderId,
    ) as OrderRow | undefined;
  }

  /** Stores an accepted order, open and unfilled, and returns its row */
  insertOrder(o: {
    clientOrderId: string;
    symbol: string;
    side: "buy" | "sell";
    type: "market" | "limit";
    qty: Amount;
    price: Amount | undefined;
    activeFrom: number;
  }): OrderRow {
    const now = this.clock.now();
    const ins = this.stmt(
      `INSERT INTO paper_orders (account, client_order_id, symbol, side, type, qty, price, status, filled, notional, created_at, updated_at, active_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', '0', '0', ?, ?, ?)`,
    ).run(
      this.account,
      o.clientOrderId,
      o.symbol,
      o.side,
      o.type,
      formatAmount(o.qty),
      o.price === undefined ? null : formatAmount(o.price),
      now,
      now,
      o.activeFrom,
    );
    return {
      venue_order_id: Number(ins.lastInsertRowid),
      account: this.account,
      client_order_id: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty: formatAmount(o.qty),
      price: o.price === undefined ? null : formatAmount(o.price),
      status: "open",
      filled: "0",
      notional: "0",
      created_at: now,
      updated_at: now,
      active_from: o.activeFrom,
    };
  }

  openRows(symbol?: string): OrderRow[] {
    return this.stmt(
      `SELECT * FROM paper_orders WHERE account = ? AND status = 'open' ${symbol === undefined ? "" : "AND symbol = ?"} ORDER BY venue_order_id`,
    ).all(...(symbol === undefined ? [this.account] : [this.account, symbol])) as OrderRow[];
  }

  /** open orders of one side on the markets whose base (sells) or quote (buys) is `asset` */
  private openSide(side: "buy" | "sell", asset: string, limitsOnly: boolean): OrderRow[] {
    const syms = [...this.rules.values()]
      .filter((r) => (side === "sell" ? r.base : r.quote) === asset)
      .map((r) => r.symbol);
    if (syms.length === 0) return [];
    return this.stmt(
      `SELECT symbol, qty, filled, price FROM paper_orders WHERE account = ? AND status = 'open' AND side = ?${limitsOnly ? " AND type = 'limit'" : ""} AND symbol IN (${syms.map(() => "?").join(", ")})`,
    ).all(this.account, side, ...syms) as OrderRow[];
  }

  lockedBase(base: string): Amount {
    return this.openSide("sell", base, false).reduce((s, r) => s + amount(r.qty) - amount(r.filled), ZERO);
  }

  lockedQuote(quote: string): Amount {
    return this.openSide("buy", quote, true).reduce(
      (s, r) => s + mul(amount(r.qty) - amount(r.filled), amount(r.price!)),
      ZERO,
    );
  }

  expire(row: OrderRow): void {
    this.stmt("UPDATE paper_orders SET status = 'expired', updated_at = ? WHERE venue_order_id = ?").run(
      this.clock.now(),
      row.venue_order_id,
    );
  }

  cancel(row: OrderRow): void {
    this.stmt("UPDATE paper_orders SET status = 'cancelled', updated_at = ? WHERE venue_order_id = ?").run(
      this.clock.now(),
      row.venue_order_id,
    );
  }

  /** Books a fill: the balances, the order's fill and status, and the fill with its trade id (returned) */
  bookFill(f: BookedFill, base: string, quote: string): number {
    const { row, qty, notional, fee, now } = f;
    const buy = row.side === "buy";
    this.setBalance(base, this.balance(base) + (buy ? qty : -qty));
    this.setBalance(quote, this.balance(quote) + (buy ? -notional : notional) - fee);
    this.stmt(
      "UPDATE paper_orders SET status = ?, filled = ?, notional = ?, updated_at = ? WHERE venue_order_id = ?",
    ).run(
      f.status,
      formatAmount(amount(row.filled) + qty),
      formatAmount(amount(row.notional) + notional),
      now,
      row.venue_order_id,
    );
    // trades are numbered per market, as Binance does (BTC/USDT and ETH/USDT both have a trade 1),
    // across every account of the venue: two paper sessions in one home share the venue "paper", and
    // kairos keys a fill by (venue, symbol, trade id), so per-account numbers would collide
    const tradeId =
      (this.tradeIds?.get(row.symbol) ??
        (
          this.stmt("SELECT MAX(symbol_trade_id) AS n FROM paper_fills WHERE symbol = ?").get(row.symbol) as {
            n: number | null;
          }
        ).n ??
        0) + 1;
    this.tradeIds?.set(row.symbol, tradeId);
    this.stmt(
      `INSERT INTO paper_fills (account, venue_order_id, client_order_id, symbol, side, qty, price, fee, fee_asset, liquidity, ts, symbol_trade_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      this.account,
      row.venue_order_id,
      row.client_order_id,
      row.symbol,
      row.side,
      formatAmount(qty),
      formatAmount(f.price),
      formatAmount(fee),
      f.feeAsset,
      f.liquidity,
      f.ts,
      tradeId,
    );
    return tradeId;
  }

  fillsSince(venue: string, symbol: string, sinceMs: number): VenueFill[] {
    const rows = this.stmt(
      "SELECT * FROM paper_fills WHERE account = ? AND symbol = ? AND ts >= ? ORDER BY ts, trade_id",
    ).all(this.account, symbol, sinceMs) as FillRow[];
    return rows.map((r) => ({
      venue,
      tradeId: String(r.symbol_trade_id),
      venueOrderId: String(r.venue_order_id),
      clientOrderId: r.client_order_id,
      symbol: r.symbol,
      side: r.side,
      quantity: r.qty,
      price: r.price,
      fee: r.fee,
      feeCurrency: r.fee_asset,
      liquidity: r.liquidity,
      ts: r.ts,
    }));
  }

  balances(): VenueBalance[] {
    const rows = this.stmt("SELECT asset, total FROM paper_balances WHERE account = ? ORDER BY asset").all(
      this.account,
    ) as { asset: string; total: string }[];
    return rows
      .map((r) => {
        const locked = this.lockedBase(r.asset) + this.lockedQuote(r.asset);
        return { asset: r.asset, free: formatAmount(amount(r.total) - locked), locked: formatAmount(locked) };
      })
      .filter((b) => b.free !== "0" || b.locked !== "0");
  }
}
