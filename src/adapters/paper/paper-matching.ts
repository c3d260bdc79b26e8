import type { Bar } from "../../domain/candle-series.ts";
import type { Instrument } from "../../domain/instrument.ts";
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
import { paperInstrumentOf } from "../../execution/market-rules.ts";
import { createExchangeVenue } from "../../execution/venue/exchange-venue.ts";
import type { MarketRules, VenueFill } from "../../ports/broker.ts";
import type { Clock } from "../../ports/clock.ts";
import type { OrderRow, PaperBooks } from "./paper-books.ts";

/** An open order and the bar of its market it is matched against */
export interface WorkingOrder {
  row: OrderRow;
  bar: Bar;
}

type Decision = { fill?: { price: number; liquidity: "maker" | "taker" }; final: boolean };

/**
 * The paper venue's matching: the one simulated venue (createExchangeVenue, the backtest's fill rules)
 * decides which order fills, when and at what price; the fill is then capped by what the account holds
 * (the spot caps: buys by cash, sells by the holding), charged its fee on notional in quote, exactly,
 * and booked. Sells go before buys, so freed cash funds them.
 */
export class PaperMatcher {
  private readonly instruments = new Map<string, Instrument>();

  constructor(
    private readonly books: PaperBooks,
    private readonly rules: ReadonlyMap<string, MarketRules>,
    private readonly fees: { maker: Amount; taker: Amount },
    private readonly slippage: number,
    private readonly clock: Clock,
    private readonly venue: string,
  ) {}

  /** Matches the working orders of one instant (inside the books' instant); returns the fills */
  match(work: WorkingOrder[]): VenueFill[] {
    const fills: VenueFill[] = [];
    const decided = this.venueDecides(work);
    work.sort((a, b) => (a.row.side === b.row.side ? 0 : a.row.side === "sell" ? -1 : 1));
    this.locks = undefined;
    for (const { row, bar } of work) {
      const d = decided.get(row.client_order_id);
      const f = d?.fill === undefined ? undefined : this.apply(row, bar, d.fill.price, d.fill.liquidity);
      if (f !== undefined) fills.push(f);
      // a market order never rests: what its bar did not fill ends (Binance: an expired IOC rest)
      else if (row.type === "market" || d?.final === true) this.books.expire(row);
    }
    return fills;
  }

  /**
   * The venue's verdict on the working orders for this instant: a venue built from the books (every
   * open order with what is left of it, active from this bar) runs the bars once. It holds no state
   * between instants, so the books in SQLite stay the only truth across restarts
   */
  private venueDecides(work: readonly WorkingOrder[]): Map<string, Decision> {
    const symbols = [...new Set(work.map((w) => w.row.symbol))];
    const venue = createExchangeVenue({
      instruments: Object.fromEntries(symbols.map((sym) => [sym, this.instrument(sym)])),
      fees: { maker: toNumber(this.fees.maker), taker: toNumber(this.fees.taker) },
      slippage: { kind: "fixed", rate: this.slippage },
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
    const barOf: Record<string, Bar> = {};
    for (const { row, bar } of work) barOf[row.symbol] = bar;
    const out = new Map<string, Decision>();
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

  private instrument(symbol: string): Instrument {
    let i = this.instruments.get(symbol);
    if (i === undefined) {
      i = paperInstrumentOf(this.rules.get(symbol)!);
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
      v = this.books.lockedQuote(quote);
      this.locks.set(quote, v);
    }
    return v;
  }

  /** Books the venue's fill of `row` at `venuePrice`, capped by what the account holds */
  private apply(
    row: OrderRow,
    bar: Bar,
    venuePrice: number,
    liquidity: "maker" | "taker",
  ): VenueFill | undefined {
    const rules = this.rules.get(row.symbol)!;
    const buy = row.side === "buy";
    // the float price is on the tick up to float noise: snap it to the nearest tick exactly
    const tick = amount(rules.tickSize);
    const price = ((amount(venuePrice) + tick / 2n) / tick) * tick;
    const rate = liquidity === "maker" ? this.fees.maker : this.fees.taker;
    const remaining = amount(row.qty) - amount(row.filled);
    const step = amount(rules.stepSize);
    let qty = remaining;
    if (buy) {
      // spot: a buy never spends more quote than the account holds (the backtest's cash cap)
      const cash =
        this.books.balance(rules.quote) - (row.type === "market" ? this.barLock(rules.quote) : ZERO);
      const perUnit = mul(price, 10n ** 18n + rate);
      const affordable = cash <= ZERO ? ZERO : (cash * 10n ** 18n) / perUnit;
      qty = minAmount(qty, floorToStep(affordable, step));
    } else qty = minAmount(qty, floorToStep(this.books.balance(rules.base), step));
    const now = this.clock.now();
    if (qty <= ZERO || mul(qty, price) < amount(rules.minNotional)) {
      // nothing the account can pay for: the venue expires the order (an IOC remainder on Binance)
      this.books.expire(row);
      return undefined;
    }
    const notional = mul(qty, price);
    const fee = mul(notional, rate);
    const filled = amount(row.filled) + qty;
    // a market order the cash could not cover in full ends there, as in the backtest
    const status = filled === amount(row.qty) ? "filled" : row.type === "market" ? "expired" : "open";
    const tradeId = this.books.bookFill(
      { row, qty, price, notional, fee, feeAsset: rules.quote, liquidity, status, ts: bar.ts, now },
      rules.base,
      rules.quote,
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
}
