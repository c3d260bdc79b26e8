// The simulated exchange: a real HTTP + WebSocket server on 127.0.0.1 speaking Binance's spot API
// (see README.md). Requests pass, in order: ban check (418), request-weight limit (429), the seeded
// fault plan, signature check, then the endpoint
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { CandleSeries } from "../../domain/candle-series.ts";
import { timeframeMs } from "../../domain/timeframe.ts";
import { invalidInput } from "../../errors.ts";
import { checkApiKey, checkSigned, requestParams, type SimApiKey } from "./auth.ts";
import { type FaultEndpoint, FaultPlan, type FaultRates, noFaults, parseFaults } from "./faults.ts";
import { Ledger, type LedgerJson } from "./ledger.ts";
import { listMarkets, type SimMarket } from "./markets.ts";
import type { Matcher } from "./matcher.ts";
import { BINANCE_ORDER_LIMITS, OrderCounter, type OrderLimit, type OrderLimitUse } from "./order-limits.ts";
import {
  allOrders,
  cancelOpenOrders,
  cancelOrder,
  createOrder,
  myTrades,
  type OrderDeps,
  openOrders,
  queryOrder,
  type SimFees,
} from "./orders.ts";
import { Replay } from "./replay.ts";
import {
  exchangeInfo,
  fail,
  klines,
  ok,
  type Reply,
  rateLimitInterval,
  usedWeightHeader,
} from "./routes-public.ts";
import { Streams } from "./streams.ts";
import { formatUnits, parseUnits } from "./units.ts";
import { venueMatcher } from "./venue-matcher.ts";

/** How the market clock runs */
export type SimClockMode =
  /** market time = start + wall time elapsed x speed */
  | { readonly kind: "real"; readonly speed: number }
  /** market time moves only by `advance(ms)` (tests) */
  | { readonly kind: "manual" };

export interface SimExchangeOptions {
  /** the replayed series; several timeframes of one symbol make one market (the finest is matched) */
  readonly series: readonly CandleSeries[];
  /** the one API key accepted, with what it may do (`account` reports canWithdraw) */
  readonly apiKey: { key: string; secret: string; canTrade?: boolean; canWithdraw?: boolean };
  /**
   * what decides fills, one Matcher per market; default the simulated venue of src/execution/venue
   * (`venueMatcher`), the backtest's fill rules
   */
  readonly matcher?: (market: SimMarket, fees: { maker: number; taker: number }) => Matcher;
  /** the venue's slippage as a fraction of the price (default 0) */
  readonly slippage?: number;
  /** at most this fraction of a bar's volume fills in that bar (default: no cap) */
  readonly participationCap?: number;
  /** opening balances as decimal strings, default { USDT: "10000" } */
  readonly balances?: Readonly<Record<string, string>>;
  /** fee fractions of notional, default 0.001 both, charged in the quote asset */
  readonly fees?: { maker: number; taker: number };
  readonly seed?: number;
  /** rates or a `--faults` spec */
  readonly faults?: FaultRates | string;
  readonly clock?: SimClockMode;
  /** market time the replay starts at (default: 500 bars into the finest series) */
  readonly start?: number;
  /** serve GET /sim/ledger */
  readonly ledgerRoute?: boolean;
  /** asked at each create whether the client order id is already committed on the caller's side */
  readonly verifyIntent?: (clientOrderId: string) => boolean;
  /** 0 = an ephemeral port */
  readonly port?: number;
  /**
   * REQUEST_WEIGHT per window (default 6000) and the window (default 60 s of wall time; a whole
   * number of seconds, reported in exchangeInfo and the used-weight header as Binance would)
   */
  readonly weightLimit?: number;
  readonly weightWindowMs?: number;
  /**
   * the unfilled-order limits (ORDERS) per window of wall time, declared in exchangeInfo and enforced
   * with 429 / -1015 (default Binance's: 100 per 10 s, 200,000 per day); windows are whole seconds
   */
  readonly orderLimits?: readonly OrderLimit[];
  /** how long a timeout fault holds a request before dropping the socket (default 2000 ms) */
  readonly hangMs?: number;
  /**
   * Retry-After of a 429 fault (default 1 s). Binance states whole seconds; below a second (a
   * time-scaled test) the header carries a fraction ("0.02")
   */
  readonly retryAfterMs?: number;
  /** a client that sends within Retry-After is banned (418) for this long (default 120 s) */
  readonly banMs?: number;
}

/** A running simulated exchange */
export interface SimExchange {
  /** http://127.0.0.1:PORT: give it to ccxt as every API origin */
  readonly url: string;
  /** ws://127.0.0.1:PORT/ws: the stream base (user data at /ws/<listenKey>) */
  readonly wsUrl: string;
  readonly markets: ReadonlyMap<string, SimMarket>;
  readonly faults: FaultPlan;
  /** at each create with `verifyIntent`: how many ids were checked and found committed, and those missing */
  readonly intentChecks: { checked: number; committed: number; missing: string[] };
  /** request counts per HTTP status (429 and 418 included) */
  readonly statusCounts: Map<number, number>;
  /** REQUEST_WEIGHT used per window (wall clock), closed windows then the current one, and the limit */
  weight(): { limit: number; windowMs: number; windows: { start: number; used: number }[] };
  /** per ORDERS limit: the highest unfilled count, the most new orders in a window, -1015 refusals */
  orderLimits(): OrderLimitUse[];
  /** market clock, epoch ms */
  now(): number;
  /** moves a manual clock forward (and closes the bars passed) */
  advance(ms: number): void;
  /** the books as JSON (what GET /sim/ledger serves) */
  ledger(): LedgerJson;
  /** problems with the books (empty when balances = initial + deposits + fills - fees) */
  check(): string[];
  /** a deposit (negative: withdrawal) made behind the client's back */
  deposit(asset: string, amount: string): void;
  /** places an order as if by hand on the exchange's website (not through the API) */
  placeManualOrder(
    symbol: string,
    side: "BUY" | "SELL",
    type: "MARKET" | "LIMIT",
    quantity: string,
    price?: string,
  ): Reply;
  close(): Promise<void>;
}

const WEIGHTS: Record<string, number> = {
  "GET /api/v3/ping": 1,
  "GET /api/v3/time": 1,
  "GET /api/v3/exchangeInfo": 20,
  "GET /api/v3/klines": 2,
  "POST /api/v3/order": 1,
  "GET /api/v3/order": 4,
  "DELETE /api/v3/order": 1,
  "GET /api/v3/openOrders": 6,
  "DELETE /api/v3/openOrders": 1,
  "GET /api/v3/allOrders": 20,
  "GET /api/v3/myTrades": 20,
  "GET /api/v3/account": 20,
  "GET /sapi/v1/account/apiRestrictions": 1,
  "POST /api/v3/userDataStream": 2,
  "PUT /api/v3/userDataStream": 2,
  "DELETE /api/v3/userDataStream": 2,
};

const ENDPOINTS: Record<string, FaultEndpoint> = {
  "POST /api/v3/order": "create",
  "GET /api/v3/order": "query",
  "DELETE /api/v3/order": "cancel",
  "GET /api/v3/openOrders": "openOrders",
  "DELETE /api/v3/openOrders": "cancelAll",
  "GET /api/v3/allOrders": "allOrders",
  "GET /api/v3/myTrades": "myTrades",
  "GET /api/v3/account": "account",
  "GET /api/v3/klines": "klines",
  "GET /api/v3/time": "time",
  "GET /api/v3/exchangeInfo": "exchangeInfo",
  "POST /api/v3/userDataStream": "userDataStream",
  "PUT /api/v3/userDataStream": "userDataStream",
  "DELETE /api/v3/userDataStream": "userDataStream",
};

const ppm = (x: number): bigint => BigInt(Math.round(x * 1_000_000));

/** Starts the simulated exchange on 127.0.0.1 */
export async function startSimExchange(opts: SimExchangeOptions): Promise<SimExchange> {
  if (opts.series.length === 0)
    throw invalidInput("sim: give at least one series to replay (--data EXCHANGE:SYMBOL:TF)");
  if (opts.apiKey.key === "" || opts.apiKey.secret === "")
    throw invalidInput("sim: an API key and secret are required (--key K --secret S)");
  const markets = listMarkets(opts.series);
  const key: SimApiKey = {
    key: opts.apiKey.key,
    secret: opts.apiKey.secret,
    canTrade: opts.apiKey.canTrade ?? true,
    canWithdraw: opts.apiKey.canWithdraw ?? false,
  };
  const initial: Record<string, bigint> = {};
  for (const [a, v] of Object.entries(opts.balances ?? { USDT: "10000" })) {
    const u = parseUnits(v);
    if (u === undefined || u < 0n || !/^[A-Z0-9]{1,20}$/.test(a))
      throw invalidInput(
        `sim: balance ${a}=${v}: write ASSET=AMOUNT with at most 8 decimals, e.g. USDT=10000`,
      );
    initial[a] = u;
  }
  const feeFrac = opts.fees ?? { maker: 0.001, taker: 0.001 };
  const fees: SimFees = { makerPpm: ppm(feeFrac.maker), takerPpm: ppm(feeFrac.taker) };
  const rates = typeof opts.faults === "string" ? parseFaults(opts.faults) : (opts.faults ?? noFaults());
  const faults = new FaultPlan(rates, opts.seed ?? 1);
  const ledger = new Ledger(initial);

  // market clock
  const finest = [...markets.values()].map((m) => m.series[0]!);
  const start = opts.start ?? Math.min(...finest.map((s) => s.ts[Math.min(500, s.ts.length - 1)]!));
  const mode = opts.clock ?? { kind: "real", speed: 1 };
  const wall0 = Date.now();
  let manual = start;
  const now = (): number =>
    mode.kind === "manual" ? manual : Math.floor(start + (Date.now() - wall0) * mode.speed);

  const streams = new Streams(ledger, faults, now);
  const makeMatcher =
    opts.matcher ??
    ((m: SimMarket, fee: { maker: number; taker: number }): Matcher =>
      venueMatcher(m, {
        fees: fee,
        slippage: { kind: "fixed", rate: opts.slippage ?? 0 },
        ...(opts.participationCap === undefined ? {} : { participationCap: opts.participationCap }),
      }));
  const replay = new Replay(
    markets.values(),
    (m) => makeMatcher(m, feeFrac),
    ledger,
    fees,
    faults,
    streams,
    start,
  );
  const intentChecks = { checked: 0, committed: 0, missing: [] as string[] };
  const deps: OrderDeps = {
    ledger,
    markets,
    fees,
    faults,
    now,
    refPrice: (m) => replay.refPrice(m, now()),
    ended: (m) => replay.ended(m),
    working: (o) => replay.submit(o),
    cancelled: (o) => replay.matcherOf(o.symbol)!.cancel(o.orderId),
    intentChecks,
    ...(opts.verifyIntent === undefined ? {} : { verifyIntent: opts.verifyIntent }),
  };
  const sync = (): void => streams.burst(() => replay.advance(now()));

  // request weight per wall-clock window, and bans for clients that ignore Retry-After
  const weightLimit = opts.weightLimit ?? 6000;
  const windowMs = opts.weightWindowMs ?? 60_000;
  const windowName = rateLimitInterval(windowMs);
  if (windowName === undefined)
    throw invalidInput(
      `sim: weight window ${windowMs} ms is not a whole number of seconds; Binance states windows in SECOND, MINUTE, HOUR or DAY`,
    );
  const usedHeader = usedWeightHeader(windowMs);
  const windowText = `${windowName.intervalNum === 1 ? "" : `${windowName.intervalNum} `}${windowName.interval.toLowerCase()}${windowName.intervalNum === 1 ? "" : "s"}`;
  const banMs = opts.banMs ?? 120_000;
  const orderLimits = opts.orderLimits ?? BINANCE_ORDER_LIMITS;
  for (const l of orderLimits)
    if (rateLimitInterval(l.windowMs) === undefined || !Number.isInteger(l.limit) || l.limit < 1)
      throw invalidInput(
        `sim: order limit ${l.limit} per ${l.windowMs} ms: give a whole number of orders per a whole number of seconds`,
      );
  const orderCounter = new OrderCounter(orderLimits);
  // an order's first fill takes it off the unfilled count, as on Binance
  ledger.onEvent((e) => {
    if (e.kind === "trade" && e.order.executedQty === e.trade.qty) orderCounter.firstFill(Date.now());
  });
  const orderCountHeaders = (counts: { windowMs: number; count: number }[]): Record<string, string> =>
    Object.fromEntries(
      counts.map((c) => {
        const r = rateLimitInterval(c.windowMs)!;
        return [`x-mbx-order-count-${r.intervalNum}${r.letter}`, String(c.count)];
      }),
    );
  // a create the exchange accepted counts against every ORDERS window (rejects do not)
  const counted = (r: Reply): Reply =>
    r.status === 200
      ? { ...r, headers: { ...r.headers, ...orderCountHeaders(orderCounter.placed(Date.now())) } }
      : r;
  let windowStart = Date.now();
  let used = 0;
  const windows: { start: number; used: number }[] = [];
  let retryUntil = 0;
  let bannedUntil = 0;
  const statusCounts = new Map<number, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const hangMs = opts.hangMs ?? 2000;

  const route = (
    method: string,
    path: string,
    rawQuery: string,
    rawBody: string,
    apiKeyHeader: string | undefined,
  ): Reply => {
    const p = requestParams(rawQuery, rawBody);
    const id = `${method} ${path}`;
    const signed = (fn: () => Reply): Reply => {
      const e = checkSigned(rawQuery, rawBody, apiKeyHeader, key, Date.now());
      return e === undefined ? fn() : fail(e.status, e.code, e.msg);
    };
    switch (id) {
      case "GET /api/v3/ping":
        return ok({});
      case "GET /api/v3/time":
        return ok({ serverTime: now() });
      case "GET /api/v3/exchangeInfo":
        return exchangeInfo(markets, now(), p, weightLimit, windowMs, orderLimits);
      case "GET /api/v3/klines":
        return klines(markets, p, now());
      // no futures are listed, but clients that load spot and USD-M markets together get an empty list
      case "GET /fapi/v1/exchangeInfo":
        return ok({
          timezone: "UTC",
          serverTime: now(),
          futuresType: "U_MARGINED",
          rateLimits: [],
          assets: [],
          symbols: [],
        });
      case "GET /fapi/v1/ping":
        return ok({});
      case "GET /fapi/v1/time":
        return ok({ serverTime: now() });
      case "POST /api/v3/order":
        return signed(() => {
          if (!key.canTrade) return fail(400, -2010, "This account may not place or cancel orders.");
          return createOrder(deps, p, undefined);
        });
      case "GET /api/v3/order":
        return signed(() => queryOrder(deps, p));
      case "DELETE /api/v3/order":
        return signed(() => cancelOrder(deps, p));
      case "GET /api/v3/openOrders":
        return signed(() => openOrders(deps, p));
      case "DELETE /api/v3/openOrders":
        return signed(() => cancelOpenOrders(deps, p));
      case "GET /api/v3/allOrders":
        return signed(() => allOrders(deps, p));
      case "GET /api/v3/myTrades":
        return signed(() => myTrades(deps, p));
      case "GET /api/v3/account":
        return signed(() =>
          ok(accountJson(ledger, key, feeFrac, now(), p.get("omitZeroBalances") === "true")),
        );
      case "GET /sapi/v1/account/apiRestrictions":
        return signed(() =>
          ok({
            ipRestrict: false,
            createTime: 0,
            enableReading: true,
            enableSpotAndMarginTrading: key.canTrade,
            enableWithdrawals: key.canWithdraw,
            enableInternalTransfer: false,
            enableMargin: false,
            enableFutures: false,
            permitsUniversalTransfer: false,
            enableVanillaOptions: false,
            enablePortfolioMarginTrading: false,
          }),
        );
      case "POST /api/v3/userDataStream":
      case "PUT /api/v3/userDataStream":
      case "DELETE /api/v3/userDataStream": {
        const e = checkApiKey(apiKeyHeader, key);
        if (e !== undefined) return fail(e.status, e.code, e.msg);
        if (method === "POST") return ok({ listenKey: streams.newListenKey() });
        if (!streams.listenKeys.has(p.get("listenKey") ?? ""))
          return fail(400, -1125, "This listenKey does not exist.");
        if (method === "DELETE") streams.listenKeys.delete(p.get("listenKey")!);
        return ok({});
      }
      case "GET /sim/ledger":
        if (opts.ledgerRoute === true) return ok(ledger.toJson());
        break;
      // says it is a simulated exchange and how its clock runs: a local client may then keep the
      // exchange's time (a time-scaled market clock is not the machine's)
      case "GET /sim/clock":
        return ok({
          simulated: true,
          clock: mode.kind === "manual" ? { kind: "manual" } : { kind: "real", speed: mode.speed },
          serverTime: now(),
        });
    }
    return fail(404, -1000, `no route ${method} ${path}`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const id = `${method} ${u.pathname}`;
    const send = (r: Reply): void => {
      statusCounts.set(r.status, (statusCounts.get(r.status) ?? 0) + 1);
      res.writeHead(r.status, {
        "content-type": "application/json;charset=UTF-8",
        "x-mbx-used-weight": String(used),
        [usedHeader]: String(used),
        ...r.headers,
      });
      res.end(JSON.stringify(r.body));
    };
    const wall = Date.now();
    if (wall < bannedUntil) {
      const sec = Math.ceil((bannedUntil - wall) / 1000);
      send({
        status: 418,
        body: {
          code: -1003,
          msg: `Way too many requests; IP(127.0.0.1) banned until ${bannedUntil}. Please use the websocket for live updates to avoid bans.`,
        },
        headers: { "retry-after": String(sec) },
      });
      return;
    }
    if (wall < retryUntil) {
      // it was told to wait and did not: ban it, as Binance does
      bannedUntil = wall + banMs;
      send({
        status: 418,
        body: {
          code: -1003,
          msg: `Way too many requests; IP(127.0.0.1) banned until ${bannedUntil}. Please use the websocket for live updates to avoid bans.`,
        },
        headers: { "retry-after": String(Math.ceil(banMs / 1000)) },
      });
      return;
    }
    if (wall - windowStart >= windowMs) {
      windows.push({ start: windowStart, used });
      windowStart = wall - ((wall - windowStart) % windowMs);
      used = 0;
    }
    const endpoint = ENDPOINTS[id];
    const fault = endpoint === undefined ? undefined : faults.http(endpoint);
    // Binance charges open orders of every market 80 instead of 6, and one order's trades 5 instead of 20
    const weight =
      id === "GET /api/v3/openOrders" && !u.searchParams.has("symbol") && !/(^|&)symbol=/.test(rawBody)
        ? 80
        : id === "GET /api/v3/myTrades" && u.searchParams.has("orderId")
          ? 5
          : (WEIGHTS[id] ?? 1);
    const tooMuch = used + weight > weightLimit;
    if (tooMuch || fault === "429") {
      const waitMs = tooMuch ? windowStart + windowMs - wall : (opts.retryAfterMs ?? 1000);
      // whole seconds as Binance sends them; below a second (a time-scaled test) in fractions
      const sec = waitMs >= 1000 ? Math.ceil(waitMs / 1000) : Math.max(0.001, Math.ceil(waitMs) / 1000);
      retryUntil = wall + sec * 1000;
      send({
        status: 429,
        body: {
          code: -1003,
          msg: `Too many requests; current limit of IP(127.0.0.1) is ${weightLimit} requests per ${windowText}. Please use the websocket for live updates to avoid polling the API.`,
        },
        headers: { "retry-after": String(sec) },
      });
      return;
    }
    used += weight;
    if (endpoint === "create") {
      const full = orderCounter.full(wall);
      if (full !== undefined) {
        const w = rateLimitInterval(full.limit.windowMs)!;
        const ms = full.retryAfterMs;
        send({
          status: 429,
          body: {
            code: -1015,
            msg: `Too many new orders; current limit is ${full.limit.limit} orders per ${w.intervalNum} ${w.interval}.`,
          },
          headers: {
            "retry-after": String(ms >= 1000 ? Math.ceil(ms / 1000) : Math.max(0.001, Math.ceil(ms) / 1000)),
          },
        });
        return;
      }
    }
    sync();
    if (fault === "timeout-before") {
      later(hangMs, () => res.destroy());
      return;
    }
    if (fault === "reject" && endpoint === "create") {
      const e = checkSigned(u.search.slice(1), rawBody, header(req, "x-mbx-apikey"), key, Date.now());
      send(
        e === undefined
          ? createOrder(deps, requestParams(u.search.slice(1), rawBody), "reject")
          : fail(e.status, e.code, e.msg),
      );
      return;
    }
    // a refused cancel leaves the order(s) open; a lookup that misses is Binance's lag right after a create
    if (fault === "reject" && (endpoint === "cancel" || endpoint === "cancelAll" || endpoint === "query")) {
      const e = checkSigned(u.search.slice(1), rawBody, header(req, "x-mbx-apikey"), key, Date.now());
      send(
        e !== undefined
          ? fail(e.status, e.code, e.msg)
          : endpoint === "cancel" || endpoint === "cancelAll"
            ? fail(400, -2011, "Unknown order sent.")
            : fail(400, -2013, "Order does not exist."),
      );
      return;
    }
    // a 5xx may or may not have been processed: the seed decides; a late timeout always was
    const process = fault !== "5xx" || faults.coin(`5xx:${endpoint}`);
    const routed = process
      ? route(method, u.pathname, u.search.slice(1), rawBody, header(req, "x-mbx-apikey"))
      : undefined;
    const reply = routed !== undefined && endpoint === "create" ? counted(routed) : routed;
    if (fault === "5xx") {
      send({
        status: 503,
        body: {
          code: -1007,
          msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
        },
      });
      return;
    }
    if (fault === "timeout-after") {
      later(hangMs, () => res.destroy());
      return;
    }
    send(reply!);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      // Binance's requests are a few hundred bytes; a body past 64 KiB is refused, not buffered
      if (size > 65_536) {
        res.writeHead(413, { "content-type": "application/json;charset=UTF-8", connection: "close" });
        res.end(JSON.stringify({ code: -1000, msg: "request body too large" }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (size <= 65_536) handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req, socket, head) => streams.upgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      streams.close();
      reject(
        err.code === "EADDRINUSE" || err.code === "EACCES"
          ? invalidInput(
              `sim: port ${opts.port} on 127.0.0.1 is ${err.code === "EADDRINUSE" ? "in use" : "not allowed"}; pick another --port (0 = any free port)`,
            )
          : err,
      );
    });
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // a real clock closes bars as market time passes them, so streams and fills run unprompted
  let ticker: NodeJS.Timeout | undefined;
  if (mode.kind === "real") {
    const minTf = Math.min(...finest.map((s) => timeframeMs(s.timeframe)));
    ticker = setInterval(sync, Math.max(5, Math.min(250, minTf / mode.speed / 4)));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    markets,
    faults,
    intentChecks,
    statusCounts,
    weight: () => ({ limit: weightLimit, windowMs, windows: [...windows, { start: windowStart, used }] }),
    orderLimits: () => orderCounter.use(),
    now,
    advance(ms: number) {
      if (mode.kind !== "manual") throw invalidInput("sim: advance() needs the manual clock");
      manual += ms;
      sync();
    },
    ledger: () => ledger.toJson(),
    check: () => ledger.check(),
    deposit(asset, amount) {
      const u = parseUnits(amount);
      if (u === undefined) throw invalidInput(`sim: deposit amount "${amount}" is not a decimal`);
      ledger.deposit(asset, u, now());
    },
    placeManualOrder(symbol, side, type, quantity, price) {
      sync();
      const p = new URLSearchParams({ symbol, side, type, quantity });
      if (price !== undefined) {
        p.set("price", price);
        p.set("timeInForce", "GTC");
      }
      p.set("newClientOrderId", `web_${ledger.orders.length + 1}`);
      return createOrder(deps, p, undefined);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ticker !== undefined) clearInterval(ticker);
        for (const t of timers) clearTimeout(t);
        streams.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function accountJson(
  ledger: Ledger,
  key: SimApiKey,
  fees: { maker: number; taker: number },
  now: number,
  omitZero: boolean,
): Record<string, unknown> {
  return {
    // Binance's legacy fields are in basis points
    makerCommission: Math.round(fees.maker * 10_000),
    takerCommission: Math.round(fees.taker * 10_000),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: fees.maker.toFixed(8),
      taker: fees.taker.toFixed(8),
      buyer: "0.00000000",
      seller: "0.00000000",
    },
    canTrade: key.canTrade,
    canWithdraw: key.canWithdraw,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: "SPOT",
    balances: [...ledger.balances]
      .filter(([, b]) => !omitZero || b.free !== 0n || b.locked !== 0n)
      .map(([asset, b]) => ({ asset, free: formatUnits(b.free), locked: formatUnits(b.locked) })),
    permissions: ["SPOT"],
    uid: 1,
  };
}
