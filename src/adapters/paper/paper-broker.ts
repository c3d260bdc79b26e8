import type Database from "better-sqlite3";
import type { Bar } from "../../domain/candle-series.ts";
import { defineInstrument, type Instrument } from "../../domain/instrument.ts";
import { AppError } from "../../errors.ts";
import {
  type Amount,
  amount,
  floorToStep,
  formatAmount,
  minAmount,
  mul,
  toNumber,
  ZERO,
} from "../../execution/amount.ts";
import { createExchangeVenue } from "../../execution/venue/exchange-venue.ts";
import type {
  CancelOutcome,
  KeyPermissions,
  MarketRules,
  OrderSubmission,
  SubmitOutcome,
  VenueBalance,
  VenueFill,
  VenueOrder,
  VenuePosition,
} from "../../ports/broker.ts";
import type { Clock } from "../../ports/clock.ts";
import type { PaperVenue, PaperVenueOptions } from "../../ports/paper-venue.ts";
import { type Db, preparedOnce } from "../sqlite/database.ts";

type PaperBar = Bar;

export interface PaperBrokerOptions extends PaperVenueOptions {
  clock: Clock;
}

interface OrderRow {
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

const toVenueOrder = (r: OrderRow): VenueOrder => {
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
 * The paper venue: an in-process exchange that matches orders on closed candles through the one
 * simulated venue (src/execution/venue, the backtest's fill rules: a market order fills at the next
 * bar's open with slippage, clamped into the bar and ticked; a limit fills at the open when
 * marketable, else at its price as maker when the bar reaches it); its own books apply the spot
 * caps (buys by cash, sells by the holding) and charge fees on notional in quote, exactly. Its books live in SQLite, so a paper session survives a restart (and a kill -9)
 * exactly as a real exchange would: orders accepted before the crash are still there.
 */
export class PaperBroker implements PaperVenue {
  // prepared once per SQL text
  private readonly stmt: (sql: string) => Database.Statement;
  // every action reads the books then writes them, so each is one BEGIN IMMEDIATE transaction: it takes
  // the write lock before reading, and another process on the same kairos.db waits (busy_timeout)
  // instead of failing with SQLITE_BUSY when a deferred read lock cannot be upgraded

  readonly venue = "paper";
  private readonly rules: Map<string, MarketRules>;
  private readonly taker: Amount;
  private readonly maker: Amount;

  constructor(
    private readonly db: Db,
    private readonly opts: PaperBrokerOptions,
  ) {
    this.stmt = preparedOnce(db);
    this.rules = new Map(opts.rules.map((r) => [r.symbol, r]));
    this.taker = amount(opts.takerFee);
    this.maker = amount(opts.makerFee ?? opts.takerFee);
  }

  private get account(): string {
    return this.opts.account;
  }

  /** Opens the account with these balances unless it already has some (a restart keeps its books) */
  fund(balances: Record<string, string>): void {
    this.db
      .transaction(() => {
        const has = this.stmt("SELECT 1 FROM paper_balances WHERE account = ? LIMIT 1").get(this.account);
        if (has !== undefined) return;
        for (const [asset, v] of Object.entries(balances)) this.setBalance(asset, amount(v));
      })
      .immediate();
  }

  /** A deposit (or, negative, a withdrawal) made outside kairos */
  deposit(asset: string, value: string): void {
    this.db.transaction(() => this.setBalance(asset, this.balance(asset) + amount(value))).immediate();
  }

  /** balances read and written inside one onBars transaction, written back once at its end */
  private held: Map<string, { v: Amount; dirty: boolean }> | undefined;

  private balance(asset: string): Amount {
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

  private setBalance(asset: string, v: Amount): void {
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

  private lastBar(symbol: string): PaperBar | undefined {
    return this.stmt(
      "SELECT ts, open, high, low, close, volume FROM paper_bars WHERE account = ? AND symbol = ?",
    ).get(this.account, symbol) as PaperBar | undefined;
  }

  /** The last bar matched per market (where a resumed session continues from) */
  lastBarTs(symbol: string): number | undefined {
    return this.lastBar(symbol)?.ts;
  }

  private row(clientOrderId: string): OrderRow | undefined {
    return this.stmt("SELECT * FROM paper_orders WHERE account = ? AND client_order_id = ?").get(
      this.account,
      clientOrderId,
    ) as OrderRow | undefined;
  }

  async submit(o: OrderSubmission): Promise<SubmitOutcome> {
    return this.db.transaction(() => this.accept(o)).immediate();
  }

  /** the checks (funds, filters, duplicates) and the insert, in submit's one write transaction */
  private accept(o: OrderSubmission): SubmitOutcome {
    const rules = this.rules.get(o.symbol);
    if (rules === undefined)
      return { kind: "rejected", code: "unknown-symbol", message: `unknown market ${o.symbol}` };
    if (this.row(o.clientOrderId) !== undefined)
      return { kind: "rejected", code: "duplicate-client-order-id", message: "duplicate client order id" };
    const qty = amount(o.quantity);
    const step = amount(rules.stepSize);
    if (qty < amount(rules.minQuantity) || qty <= ZERO || floorToStep(qty, step) !== qty)
      return {
        kind: "rejected",
        code: "filter-failure",
        message: `LOT_SIZE: quantity ${o.quantity} must be a multiple of ${rules.stepSize} of at least ${rules.minQuantity}`,
      };
    const last = this.lastBar(o.symbol);
    let price: Amount | undefined;
    if (o.type === "limit") {
      if (o.price === undefined)
        return { kind: "rejected", code: "other", message: "a limit order needs a price" };
      price = amount(o.price);
      if (price <= ZERO || floorToStep(price, amount(rules.tickSize)) !== price)
        return {
          kind: "rejected",
          code: "filter-failure",
          message: `PRICE_FILTER: price ${o.price} off the tick ${rules.tickSize}`,
        };
    }
    const ref = price ?? (last === undefined ? undefined : amount(last.close));
    if (ref !== undefined && mul(qty, ref) < amount(rules.minNotional))
      return {
        kind: "rejected",
        code: "filter-failure",
        message: `NOTIONAL: ${formatAmount(mul(qty, ref))} ${rules.quote} is below the minimum ${rules.minNotional}`,
      };
    if (o.side === "sell" && this.balance(rules.base) - this.lockedBase(rules.base) < qty)
      return { kind: "rejected", code: "insufficient-funds", message: `insufficient ${rules.base} balance` };
    if (
      o.type === "limit" &&
      o.side === "buy" &&
      this.balance(rules.quote) - this.lockedQuote(rules.quote) < mul(qty, price!)
    )
      return { kind: "rejected", code: "insufficient-funds", message: `insufficient ${rules.quote} balance` };
    const now = this.opts.clock.now();
    const ins = this.stmt(
      `INSERT INTO paper_orders (account, client_order_id, symbol, side, type, qty, price, status, filled, notional, created_at, updated_at, active_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', '0', '0', ?, ?, ?)`,
    ).run(
      this.account,
      o.clientOrderId,
      o.symbol,
      o.side,
      o.type,
      formatAmount(qty),
      price === undefined ? null : formatAmount(price),
      now,
      now,
      last === undefined ? Number.MIN_SAFE_INTEGER : last.ts + 1,
    );
    return {
      kind: "accepted",
      order: toVenueOrder({
        venue_order_id: Number(ins.lastInsertRowid),
        account: this.account,
        client_order_id: o.clientOrderId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        qty: formatAmount(qty),
        price: price === undefined ? null : formatAmount(price),
        status: "open",
        filled: "0",
        notional: "0",
        created_at: now,
        updated_at: now,
        active_from: last === undefined ? Number.MIN_SAFE_INTEGER : last.ts + 1,
      }),
    };
  }

  private openRows(symbol?: string): OrderRow[] {
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

  private lockedBase(base: string): Amount {
    return this.openSide("sell", base, false).reduce((s, r) => s + amount(r.qty) - amount(r.filled), ZERO);
  }

  private lockedQuote(quote: string): Amount {
    return this.openSide("buy", quote, true).reduce(
      (s, r) => s + mul(amount(r.qty) - amount(r.filled), amount(r.price!)),
      ZERO,
    );
  }

  /**
   * Matches the open orders against closed bars of one instant (one bar per market), once: a bar
   * at or before the last matched one is ignored. The one simulated venue (createExchangeVenue,
   * the backtest's fill rules) decides which order fills, when and at what price; these books
   * apply the spot funds caps to the real balances, sells before buys so freed cash funds them.
   */
  onBars(bars: readonly { symbol: string; bar: PaperBar }[]): VenueFill[] {
    return this.db
      .transaction(() => {
        // one read of the last bars and of the open orders for the whole instant, not one per market
        const lastTs = new Map(
          (
            this.stmt("SELECT symbol, ts FROM paper_bars WHERE account = ?").all(this.account) as {
              symbol: string;
              ts: number;
            }[]
          ).map((r) => [r.symbol, r.ts]),
        );
        const fresh = bars.filter(({ symbol, bar }) => {
          const last = lastTs.get(symbol);
          return last === undefined || bar.ts > last;
        });
        const fills: VenueFill[] = [];
        const work: { row: OrderRow; bar: PaperBar }[] = [];
        const open = new Map<string, OrderRow[]>();
        for (const row of this.openRows()) {
          const list = open.get(row.symbol);
          if (list === undefined) open.set(row.symbol, [row]);
          else list.push(row);
        }
        for (const { symbol, bar } of fresh)
          for (const row of open.get(symbol) ?? []) if (row.active_from <= bar.ts) work.push({ row, bar });
        this.held = new Map();
        this.tradeIds = new Map();
        try {
          if (work.length > 0) {
            const decided = this.venueDecides(work);
            work.sort((a, b) => (a.row.side === b.row.side ? 0 : a.row.side === "sell" ? -1 : 1));
            this.locks = undefined;
            for (const { row, bar } of work) {
              const d = decided.get(row.client_order_id);
              const f =
                d?.fill === undefined ? undefined : this.apply(row, bar, d.fill.price, d.fill.liquidity);
              if (f !== undefined) fills.push(f);
              // a market order never rests: what its bar did not fill ends (Binance: an expired IOC rest)
              else if (row.type === "market" || d?.final === true) this.expire(row);
            }
          }
          for (const [asset, h] of this.held) if (h.dirty) this.writeBalance(asset, h.v);
        } finally {
          this.held = undefined;
          this.tradeIds = undefined;
        }
        for (const { symbol, bar } of fresh)
          this.stmt(
            `INSERT INTO paper_bars (account, symbol, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (account, symbol) DO UPDATE SET ts = excluded.ts, open = excluded.open, high = excluded.high,
               low = excluded.low, close = excluded.close, volume = excluded.volume`,
          ).run(this.account, symbol, bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume);
        return fills;
      })
      .immediate();
  }

  /**
   * The venue's verdict on the working orders for this instant: a venue built from the books (every
   * open order with what is left of it, active from this bar) runs the bars once. It holds no state
   * between instants, so the books in SQLite stay the only truth across restarts
   */
  private venueDecides(
    work: readonly { row: OrderRow; bar: PaperBar }[],
  ): Map<string, { fill?: { price: number; liquidity: "maker" | "taker" }; final: boolean }> {
    const symbols = [...new Set(work.map((w) => w.row.symbol))];
    const venue = createExchangeVenue({
      instruments: Object.fromEntries(symbols.map((sym) => [sym, this.instrument(sym)])),
      fees: { maker: toNumber(this.maker), taker: toNumber(this.taker) },
      slippage: { kind: "fixed", rate: this.opts.slippage ?? 0 },
      // funding is off (rate 0): the bar length only places funding instants
      barMs: 60_000,
    });
    for (const { row } of work)
      venue.submit({
        clientOrderId: row.client_order_id,
        symbol: row.symbol,
        side: row.side,
        type: row.type,
        qty: toNumber(amount(row.qty) - amount(row.filled)),
        timeInForce: "gtc",
        ...(row.price === null ? {} : { limitPrice: Number(row.price) }),
      });
    const barOf: Record<string, PaperBar> = {};
    for (const { row, bar } of work) barOf[row.symbol] = bar;
    const out = new Map<string, { fill?: { price: number; liquidity: "maker" | "taker" }; final: boolean }>();
    for (const e of venue.onBar(1, barOf)) {
      if (e.type === "fill" && e.clientOrderId !== undefined) {
        const d = out.get(e.clientOrderId) ?? { final: false };
        d.fill ??= { price: e.fill.price, liquidity: e.fill.liquidity };
        out.set(e.clientOrderId, d);
      } else if (e.type === "order" && e.status !== "acknowledged" && e.status !== "partially_filled") {
        const d = out.get(e.clientOrderId) ?? { final: false };
        d.final = true;
        out.set(e.clientOrderId, d);
      }
    }
    return out;
  }

  /** the last trade id per market inside one onBars transaction */
  private tradeIds: Map<string, number> | undefined;
  private readonly instruments = new Map<string, Instrument>();
  private instrument(symbol: string): Instrument {
    let i = this.instruments.get(symbol);
    if (i === undefined) {
      const r = this.rules.get(symbol)!;
      i = defineInstrument({
        symbol,
        tickSize: toNumber(amount(r.tickSize)),
        lotSize: toNumber(amount(r.stepSize)),
        minQty: toNumber(amount(r.minQuantity)),
        minNotional: toNumber(amount(r.minNotional)),
      });
      this.instruments.set(symbol, i);
    }
    return i;
  }

  // quote held by resting limit buys, read once per matched instant (not once per market order)
  private locks: Map<string, Amount> | undefined;
  private barLock(quote: string): Amount {
    this.locks ??= new Map();
    let v = this.locks.get(quote);
    if (v === undefined) {
      v = this.lockedQuote(quote);
      this.locks.set(quote, v);
    }
    return v;
  }

  private expire(row: OrderRow): void {
    this.stmt("UPDATE paper_orders SET status = 'expired', updated_at = ? WHERE venue_order_id = ?").run(
      this.opts.clock.now(),
      row.venue_order_id,
    );
  }

  /** Books the venue's fill of `row` at `venuePrice`, capped by what the account holds */
  private apply(
    row: OrderRow,
    bar: PaperBar,
    venuePrice: number,
    liquidity: "maker" | "taker",
  ): VenueFill | undefined {
    const rules = this.rules.get(row.symbol)!;
    const buy = row.side === "buy";
    // the float price is on the tick up to float noise: snap it to the nearest tick exactly
    const tick = amount(rules.tickSize);
    const price = ((amount(venuePrice) + tick / 2n) / tick) * tick;
    const rate = liquidity === "maker" ? this.maker : this.taker;
    const remaining = amount(row.qty) - amount(row.filled);
    const step = amount(rules.stepSize);
    let qty = remaining;
    if (buy) {
      // spot: a buy never spends more quote than the account holds (the backtest's cash cap)
      const cash = this.balance(rules.quote) - (row.type === "market" ? this.barLock(rules.quote) : ZERO);
      const perUnit = mul(price, 10n ** 18n + rate);
      const affordable = cash <= ZERO ? ZERO : (cash * 10n ** 18n) / perUnit;
      qty = minAmount(qty, floorToStep(affordable, step));
    } else qty = minAmount(qty, floorToStep(this.balance(rules.base), step));
    const now = this.opts.clock.now();
    if (qty <= ZERO || mul(qty, price) < amount(rules.minNotional)) {
      // nothing the account can pay for: the venue expires the order (an IOC remainder on Binance)
      this.expire(row);
      return undefined;
    }
    const notional = mul(qty, price);
    const fee = mul(notional, rate);
    this.setBalance(rules.base, this.balance(rules.base) + (buy ? qty : -qty));
    this.setBalance(rules.quote, this.balance(rules.quote) + (buy ? -notional : notional) - fee);
    const filled = amount(row.filled) + qty;
    // a market order the cash could not cover in full ends there, as in the backtest
    const status = filled === amount(row.qty) ? "filled" : row.type === "market" ? "expired" : "open";
    this.stmt(
      "UPDATE paper_orders SET status = ?, filled = ?, notional = ?, updated_at = ? WHERE venue_order_id = ?",
    ).run(
      status,
      formatAmount(filled),
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
      formatAmount(price),
      formatAmount(fee),
      rules.quote,
      liquidity,
      bar.ts,
      tradeId,
    );
    return {
      venue: this.venue,
      tradeId: String(tradeId),
      venueOrderId: String(row.venue_order_id),
      clientOrderId: row.client_order_id,
      symbol: row.symbol,
      side: row.side,
      quantity: formatAmount(qty),
      price: formatAmount(price),
      fee: formatAmount(fee),
      feeCurrency: rules.quote,
      liquidity,
      ts: bar.ts,
    };
  }

  async cancel(symbol: string, clientOrderId: string): Promise<CancelOutcome> {
    return this.db
      .transaction((): CancelOutcome => {
        const r = this.row(clientOrderId);
        if (r === undefined || r.symbol !== symbol || r.status !== "open")
          return { kind: "not-open", message: `no open order ${clientOrderId} on ${symbol}` };
        this.stmt(
          "UPDATE paper_orders SET status = 'cancelled', updated_at = ? WHERE venue_order_id = ?",
        ).run(this.opts.clock.now(), r.venue_order_id);
        return { kind: "cancelled", order: toVenueOrder(this.row(clientOrderId)!) };
      })
      .immediate();
  }

  async lookup(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    const r = this.row(clientOrderId);
    return r === undefined || r.symbol !== symbol ? undefined : toVenueOrder(r);
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    return this.openRows(symbol).map(toVenueOrder);
  }

  async fillsSince(symbol: string, sinceMs: number): Promise<VenueFill[]> {
    const rows = this.stmt(
      "SELECT * FROM paper_fills WHERE account = ? AND symbol = ? AND ts >= ? ORDER BY ts, trade_id",
    ).all(this.account, symbol, sinceMs) as FillRow[];
    return rows.map((r) => ({
      venue: this.venue,
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

  async balances(): Promise<VenueBalance[]> {
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

  async positions(symbols: readonly string[]): Promise<VenuePosition[]> {
    return symbols.map((symbol) => {
      const rules = this.rules.get(symbol);
      if (rules === undefined) throw new AppError("NOT_FOUND", `unknown market ${symbol} on the paper venue`);
      return { symbol, quantity: formatAmount(this.balance(rules.base)) };
    });
  }

  async serverTime(): Promise<number> {
    return this.opts.clock.now();
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    const r = this.rules.get(symbol);
    if (r === undefined) throw new AppError("NOT_FOUND", `unknown market ${symbol} on the paper venue`);
    return r;
  }

  async permissions(): Promise<KeyPermissions> {
    return { canTrade: true, canWithdraw: false };
  }

  async close(): Promise<void> {}
}
