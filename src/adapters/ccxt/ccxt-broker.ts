// The Broker port over any ccxt exchange that can create, cancel and fetch orders by client order
// id. Creates and cancels never throw: their outcomes are values, and anything that may have
// reached the venue without a clear answer is "ambiguous" (resolve it with lookup), never a failure
import ccxt, { type Balances, type Exchange, type Order, type Trade } from "ccxt";
import { venueCodeOfBody } from "../../audit/reject-code.ts";
import { AppError, invalidInput } from "../../errors.ts";
import type {
  Broker,
  BrokerEvent,
  CancelAllOutcome,
  CancelOutcome,
  CandleEvent,
  DecimalString,
  KeyPermissions,
  MarketRules,
  OrderSubmission,
  RejectCode,
  SubmitOutcome,
  VenueBalance,
  VenueFill,
  VenueOrder,
  VenueOrderStatus,
  VenuePosition,
} from "../../ports/broker.ts";
import {
  type BinanceStreamApi,
  type BinanceStreamHost,
  openKlineStreams,
  openUserDataStream,
} from "./binance-streams.ts";
import { rewriteOrigins } from "./ccxt-market-data-source.ts";
import {
  binanceNewOrders,
  binanceRequestWeight,
  RequestWeightGate,
  type RequestWeightOptions,
} from "./request-weight-gate.ts";
import { translateCcxtError } from "./translate-error.ts";

export interface CcxtBrokerOptions {
  readonly apiKey: string;
  readonly secret: string;
  /** replaces the origin of every API URL (the simulated exchange, a proxy) */
  readonly apiBase?: string;
  /** per-request timeout, ms (ccxt's default is 10 s) */
  readonly timeoutMs?: number;
  /** ms between requests for ccxt's own limiter (default: the exchange's published rate) */
  readonly rateLimitMs?: number;
  /** stream base for Binance's user-data stream (default: `apiBase` as ws://.../ws, else Binance's) */
  readonly wsBase?: string;
  /**
   * Binance: every request waits for the request-weight budget (90% of the declared limit) and
   * for Retry-After after a 429/418 (default on); `false` sends as ccxt does (tests that show why)
   */
  readonly requestWeight?: RequestWeightOptions | false;
}

const STATUS: Record<string, VenueOrderStatus> = {
  open: "open",
  closed: "filled",
  canceled: "cancelled",
  cancelled: "cancelled",
  expired: "expired",
  rejected: "rejected",
};

/** A spot account on a ccxt exchange, e.g. binance (or the simulated exchange through `apiBase`) */
export class CcxtBroker implements Broker {
  readonly venue: string;
  /** Binance's user-data stream (listenKey); other exchanges have none here and are polled */
  readonly subscribe?: (onEvent: (e: BrokerEvent) => void) => Promise<() => Promise<void>>;
  /** Binance's kline streams (closed candles pushed at the close); other exchanges are polled */
  readonly subscribeCandles?: (
    symbols: readonly string[],
    timeframe: string,
    onEvent: (e: CandleEvent) => void,
  ) => Promise<() => Promise<void>>;
  private readonly ex: Exchange;
  private readonly secret: string;
  private marketsLoaded: Promise<unknown> | undefined;
  /** Binance's request-weight gate (undefined for other venues or when turned off) */
  readonly weightGate: RequestWeightGate | undefined;

  constructor(exchangeId: string, opts: CcxtBrokerOptions) {
    const id = exchangeId.toLowerCase();
    const Ctor = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[id];
    if (!ccxt.exchanges.includes(id) || Ctor === undefined)
      throw invalidInput(
        `unknown exchange "${exchangeId}": use a ccxt id such as binance, kraken, okx, bybit`,
      );
    this.venue = id;
    this.secret = opts.secret;
    // Binance: the request-weight gate below paces every request by the venue's declared limit, its
    // used-weight headers and Retry-After; ccxt's own leaky bucket on top would space a decision's
    // orders 10 ms apart (100 orders: the last one a second late) for no limit the venue has
    const gated = id === "binance" && opts.requestWeight !== false;
    this.ex = new Ctor({
      apiKey: opts.apiKey,
      secret: opts.secret,
      enableRateLimit: !gated,
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.rateLimitMs === undefined ? {} : { rateLimit: opts.rateLimitMs }),
      options: {
        defaultType: "spot",
        fetchMarkets: { types: ["spot"] },
        // open orders of every market are part of reconciliation: asking without a symbol is deliberate
        warnOnFetchOpenOrdersWithoutSymbol: false,
        fetchCurrencies: false,
        // margin pairs are private sapi calls a spot account does not need
        fetchMargins: false,
      },
    });
    if (opts.apiBase !== undefined)
      rewriteOrigins(this.ex.urls as Record<string, unknown>, opts.apiBase.replace(/\/+$/, ""));
    // ccxt drops the venue's own code ({"code":-2010,...}) from its message when it knows the text:
    // keep it on the error, so a rejected order's reason (and its audit record) names it
    const handleErrors = this.ex.handleErrors.bind(this.ex);
    this.ex.handleErrors = (...a: Parameters<Exchange["handleErrors"]>) => {
      try {
        return handleErrors(...a);
      } catch (err) {
        const venueCode = venueCodeOfBody(a[5]);
        if (venueCode !== null && err instanceof Error) Object.assign(err, { venueCode });
        throw err;
      }
    };
    if (id === "binance") {
      const base =
        opts.wsBase ??
        (opts.apiBase === undefined
          ? "wss://stream.binance.com:9443/ws"
          : `${opts.apiBase.replace(/\/+$/, "").replace(/^http/, "ws")}/ws`);
      const host: BinanceStreamHost = {
        venue: id,
        api: this.ex as unknown as BinanceStreamApi,
        loadMarkets: () => this.loadMarkets(),
        symbolOf: (x) => this.ex.markets_by_id?.[x]?.[0]?.symbol,
        idOf: (symbol) => this.market(symbol).id,
        read: (doing, fn) => this.read(doing, fn),
        describe: (err, doing) => this.translate(err, doing).message,
      };
      this.subscribe = (onEvent) => openUserDataStream(host, base, onEvent);
      this.subscribeCandles = (symbols, timeframe, onEvent) =>
        openKlineStreams(host, base, symbols, timeframe, onEvent);
    }
    this.weightGate = gated ? this.gateRequests(opts.requestWeight) : undefined;
    for (const need of [
      "createOrder",
      "cancelOrder",
      "fetchOrder",
      "fetchOpenOrders",
      "fetchMyTrades",
      "fetchBalance",
    ])
      if (this.ex.has[need] !== true)
        throw invalidInput(`exchange ${id} cannot ${need} through ccxt, so kairos cannot trade there`);
  }

  async submit(o: OrderSubmission): Promise<SubmitOutcome> {
    if (o.type === "limit" && o.price === undefined)
      return { kind: "rejected", code: "other", message: `limit order ${o.clientOrderId} has no price` };
    // a failure to load markets throws: nothing has been sent yet
    await this.loadMarkets();
    try {
      const params: Record<string, unknown> = { clientOrderId: o.clientOrderId };
      if (o.type === "limit") params.timeInForce = (o.timeInForce ?? "gtc").toUpperCase();
      const placed = await this.ex.createOrder(
        o.symbol,
        o.type,
        o.side,
        Number(o.quantity),
        o.price === undefined ? undefined : Number(o.price),
        params,
      );
      return { kind: "accepted", order: this.order(placed, o) };
    } catch (err) {
      return this.outcome(err, "submitting", (code, message) => ({ kind: "rejected", code, message }));
    }
  }

  async cancel(symbol: string, clientOrderId: string): Promise<CancelOutcome> {
    await this.loadMarkets();
    try {
      const done = await this.ex.cancelOrder("", symbol, { clientOrderId, origClientOrderId: clientOrderId });
      // Binance names the cancel request in clientOrderId and the order in origClientOrderId: the
      // outcome names the order that was cancelled, the one asked for
      return { kind: "cancelled", order: { ...this.order(done), clientOrderId } };
    } catch (err) {
      return this.outcome(err, "cancelling", (_code, message) => ({ kind: "not-open", message }));
    }
  }

  /**
   * Every open order of one market in one request (Binance: DELETE /api/v3/openOrders), each listed
   * under the client order id it was placed with; "ambiguous" where ccxt has no such call
   */
  async cancelAll(symbol: string): Promise<CancelAllOutcome> {
    if (this.ex.has.cancelAllOrders !== true)
      return { kind: "ambiguous", message: `${this.venue} has no cancel-all-orders call in ccxt` };
    await this.loadMarkets();
    try {
      const rows = await this.ex.cancelAllOrders(symbol);
      return {
        kind: "cancelled",
        orders: (Array.isArray(rows) ? rows : []).map((r) => {
          // Binance names the cancel request in clientOrderId and the order in origClientOrderId
          const orig = (r.info as Record<string, unknown> | undefined)?.origClientOrderId;
          const v = this.order(r);
          return typeof orig === "string" && orig !== "" ? { ...v, clientOrderId: orig } : v;
        }),
      };
    } catch (err) {
      // Binance answers -2011 when the market has no open order
      if (err instanceof ccxt.OrderNotFound) return { kind: "cancelled", orders: [] };
      return this.outcome(err, `cancelling the open orders of ${symbol}`, (_code, message) => ({
        kind: "ambiguous",
        message,
      }));
    }
  }

  async lookup(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    await this.loadMarkets();
    try {
      const o = await this.ex.fetchOrder("", symbol, { clientOrderId, origClientOrderId: clientOrderId });
      return this.order(o);
    } catch (err) {
      if (err instanceof ccxt.OrderNotFound) return undefined;
      throw this.translate(err, `looking up order ${clientOrderId}`);
    }
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    await this.loadMarkets();
    const rows = await this.read(`fetching open orders`, () => this.ex.fetchOpenOrders(symbol));
    return rows.map((r) => this.order(r));
  }

  async fillsSince(symbol: string, sinceMs: number): Promise<VenueFill[]> {
    await this.loadMarkets();
    const out = new Map<string, VenueFill>();
    let since = sinceMs;
    // pages overlap on their last millisecond, so fills are keyed by trade id
    for (;;) {
      const page: Trade[] = await this.read(`fetching ${symbol} fills`, () =>
        this.ex.fetchMyTrades(symbol, since, 1000),
      );
      let newest = since;
      let added = 0;
      for (const t of page) {
        const f = this.fill(t);
        if (!out.has(f.tradeId)) added++;
        out.set(f.tradeId, f);
        newest = Math.max(newest, f.ts);
      }
      if (page.length < 1000 || added === 0) break;
      since = newest;
    }
    return [...out.values()].sort((a, b) => a.ts - b.ts || Number(a.tradeId) - Number(b.tradeId));
  }

  async balances(): Promise<VenueBalance[]> {
    const bal = await this.fetchBalance();
    const out: VenueBalance[] = [];
    for (const [asset, v] of Object.entries(bal)) {
      if (["info", "free", "used", "total", "timestamp", "datetime", "debt"].includes(asset)) continue;
      const b = v as { free?: number; used?: number };
      const free = decimal(b.free ?? 0);
      const locked = decimal(b.used ?? 0);
      if (!isZero(free) || !isZero(locked)) out.push({ asset, free, locked });
    }
    return out.sort((a, b) => a.asset.localeCompare(b.asset));
  }

  async positions(symbols: readonly string[]): Promise<VenuePosition[]> {
    await this.loadMarkets();
    const bal = await this.balances();
    return symbols.map((symbol) => {
      const base = this.market(symbol).base;
      const b = bal.find((x) => x.asset === base);
      return { symbol, quantity: b === undefined ? "0" : addDecimal(b.free, b.locked) };
    });
  }

  async serverTime(): Promise<number> {
    const t = await this.read("fetching the server time", () => this.ex.fetchTime());
    return Number(t);
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    await this.loadMarkets();
    const m = this.market(symbol);
    const tickMode = this.ex.precisionMode === ccxt.TICK_SIZE;
    const step = (p: number | undefined): DecimalString =>
      p === undefined ? "0" : tickMode ? decimal(p) : decimal(10 ** -p);
    return {
      symbol,
      base: m.base,
      quote: m.quote,
      marketType: m.spot === true ? "spot" : "perp",
      tickSize: step(m.precision?.price),
      stepSize: step(m.precision?.amount),
      minQuantity: decimal(m.limits?.amount?.min ?? 0),
      ...(m.limits?.amount?.max === undefined ? {} : { maxQuantity: decimal(m.limits.amount.max) }),
      minNotional: decimal(m.limits?.cost?.min ?? 0),
    };
  }

  async permissions(): Promise<KeyPermissions> {
    const info = ((await this.fetchBalance()).info ?? {}) as Record<string, unknown>;
    const flag = (k: string): boolean | undefined =>
      typeof info[k] === "boolean" ? (info[k] as boolean) : undefined;
    return { canTrade: flag("canTrade"), canWithdraw: flag("canWithdraw") };
  }

  async close(): Promise<void> {
    this.weightGate?.close();
    await this.ex.close();
  }

  // ccxt's HTTP layer, per instance: each request waits for the weight budget before it is sent,
  // each response feeds the gate (declared limit, the venue's count, Retry-After)
  private gateRequests(opts: RequestWeightOptions | undefined): RequestWeightGate {
    const gate = new RequestWeightGate(opts);
    const ex = this.ex as unknown as {
      fetch(url: string, method?: string, headers?: unknown, body?: unknown): Promise<unknown>;
      onRestResponse(
        status: number,
        statusText: string,
        url: string,
        method: string,
        headers: Record<string, unknown>,
        body: string,
        ...rest: unknown[]
      ): string;
    };
    const send = ex.fetch.bind(ex);
    const onResponse = ex.onRestResponse.bind(ex);
    ex.fetch = async (url, method = "GET", headers, body) => {
      // the declared limit first: no request goes out against a guessed one when it can be known
      if (!gate.declared && !/\/exchangeInfo(\?|$)/.test(url))
        await this.loadMarkets().catch(() => undefined);
      const ticket = await gate.acquire(
        binanceRequestWeight(method, url, body),
        binanceNewOrders(method, url),
      );
      try {
        return await send(url, method, headers, body);
      } finally {
        gate.release(ticket);
      }
    };
    ex.onRestResponse = (status, statusText, url, method, headers, body, ...rest) => {
      gate.onResponse(status, headers ?? {}, url, String(body ?? ""));
      return onResponse(status, statusText, url, method, headers, body, ...rest);
    };
    return gate;
  }

  private fetchBalance(): Promise<Balances> {
    return this.read("fetching balances", () => this.ex.fetchBalance());
  }

  private market(symbol: string) {
    const m = this.ex.markets?.[symbol];
    if (m === undefined) throw new AppError("NOT_FOUND", `${this.venue} has no market ${symbol}`);
    return m;
  }

  private async loadMarkets(): Promise<void> {
    this.marketsLoaded ??= this.read("loading markets", () => this.ex.loadMarkets());
    try {
      await this.marketsLoaded;
    } catch (err) {
      this.marketsLoaded = undefined;
      throw err;
    }
  }

  private order(o: Order, sent?: OrderSubmission): VenueOrder {
    const status = STATUS[o.status ?? ""] ?? "open";
    const filled = o.filled ?? 0;
    const out: VenueOrder = {
      clientOrderId: o.clientOrderId ?? sent?.clientOrderId ?? "",
      venueOrderId: String(o.id),
      symbol: o.symbol ?? sent?.symbol ?? "",
      side: o.side === "sell" ? "sell" : "buy",
      type: o.type === "limit" ? "limit" : "market",
      status,
      quantity: decimal(o.amount ?? Number(sent?.quantity ?? 0)),
      filledQuantity: decimal(filled),
      createdAt: o.timestamp ?? 0,
      ...(o.type === "limit" && o.price !== undefined ? { price: decimal(o.price) } : {}),
      ...(filled > 0 && o.average !== undefined ? { averagePrice: decimal(o.average) } : {}),
      ...(o.lastUpdateTimestamp === undefined ? {} : { updatedAt: o.lastUpdateTimestamp }),
    };
    return out;
  }

  private fill(t: Trade): VenueFill {
    return {
      venue: this.venue,
      tradeId: String(t.id),
      venueOrderId: String(t.order ?? ""),
      symbol: t.symbol ?? "",
      side: t.side === "sell" ? "sell" : "buy",
      quantity: decimal(t.amount ?? 0),
      price: decimal(t.price ?? 0),
      fee: decimal(t.fee?.cost ?? 0),
      feeCurrency: t.fee?.currency ?? "",
      ...(t.takerOrMaker === "maker" || t.takerOrMaker === "taker" ? { liquidity: t.takerOrMaker } : {}),
      ts: t.timestamp ?? 0,
    };
  }

  /**
   * Classifies a failed create or cancel: rate limits are "throttled" (not processed), anything
   * that may have reached the venue without a readable answer is "ambiguous", and only an error
   * the venue itself returned is its word (`refused`)
   */
  private outcome<T>(
    err: unknown,
    doing: string,
    refused: (code: RejectCode, message: string) => T,
  ):
    | T
    | { kind: "throttled"; retryAfterMs: number | undefined; message: string }
    | { kind: "ambiguous"; message: string } {
    const message = this.translate(err, doing).message;
    if (err instanceof ccxt.DDoSProtection || err instanceof ccxt.RateLimitExceeded)
      return { kind: "throttled", retryAfterMs: this.retryAfterMs(), message };
    if (err instanceof ccxt.OperationFailed || !(err instanceof ccxt.BaseError))
      return { kind: "ambiguous", message };
    if (!(err instanceof ccxt.ExchangeError)) return { kind: "ambiguous", message };
    const raw = err.message;
    let code: RejectCode = "other";
    if (err instanceof ccxt.DuplicateOrderId || /Duplicate order/i.test(raw))
      code = "duplicate-client-order-id";
    else if (err instanceof ccxt.InsufficientFunds) code = "insufficient-funds";
    else if (err instanceof ccxt.BadSymbol) code = "unknown-symbol";
    else if (/Filter failure|-1013|LOT_SIZE|PRICE_FILTER|NOTIONAL/.test(raw)) code = "filter-failure";
    const venueCode = (err as { venueCode?: number | string }).venueCode;
    return refused(
      code,
      venueCode === undefined || message.includes(String(venueCode))
        ? message
        : `${message} (venue code ${venueCode})`,
    );
  }

  private retryAfterMs(): number | undefined {
    const h = (this.ex.last_response_headers ?? {}) as Record<string, string>;
    const sec = Number(h["retry-after"] ?? h["Retry-After"]);
    return Number.isFinite(sec) ? sec * 1000 : undefined;
  }

  private translate(err: unknown, doing: string): AppError {
    const e = translateCcxtError(err, this.venue, doing, this.retryAfterMs());
    // ccxt puts the request URL in network errors: the signature and listenKey stay out of messages
    let clean = e.message
      .replace(/signature=[0-9a-fA-F]+/g, "signature=***")
      .replace(/listenKey=[^&\s"]+/g, "listenKey=***");
    if (this.secret.length >= 4) clean = clean.split(this.secret).join("***");
    // the cleaned error drops its cause: ccxt's original message holds the signed URL
    return clean === e.message
      ? e
      : new AppError(e.code, clean, { retryable: e.retryable, details: e.details });
  }

  private async read<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err, doing);
    }
  }
}

/** A ccxt number as a plain decimal string: ccxt parsed it from the venue's text, and the shortest round-trip form gives that text back */
export function decimal(x: number): DecimalString {
  if (!Number.isFinite(x)) return "0";
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mant, expS] = s.split(/e/i) as [string, string];
  const exp = Number(expS);
  const neg = mant.startsWith("-");
  const digits = mant.replace(/^-/, "").replace(".", "");
  const point = mant.replace(/^-/, "").indexOf(".");
  const intLen = (point < 0 ? digits.length : point) + exp;
  const body =
    intLen <= 0
      ? `0.${"0".repeat(-intLen)}${digits}`
      : intLen >= digits.length
        ? digits + "0".repeat(intLen - digits.length)
        : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return (neg ? "-" : "") + body;
}

const isZero = (d: DecimalString): boolean => /^-?0*(\.0*)?$/.test(d);

/** Exact sum of two decimal strings */
export function addDecimal(a: DecimalString, b: DecimalString): DecimalString {
  const scale = Math.max(fracLen(a), fracLen(b));
  const toInt = (d: string): bigint => {
    const neg = d.startsWith("-");
    const [i, f = ""] = d.replace(/^-/, "").split(".");
    const v = BigInt((i ?? "0") + f.padEnd(scale, "0"));
    return neg ? -v : v;
  };
  const sum = toInt(a) + toInt(b);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac === "" ? "" : `.${frac}`}`;
}

const fracLen = (d: string): number => (d.split(".")[1] ?? "").length;
