// Request admission: what a request passes before an endpoint answers it, in Binance's order: a ban
// (418), the REQUEST_WEIGHT limit (429, and a ban for a client that sends within its Retry-After),
// the seeded fault plan's draw, the unfilled-order (ORDERS) limit on creates (429 -1015); then the
// SIGNED check (auth.ts) a signed route runs, and the order-count headers an accepted create carries.
// Kept apart from the routes so the limits read as one table and one sequence
import { checkSigned } from "./auth.ts";
import type { FaultEndpoint, HttpFault } from "./faults.ts";
import { fail, type Reply, rateLimitInterval, type SimRequest } from "./routes-public.ts";
import type { SimState } from "./state.ts";

/** Let through (with the fault drawn for it, if any) or refused with this reply */
export type Admission =
  | { readonly refused: Reply }
  | { readonly endpoint: FaultEndpoint | undefined; readonly fault: HttpFault | undefined };

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

/**
 * Admits `METHOD /path` (`id`) at wall time `wall`, counting its weight; `query` is the query string
 * alone, as Binance prices openOrders and myTrades by it
 */
export function admit(
  s: SimState,
  id: string,
  query: URLSearchParams,
  rawBody: string,
  wall: number,
): Admission {
  const w = s.weight;
  if (wall < w.bannedUntil)
    return { refused: banned(w.bannedUntil, Math.ceil((w.bannedUntil - wall) / 1000)) };
  if (wall < w.retryUntil) {
    // it was told to wait and did not: ban it, as Binance does
    w.bannedUntil = wall + w.banMs;
    return { refused: banned(w.bannedUntil, Math.ceil(w.banMs / 1000)) };
  }
  if (wall - w.start >= w.windowMs) {
    w.closed.push({ start: w.start, used: w.used });
    w.start = wall - ((wall - w.start) % w.windowMs);
    w.used = 0;
  }
  const endpoint = ENDPOINTS[id];
  const fault = endpoint === undefined ? undefined : s.faults.http(endpoint);
  // Binance charges open orders of every market 80 instead of 6, and one order's trades 5 instead of 20
  const weight =
    id === "GET /api/v3/openOrders" && !query.has("symbol") && !/(^|&)symbol=/.test(rawBody)
      ? 80
      : id === "GET /api/v3/myTrades" && query.has("orderId")
        ? 5
        : (WEIGHTS[id] ?? 1);
  const tooMuch = w.used + weight > w.limit;
  if (tooMuch || fault === "429") {
    const sec = retryAfterSec(tooMuch ? w.start + w.windowMs - wall : (s.opts.retryAfterMs ?? 1000));
    w.retryUntil = wall + sec * 1000;
    return {
      refused: {
        status: 429,
        body: {
          code: -1003,
          msg: `Too many requests; current limit of IP(127.0.0.1) is ${w.limit} requests per ${w.text}. Please use the websocket for live updates to avoid polling the API.`,
        },
        headers: { "retry-after": String(sec) },
      },
    };
  }
  w.used += weight;
  if (endpoint === "create") {
    const full = s.orderCounter.full(wall);
    if (full !== undefined) {
      const r = rateLimitInterval(full.limit.windowMs)!;
      return {
        refused: {
          status: 429,
          body: {
            code: -1015,
            msg: `Too many new orders; current limit is ${full.limit.limit} orders per ${r.intervalNum} ${r.interval}.`,
          },
          headers: { "retry-after": String(retryAfterSec(full.retryAfterMs)) },
        },
      };
    }
  }
  return { endpoint, fault };
}

/** Runs a SIGNED endpoint once its key, signature and timestamp pass (auth.ts) */
export function signed(s: SimState, req: SimRequest, fn: () => Reply): Reply {
  const e = checkSigned(req.rawQuery, req.rawBody, req.apiKey, s.key, Date.now(), req.params);
  return e === undefined ? fn() : fail(e.status, e.code, e.msg);
}

/** A create the exchange accepted counts against every ORDERS window (rejects do not) */
export function counted(s: SimState, r: Reply): Reply {
  if (r.status !== 200) return r;
  const headers: Record<string, string> = { ...r.headers };
  for (const c of s.orderCounter.placed(Date.now())) headers[orderCountHeader(c.windowMs)] = String(c.count);
  return { status: r.status, body: r.body, headers };
}

/** x-mbx-order-count-10s, -1d, ...: named once per window, not on every create */
const countHeaders = new Map<number, string>();
const orderCountHeader = (windowMs: number): string => {
  let h = countHeaders.get(windowMs);
  if (h === undefined) {
    const w = rateLimitInterval(windowMs)!;
    h = `x-mbx-order-count-${w.intervalNum}${w.letter}`;
    countHeaders.set(windowMs, h);
  }
  return h;
};

// whole seconds as Binance sends them; below a second (a time-scaled test) in fractions
const retryAfterSec = (ms: number): number =>
  ms >= 1000 ? Math.ceil(ms / 1000) : Math.max(0.001, Math.ceil(ms) / 1000);

const banned = (until: number, sec: number): Reply => ({
  status: 418,
  body: {
    code: -1003,
    msg: `Way too many requests; IP(127.0.0.1) banned until ${until}. Please use the websocket for live updates to avoid bans.`,
  },
  headers: { "retry-after": String(sec) },
});
