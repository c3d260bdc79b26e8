// The simulated exchange's books, the truth tests compare against: orders, trades and balances, all
// in exact 1e-8 units. Every fill moves balances here and only here, so
// balance = initial + sum(fills) - fees holds by construction and `check()` proves it
import { formatUnits, minUnits, mulUnits } from "./units.ts";

export type SimSide = "BUY" | "SELL";
export type SimOrderType = "MARKET" | "LIMIT";
export type SimTif = "GTC" | "IOC" | "FOK";
export type SimOrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "EXPIRED";

export interface SimOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  /** Binance id, "BTCUSDT" */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly side: SimSide;
  readonly type: SimOrderType;
  readonly timeInForce: SimTif;
  /** 0 for market orders */
  readonly price: bigint;
  readonly origQty: bigint;
  executedQty: bigint;
  /** sum of price x qty of its fills */
  cumQuote: bigint;
  status: SimOrderStatus;
  /** market time of acceptance and of the last change */
  readonly time: number;
  updateTime: number;
  /** what acceptance reserved and has not yet been spent (quote for buys, base for sells) */
  lockLeft: bigint;
  /** true when created by the exchange itself (a "manual" order a test places behind kairos's back) */
  readonly external: boolean;
}

export interface SimTrade {
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: SimSide;
  readonly price: bigint;
  readonly qty: bigint;
  readonly quoteQty: bigint;
  /** always in the quote asset, like the backtest's fee model */
  readonly commission: bigint;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isMaker: boolean;
}

export interface SimBalance {
  free: bigint;
  locked: bigint;
}

/** A change the user-data stream reports */
export type LedgerEvent =
  | { kind: "order"; order: SimOrder; execType: "NEW" | "CANCELED" | "REJECTED" | "EXPIRED" }
  | { kind: "trade"; order: SimOrder; trade: SimTrade }
  | { kind: "balances"; assets: string[]; time: number };

/** The ledger as JSON (GET /sim/ledger): decimal strings with 8 decimals */
export interface LedgerJson {
  initial: Record<string, string>;
  balances: Record<string, { free: string; locked: string }>;
  orders: Record<string, unknown>[];
  fills: Record<string, unknown>[];
  deposits: { asset: string; amount: string; time: number }[];
}

export class Ledger {
  readonly balances = new Map<string, SimBalance>();
  readonly initial = new Map<string, bigint>();
  readonly orders: SimOrder[] = [];
  readonly trades: SimTrade[] = [];
  readonly deposits: { asset: string; amount: bigint; time: number }[] = [];
  private readonly byId = new Map<number, SimOrder>();
  private readonly byClient = new Map<string, SimOrder>();
  /** each order's trades, so a create's FULL reply does not scan every trade ever made */
  private readonly tradesByOrder = new Map<number, SimTrade[]>();
  private nextOrderId = 1;
  /** Binance numbers trades per symbol: BTCUSDT and ETHUSDT both have a trade 1 */
  private readonly nextTradeId = new Map<string, number>();
  private readonly listeners: ((e: LedgerEvent) => void)[] = [];
  /** what `check` carried over from its last call */
  private readonly audit = {
    /** deposits, orders and trades summed or looked at so far */
    deposits: 0,
    orders: 0,
    trades: 0,
    /** initial + deposits + bought - sold - fees per asset, over those */
    expect: new Map<string, bigint>(),
    /** assets in the order deposits, and trades, first named them (problems are listed in that order) */
    depositAssets: new Set<string>(),
    tradeAssets: new Set<string>(),
    /** orders open at the last check */
    open: new Set<SimOrder>(),
    /** orders that executed more than their quantity */
    over: new Set<SimOrder>(),
  };

  constructor(initial: Record<string, bigint>) {
    for (const [a, v] of Object.entries(initial)) {
      this.initial.set(a, v);
      this.balances.set(a, { free: v, locked: 0n });
      this.audit.expect.set(a, v);
    }
  }

  onEvent(fn: (e: LedgerEvent) => void): void {
    this.listeners.push(fn);
  }

  balance(asset: string): SimBalance {
    let b = this.balances.get(asset);
    if (b === undefined) {
      b = { free: 0n, locked: 0n };
      this.balances.set(asset, b);
    }
    return b;
  }

  order(orderId: number): SimOrder | undefined {
    return this.byId.get(orderId);
  }

  /** The order's trades, oldest first */
  tradesOf(orderId: number): readonly SimTrade[] {
    return this.tradesByOrder.get(orderId) ?? [];
  }

  /** Client order ids are unique per account for ever (Binance: among open orders), so a resend can never double an order */
  byClientId(clientOrderId: string): SimOrder | undefined {
    return this.byClient.get(clientOrderId);
  }

  /** A deposit (or withdrawal when negative) made behind the client's back */
  deposit(asset: string, amount: bigint, time: number): void {
    this.balance(asset).free += amount;
    this.deposits.push({ asset, amount, time });
    this.emit({ kind: "balances", assets: [asset], time });
  }

  /** Records an accepted order and reserves `lock` (quote for buys, base for sells); the caller checked funds */
  accept(
    o: Omit<
      SimOrder,
      "orderId" | "executedQty" | "cumQuote" | "status" | "updateTime" | "lockLeft" | "external"
    > & {
      external?: boolean;
    },
    lock: bigint,
  ): SimOrder {
    // field by field, in the order a spread of `o` gave: copying `o` with a spread cost ~10 us a create
    const order: SimOrder = {
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      base: o.base,
      quote: o.quote,
      side: o.side,
      type: o.type,
      timeInForce: o.timeInForce,
      price: o.price,
      origQty: o.origQty,
      time: o.time,
      orderId: this.nextOrderId++,
      executedQty: 0n,
      cumQuote: 0n,
      status: "NEW",
      updateTime: o.time,
      lockLeft: lock,
      external: o.external ?? false,
    };
    const b = this.balance(order.side === "BUY" ? order.quote : order.base);
    b.free -= lock;
    b.locked += lock;
    this.orders.push(order);
    this.byId.set(order.orderId, order);
    this.byClient.set(order.clientOrderId, order);
    this.emit({ kind: "order", order, execType: "NEW" });
    if (lock > 0n)
      this.emit({
        kind: "balances",
        assets: [order.side === "BUY" ? order.quote : order.base],
        time: o.time,
      });
    return order;
  }

  /** Applies one execution; buys pay cost + fee from their reservation first, then from free quote */
  fill(order: SimOrder, qty: bigint, price: bigint, fee: bigint, isMaker: boolean, time: number): SimTrade {
    const quoteQty = mulUnits(price, qty);
    const base = this.balance(order.base);
    const quote = this.balance(order.quote);
    if (order.side === "BUY") {
      const pay = quoteQty + fee;
      const fromLock = minUnits(pay, order.lockLeft);
      order.lockLeft -= fromLock;
      quote.locked -= fromLock;
      quote.free -= pay - fromLock;
      base.free += qty;
    } else {
      const fromLock = minUnits(qty, order.lockLeft);
      order.lockLeft -= fromLock;
      base.locked -= fromLock;
      base.free -= qty - fromLock;
      quote.free += quoteQty - fee;
    }
    order.executedQty += qty;
    order.cumQuote += quoteQty;
    order.updateTime = time;
    order.status = order.executedQty >= order.origQty ? "FILLED" : "PARTIALLY_FILLED";
    const id = this.nextTradeId.get(order.symbol) ?? 1;
    this.nextTradeId.set(order.symbol, id + 1);
    const trade: SimTrade = {
      id,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      price,
      qty,
      quoteQty,
      commission: fee,
      commissionAsset: order.quote,
      time,
      isMaker,
    };
    this.trades.push(trade);
    const own = this.tradesByOrder.get(order.orderId);
    if (own === undefined) this.tradesByOrder.set(order.orderId, [trade]);
    else own.push(trade);
    if (order.status === "FILLED") this.release(order);
    this.emit({ kind: "trade", order, trade });
    this.emit({ kind: "balances", assets: [order.base, order.quote], time });
    return trade;
  }

  /** Closes an open order (cancelled by the client, expired by time in force) and frees its reservation */
  close(order: SimOrder, status: "CANCELED" | "EXPIRED", time: number): void {
    order.status = status;
    order.updateTime = time;
    this.release(order);
    this.emit({ kind: "order", order, execType: status });
    this.emit({ kind: "balances", assets: [order.side === "BUY" ? order.quote : order.base], time });
  }

  isOpen = (o: SimOrder): boolean => o.status === "NEW" || o.status === "PARTIALLY_FILLED";

  /**
   * Proves the books add up: per asset, free + locked = initial + deposits + bought - sold - fees,
   * locks equal what open orders reserve, and nothing is negative. Returns the problems found.
   * It is called every bar on long runs, so what cannot change is not summed again: deposits and
   * trades are only ever appended (their sums carry over, `audit`), and an order's status and
   * quantities move only when it is accepted or filled (a new order or a new trade) or closed
   * (which never reopens it), so only the orders open last time, new orders and the orders of new
   * trades are looked at
   */
  check(): string[] {
    const a = this.audit;
    const add = (asset: string, v: bigint, seen: Set<string>): void => {
      seen.add(asset);
      a.expect.set(asset, (a.expect.get(asset) ?? 0n) + v);
    };
    for (; a.deposits < this.deposits.length; a.deposits++) {
      const d = this.deposits[a.deposits]!;
      add(d.asset, d.amount, a.depositAssets);
    }
    const touched = a.open;
    for (; a.orders < this.orders.length; a.orders++) touched.add(this.orders[a.orders]!);
    for (; a.trades < this.trades.length; a.trades++) {
      const t = this.trades[a.trades]!;
      const o = this.byId.get(t.orderId)!;
      touched.add(o);
      if (t.side === "BUY") {
        add(o.base, t.qty, a.tradeAssets);
        add(o.quote, -(t.quoteQty + t.commission), a.tradeAssets);
      } else {
        add(o.base, -t.qty, a.tradeAssets);
        add(o.quote, t.quoteQty - t.commission, a.tradeAssets);
      }
    }
    const locks = new Map<string, bigint>();
    a.open = new Set();
    for (const o of touched) {
      if (o.executedQty > o.origQty) a.over.add(o);
      else a.over.delete(o);
      if (!this.isOpen(o)) continue;
      a.open.add(o);
      const asset = o.side === "BUY" ? o.quote : o.base;
      locks.set(asset, (locks.get(asset) ?? 0n) + o.lockLeft);
    }
    const problems: string[] = [];
    // in the order the assets first appear: initial, deposits, trades, then any other balance
    const assets = new Set([
      ...this.initial.keys(),
      ...a.depositAssets,
      ...a.tradeAssets,
      ...this.balances.keys(),
    ]);
    for (const asset of assets) {
      const b = this.balance(asset);
      const want = a.expect.get(asset) ?? 0n;
      if (b.free + b.locked !== want)
        problems.push(
          `${asset}: free+locked ${formatUnits(b.free + b.locked)} != expected ${formatUnits(want)}`,
        );
      if (b.locked !== (locks.get(asset) ?? 0n))
        problems.push(
          `${asset}: locked ${formatUnits(b.locked)} != open orders' reservations ${formatUnits(locks.get(asset) ?? 0n)}`,
        );
      if (b.free < 0n || b.locked < 0n) problems.push(`${asset}: negative balance`);
    }
    for (const o of [...a.over].sort((x, y) => x.orderId - y.orderId))
      problems.push(`order ${o.orderId}: executed > quantity`);
    return problems;
  }

  toJson(): LedgerJson {
    const f = formatUnits;
    return {
      initial: Object.fromEntries([...this.initial].map(([a, v]) => [a, f(v)])),
      balances: Object.fromEntries(
        [...this.balances].map(([a, b]) => [a, { free: f(b.free), locked: f(b.locked) }]),
      ),
      orders: this.orders.map((o) => ({
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        timeInForce: o.timeInForce,
        price: f(o.price),
        origQty: f(o.origQty),
        executedQty: f(o.executedQty),
        cummulativeQuoteQty: f(o.cumQuote),
        status: o.status,
        time: o.time,
        updateTime: o.updateTime,
        external: o.external,
      })),
      fills: this.trades.map((t) => ({
        id: t.id,
        orderId: t.orderId,
        clientOrderId: t.clientOrderId,
        symbol: t.symbol,
        side: t.side,
        price: f(t.price),
        qty: f(t.qty),
        quoteQty: f(t.quoteQty),
        commission: f(t.commission),
        commissionAsset: t.commissionAsset,
        time: t.time,
        isMaker: t.isMaker,
      })),
      deposits: this.deposits.map((d) => ({ asset: d.asset, amount: f(d.amount), time: d.time })),
    };
  }

  private release(order: SimOrder): void {
    if (order.lockLeft === 0n) return;
    const b = this.balance(order.side === "BUY" ? order.quote : order.base);
    b.locked -= order.lockLeft;
    b.free += order.lockLeft;
    order.lockLeft = 0n;
  }

  private emit(e: LedgerEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}
