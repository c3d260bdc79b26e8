// Binance spot public REST answered from the replayed series (ping, time, exchangeInfo, klines, the
// empty futures listing) and the sim's own GET /sim/ledger and /sim/clock: a candle exists once it
// has opened on the market clock, and the one holding the clock is served unclosed, as Binance does
import { isTimeframe, timeframeMs } from "../../domain/timeframe.ts";
import { exchangeInfoSymbol, type SimMarket } from "./markets.ts";
import { formatUnits, unitsOf } from "./units.ts";

/** An answer: HTTP status and JSON body */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A request as the routes read it */
export interface SimRequest {
  readonly method: string;
  readonly path: string;
  /** the query string without "?" and the body: signed as sent */
  readonly rawQuery: string;
  readonly rawBody: string;
  /** the X-MBX-APIKEY header */
  readonly apiKey: string | undefined;
  /** query and form body merged, as Binance reads them */
  readonly params: URLSearchParams;
}

/** What the public routes read of the exchange around them (state.ts's SimState) */
export interface PublicDeps {
  readonly markets: Map<string, SimMarket>;
  /** market clock */
  now(): number;
  readonly weight: { readonly limit: number; readonly windowMs: number };
  readonly orderLimits: readonly { limit: number; windowMs: number }[];
  readonly clock: { readonly mode: { kind: "manual" } | { kind: "real"; speed: number } };
  /** GET /sim/ledger is served with `ledgerRoute` */
  readonly opts: { readonly ledgerRoute?: boolean };
  readonly ledger: { toJson(): unknown };
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const fail = (status: number, code: number, msg: string): Reply => ({ status, body: { code, msg } });

export const RATE_LIMITS = [
  { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
  { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
  { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200000 },
  { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
];

const px = (x: number): string => formatUnits(unitsOf(x));

const intParam = (q: URLSearchParams, k: string): number | undefined => {
  const v = q.get(k);
  return v === null || !/^\d+$/.test(v) ? undefined : Number(v);
};

/** Binance's units for a rate-limit window: the largest that divides it ("MINUTE" 1, "SECOND" 10) */
const UNITS = [
  ["DAY", "d", 86_400_000],
  ["HOUR", "h", 3_600_000],
  ["MINUTE", "m", 60_000],
  ["SECOND", "s", 1000],
] as const;

/** A window in Binance's terms; undefined when it is not a whole number of seconds */
export function rateLimitInterval(
  windowMs: number,
): { interval: string; intervalNum: number; letter: string } | undefined {
  if (!Number.isInteger(windowMs) || windowMs <= 0) return undefined;
  for (const [interval, letter, ms] of UNITS)
    if (windowMs % ms === 0) return { interval, intervalNum: windowMs / ms, letter };
  return undefined;
}

/** The header Binance names after the window it counts in: x-mbx-used-weight-1m, -1s, ... */
export function usedWeightHeader(windowMs: number): string {
  const r = rateLimitInterval(windowMs);
  return r === undefined ? "x-mbx-used-weight-1m" : `x-mbx-used-weight-${r.intervalNum}${r.letter}`;
}

/** The reply of a public route; undefined when `METHOD /path` is none of them */
export function publicRoute(s: PublicDeps, req: SimRequest): Reply | undefined {
  switch (`${req.method} ${req.path}`) {
    case "GET /api/v3/ping":
      return ok({});
    case "GET /api/v3/time":
      return ok({ serverTime: s.now() });
    case "GET /api/v3/exchangeInfo":
      return exchangeInfo(s.markets, s.now(), req.params, s.weight.limit, s.weight.windowMs, s.orderLimits);
    case "GET /api/v3/klines":
      return klines(s.markets, req.params, s.now());
    // no futures are listed, but clients that load spot and USD-M markets together get an empty list
    case "GET /fapi/v1/exchangeInfo":
      return ok({
        timezone: "UTC",
        serverTime: s.now(),
        futuresType: "U_MARGINED",
        rateLimits: [],
        assets: [],
        symbols: [],
      });
    case "GET /fapi/v1/ping":
      return ok({});
    case "GET /fapi/v1/time":
      return ok({ serverTime: s.now() });
    case "GET /sim/ledger":
      return s.opts.ledgerRoute === true ? ok(s.ledger.toJson()) : undefined;
    // says it is a simulated exchange and how its clock runs: a local client may then keep the
    // exchange's time (a time-scaled market clock is not the machine's)
    case "GET /sim/clock": {
      const mode = s.clock.mode;
      return ok({
        simulated: true,
        clock: mode.kind === "manual" ? { kind: "manual" } : { kind: "real", speed: mode.speed },
        serverTime: s.now(),
      });
    }
  }
  return undefined;
}

export function exchangeInfo(
  markets: Map<string, SimMarket>,
  now: number,
  q: URLSearchParams,
  weightLimit = 6000,
  weightWindowMs = 60_000,
  orderLimits: readonly { limit: number; windowMs: number }[] = [
    { limit: 100, windowMs: 10_000 },
    { limit: 200_000, windowMs: 86_400_000 },
  ],
): Reply {
  const win = rateLimitInterval(weightWindowMs) ?? { interval: "MINUTE", intervalNum: 1 };
  const one = q.get("symbol");
  const list = [...markets.values()].filter((m) => one === null || m.id === one);
  if (one !== null && list.length === 0) return fail(400, -1121, "Invalid symbol.");
  return ok({
    timezone: "UTC",
    serverTime: now,
    rateLimits: [
      // the windows the exchange really counts in (a time-scaled run counts Binance's minute in a second)
      { ...RATE_LIMITS[0]!, interval: win.interval, intervalNum: win.intervalNum, limit: weightLimit },
      ...orderLimits.map((l) => {
        const w = rateLimitInterval(l.windowMs) ?? { interval: "SECOND", intervalNum: 10 };
        return { rateLimitType: "ORDERS", interval: w.interval, intervalNum: w.intervalNum, limit: l.limit };
      }),
      RATE_LIMITS[3]!,
    ],
    exchangeFilters: [],
    symbols: list.map(exchangeInfoSymbol),
  });
}

// GET /api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=...&endTime=...&limit=500
export function klines(markets: Map<string, SimMarket>, q: URLSearchParams, now: number): Reply {
  const m = markets.get(q.get("symbol") ?? "");
  const interval = q.get("interval") ?? "";
  if (m === undefined) return fail(400, -1121, "Invalid symbol.");
  if (!isTimeframe(interval)) return fail(400, -1120, "Invalid interval.");
  const s = m.series.find((x) => x.timeframe === interval);
  if (s === undefined) return fail(400, -1120, "Invalid interval.");
  const limit = Math.min(intParam(q, "limit") ?? 500, 1000);
  const start = intParam(q, "startTime");
  const end = Math.min(intParam(q, "endTime") ?? Number.POSITIVE_INFINITY, now);
  const tf = timeframeMs(interval);
  const idx: number[] = [];
  if (start !== undefined) {
    for (let i = lowerBound(s.ts, start); i < s.ts.length && idx.length < limit && s.ts[i]! <= end; i++)
      idx.push(i);
  } else {
    for (let i = lowerBound(s.ts, end + 1) - 1; i >= 0 && idx.length < limit; i--) idx.unshift(i);
  }
  return ok(
    idx.map((i) => {
      const t = s.ts[i]!;
      // the candle holding the clock is served as at its first instant: its path is the future
      const live = t + tf > now;
      const o = s.open[i]!;
      const v = live ? 0 : s.volume[i]!;
      const c = live ? o : s.close[i]!;
      return [
        t,
        px(o),
        px(live ? o : s.high[i]!),
        px(live ? o : s.low[i]!),
        px(c),
        px(v),
        t + tf - 1,
        px(v * c),
        live ? 0 : Math.round(v * 10) + 1,
        px(v * 0.5),
        px(v * 0.5 * c),
        "0",
      ];
    }),
  );
}

/** First index with ts[i] >= t */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
