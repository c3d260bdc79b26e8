// What one running simulated exchange holds, built once from its options (SimExchangeOptions, here
// and re-exported by server.ts; checked here, so a bad one is refused before a port opens) and
// shared by the request path (admission.ts, routes-public.ts, routes-signed.ts), the server's
// wiring and the handle it returns: the books, the replay and its market clock, the streams, the
// weight windows and the unfilled-order counter
import type { CandleSeries } from "../../domain/candle-series.ts";
import { timeframeMs } from "../../domain/timeframe.ts";
import { invalidInput } from "../../errors.ts";
import type { SimApiKey } from "./auth.ts";
import { FaultPlan, type FaultRates, noFaults, parseFaults } from "./faults.ts";
import { Ledger } from "./ledger.ts";
import { listMarkets, type SimMarket } from "./markets.ts";
import type { Matcher } from "./matcher.ts";
import { BINANCE_ORDER_LIMITS, OrderCounter, type OrderLimit } from "./order-limits.ts";
import type { OrderDeps, SimFees } from "./orders.ts";
import { Replay } from "./replay.ts";
import { rateLimitInterval, usedWeightHeader } from "./routes-public.ts";
import { Streams } from "./streams.ts";
import { parseUnits } from "./units.ts";
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

/** The market clock: `start` plus wall time x speed, or `manual` moved by the handle's `advance` */
export interface SimClock {
  readonly mode: SimClockMode;
  readonly start: number;
  manual: number;
  /** the finest bar of any market (a real clock's ticker closes bars a few times per bar) */
  readonly barMs: number;
}

/** REQUEST_WEIGHT per window of wall time, and the Retry-After and ban a client was given */
export interface WeightState {
  readonly limit: number;
  readonly windowMs: number;
  /** the used-weight header named after the window: x-mbx-used-weight-1m, -1s, ... */
  readonly header: string;
  /** the window as a 429 words it: "minute", "10 seconds" */
  readonly text: string;
  /** the current window (wall clock) and the weight used in it */
  start: number;
  used: number;
  readonly closed: { start: number; used: number }[];
  /** told to wait until then: a request before it is banned */
  retryUntil: number;
  bannedUntil: number;
  readonly banMs: number;
}

/** One simulated exchange's state */
export interface SimState {
  readonly opts: SimExchangeOptions;
  readonly markets: Map<string, SimMarket>;
  readonly key: SimApiKey;
  /** fee fractions of notional, as `account` states them */
  readonly feeFrac: { maker: number; taker: number };
  readonly faults: FaultPlan;
  readonly ledger: Ledger;
  readonly clock: SimClock;
  readonly streams: Streams;
  readonly replay: Replay;
  /** what the order endpoints of orders.ts work on */
  readonly orders: OrderDeps;
  readonly intentChecks: { checked: number; committed: number; missing: string[] };
  readonly weight: WeightState;
  readonly orderLimits: readonly OrderLimit[];
  readonly orderCounter: OrderCounter;
  /** requests answered per HTTP status */
  readonly statusCounts: Map<number, number>;
  /** market clock, epoch ms */
  now(): number;
  /** closes the bars the market clock has passed, their frames corked into one write per connection */
  sync(): void;
}

const ppm = (x: number): bigint => BigInt(Math.round(x * 1_000_000));

/** Checks the options and builds the state; nothing listens yet */
export function createSimState(opts: SimExchangeOptions): SimState {
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
  const clock: SimClock = {
    mode,
    start,
    manual: start,
    barMs: Math.min(...finest.map((s) => timeframeMs(s.timeframe))),
  };
  const now = (): number =>
    mode.kind === "manual" ? clock.manual : Math.floor(start + (Date.now() - wall0) * mode.speed);

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
  const orders: OrderDeps = {
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
  // every request syncs; most find nothing due and skip corking the connections for nothing
  const sync = (): void => {
    if (replay.due(now())) streams.burst(() => replay.advance(now()));
  };

  // request weight per wall-clock window, and bans for clients that ignore Retry-After
  const weightLimit = opts.weightLimit ?? 6000;
  const windowMs = opts.weightWindowMs ?? 60_000;
  const windowName = rateLimitInterval(windowMs);
  if (windowName === undefined)
    throw invalidInput(
      `sim: weight window ${windowMs} ms is not a whole number of seconds; Binance states windows in SECOND, MINUTE, HOUR or DAY`,
    );
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
  const weight: WeightState = {
    limit: weightLimit,
    windowMs,
    header: usedWeightHeader(windowMs),
    text: `${windowName.intervalNum === 1 ? "" : `${windowName.intervalNum} `}${windowName.interval.toLowerCase()}${windowName.intervalNum === 1 ? "" : "s"}`,
    start: Date.now(),
    used: 0,
    closed: [],
    retryUntil: 0,
    bannedUntil: 0,
    banMs: opts.banMs ?? 120_000,
  };
  return {
    opts,
    markets,
    key,
    feeFrac,
    faults,
    ledger,
    clock,
    streams,
    replay,
    orders,
    intentChecks,
    weight,
    orderLimits,
    orderCounter,
    statusCounts: new Map<number, number>(),
    now,
    sync,
  };
}
