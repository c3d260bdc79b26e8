import type { Bar } from "../../domain/candle-series.ts";
import { AppError } from "../../errors.ts";
import { type Amount, amount, floorToStep, formatAmount, mul, ZERO } from "../../execution/amount.ts";
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
import type { Db } from "../sqlite/database.ts";
import { PaperBooks, toVenueOrder } from "./paper-books.ts";
import { PaperMatcher, type WorkingOrder } from "./paper-matching.ts";

type PaperBar = Bar;

export interface PaperBrokerOptions extends PaperVenueOptions {
  clock: Clock;
}

/**
 * The paper venue: an in-process exchange that matches orders on closed candles through the one
 * simulated venue (src/execution/venue, the backtest's fill rules: a market order fills at the next
 * bar's open with slippage, clamped into the bar and ticked; a limit fills at the open when
 * marketable, else at its price as maker when the bar reaches it); its own books apply the spot
 * caps (buys by cash, sells by the holding) and charge fees on notional in quote, exactly. Its books live in SQLite, so a paper session survives a restart (and a kill -9)
 * exactly as a real exchange would: orders accepted before the crash are still there.
 * The books (paper-books.ts) hold the stored state, the matcher (paper-matching.ts) fills on bars.
 */
export class PaperBroker implements PaperVenue {
  // every action reads the books then writes them, so each is one BEGIN IMMEDIATE transaction: it takes
  // the write lock before reading, and another process on the same kairos.db waits (busy_timeout)
  // instead of failing with SQLITE_BUSY when a deferred read lock cannot be upgraded

  readonly venue = "paper";
  private readonly rules: Map<string, MarketRules>;
  private readonly books: PaperBooks;
  private readonly matcher: PaperMatcher;

  constructor(
    private readonly db: Db,
    private readonly opts: PaperBrokerOptions,
  ) {
    this.rules = new Map(opts.rules.map((r) => [r.symbol, r]));
    const taker = amount(opts.takerFee);
    const maker = amount(opts.makerFee ?? opts.takerFee);
    this.books = new PaperBooks(db, opts.account, this.rules, opts.clock);
    this.matcher = new PaperMatcher(
      this.books,
      this.rules,
      { maker, taker },
      opts.slippage ?? 0,
      opts.clock,
      this.venue,
    );
  }

  /** Opens the account with these balances unless it already has some (a restart keeps its books) */
  fund(balances: Record<string, string>): void {
    this.db
      .transaction(() => {
        if (this.books.hasBalances()) return;
        for (const [asset, v] of Object.entries(balances)) this.books.setBalance(asset, amount(v));
      })
      .immediate();
  }

  /** A deposit (or, negative, a withdrawal) made outside kairos */
  deposit(asset: string, value: string): void {
    this.db
      .transaction(() => this.books.setBalance(asset, this.books.balance(asset) + amount(value)))
      .immediate();
  }

  /** The last bar matched per market (where a resumed session continues from) */
  lastBarTs(symbol: string): number | undefined {
    return this.books.lastBar(symbol)?.ts;
  }

  async submit(o: OrderSubmission): Promise<SubmitOutcome> {
    return this.db.transaction(() => this.accept(o)).immediate();
  }

  /** the checks (funds, filters, duplicates) and the insert, in submit's one write transaction */
  private accept(o: OrderSubmission): SubmitOutcome {
    const rules = this.rules.get(o.symbol);
    if (rules === undefined)
      return { kind: "rejected", code: "unknown-symbol", message: `unknown market ${o.symbol}` };
    if (this.books.row(o.clientOrderId) !== undefined)
      return { kind: "rejected", code: "duplicate-client-order-id", message: "duplicate client order id" };
    const qty = amount(o.quantity);
    const step = amount(rules.stepSize);
    if (qty < amount(rules.minQuantity) || qty <= ZERO || floorToStep(qty, step) !== qty)
      return {
        kind: "rejected",
        code: "filter-failure",
        message: `LOT_SIZE: quantity ${o.quantity} must be a multiple of ${rules.stepSize} of at least ${rules.minQuantity}`,
      };
    const last = this.books.lastBar(o.symbol);
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
    if (o.side === "sell" && this.books.balance(rules.base) - this.books.lockedBase(rules.base) < qty)
      return { kind: "rejected", code: "insufficient-funds", message: `insufficient ${rules.base} balance` };
    if (
      o.type === "limit" &&
      o.side === "buy" &&
      this.books.balance(rules.quote) - this.books.lockedQuote(rules.quote) < mul(qty, price!)
    )
      return { kind: "rejected", code: "insufficient-funds", message: `insufficient ${rules.quote} balance` };
    const row = this.books.insertOrder({
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty,
      price,
      activeFrom: last === undefined ? Number.MIN_SAFE_INTEGER : last.ts + 1,
    });
    return { kind: "accepted", order: toVenueOrder(row) };
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
        const lastTs = this.books.lastBarTimes();
        const fresh = bars.filter(({ symbol, bar }) => {
          const last = lastTs.get(symbol);
          return last === undefined || bar.ts > last;
        });
        let fills: VenueFill[] = [];
        const work: WorkingOrder[] = [];
        const open = new Map<string, WorkingOrder["row"][]>();
        for (const row of this.books.openRows()) {
          const list = open.get(row.symbol);
          if (list === undefined) open.set(row.symbol, [row]);
          else list.push(row);
        }
        for (const { symbol, bar } of fresh)
          for (const row of open.get(symbol) ?? []) if (row.active_from <= bar.ts) work.push({ row, bar });
        this.books.openInstant();
        try {
          if (work.length > 0) fills = this.matcher.match(work);
          this.books.flushInstant();
        } finally {
          this.books.closeInstant();
        }
        for (const { symbol, bar } of fresh) this.books.storeBar(symbol, bar);
        return fills;
      })
      .immediate();
  }

  async cancel(symbol: string, clientOrderId: string): Promise<CancelOutcome> {
    return this.db
      .transaction((): CancelOutcome => {
        const r = this.books.row(clientOrderId);
        if (r === undefined || r.symbol !== symbol || r.status !== "open")
          return { kind: "not-open", message: `no open order ${clientOrderId} on ${symbol}` };
        this.books.cancel(r);
        return { kind: "cancelled", order: toVenueOrder(this.books.row(clientOrderId)!) };
      })
      .immediate();
  }

  async lookup(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    const r = this.books.row(clientOrderId);
    return r === undefined || r.symbol !== symbol ? undefined : toVenueOrder(r);
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    return this.books.openRows(symbol).map(toVenueOrder);
  }

  async fillsSince(symbol: string, sinceMs: number): Promise<VenueFill[]> {
    return this.books.fillsSince(this.venue, symbol, sinceMs);
  }

  async balances(): Promise<VenueBalance[]> {
    return this.books.balances();
  }

  async positions(symbols: readonly string[]): Promise<VenuePosition[]> {
    return symbols.map((symbol) => {
      const rules = this.rules.get(symbol);
      if (rules === undefined) throw new AppError("NOT_FOUND", `unknown market ${symbol} on the paper venue`);
      return { symbol, quantity: formatAmount(this.books.balance(rules.base)) };
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
