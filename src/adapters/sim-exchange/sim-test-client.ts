// Test-only: what this folder's protocol tests (sim-exchange, sim-admission, sim-streams .test.ts)
// share to drive the simulated exchange over raw HTTP: a sim where nothing trades, and a client that
// signs a call the way Binance documents (HMAC-SHA256 of query + body). Nothing in the exchange imports it
import { createHmac } from "node:crypto";
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Matcher } from "./matcher.ts";
import { type SimExchange, type SimExchangeOptions, startSimExchange } from "./server.ts";

export const KEY = "test-key-0001";
export const SECRET = "test-secret-0001";

// protocol tests need a venue where nothing trades: orders rest until cancelled
const resting = (): Matcher => ({ submit() {}, cancel() {}, closeBar: () => ({ fills: [], expired: [] }) });

/**
 * `sim` starts a simulated exchange on `series` (the test file's bundled BTC/USDT 1h) with a manual
 * clock where nothing trades; `closeSims` (the file's afterEach) closes every one it started
 */
export function simsOn(series: CandleSeries): {
  sim(o?: Partial<SimExchangeOptions>): Promise<SimExchange>;
  closeSims(): Promise<void>;
} {
  const opened: SimExchange[] = [];
  return {
    async sim(o = {}) {
      const s = await startSimExchange({
        series: [series],
        apiKey: { key: KEY, secret: SECRET },
        matcher: resting,
        clock: { kind: "manual" },
        ...o,
      });
      opened.push(s);
      return s;
    },
    async closeSims() {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    },
  };
}

export interface Call {
  status: number;
  body: { code?: number; msg?: string } & Record<string, unknown>;
  headers: Headers;
}

/** A raw request, signed as Binance documents unless told otherwise */
export async function call(
  s: SimExchange,
  method: string,
  path: string,
  params: Record<string, string> = {},
  o: { secret?: string; key?: string | null; timestamp?: number; sign?: boolean } = {},
): Promise<Call> {
  const q = new URLSearchParams({ ...params, timestamp: String(o.timestamp ?? Date.now()) });
  let query = q.toString();
  if (o.sign !== false)
    query += `&signature=${createHmac("sha256", o.secret ?? SECRET)
      .update(query)
      .digest("hex")}`;
  const headers: Record<string, string> = {};
  if (o.key !== null) headers["X-MBX-APIKEY"] = o.key ?? KEY;
  const post = method === "POST";
  const res = await fetch(`${s.url}${path}${post ? "" : `?${query}`}`, {
    method,
    headers: post ? { ...headers, "content-type": "application/x-www-form-urlencoded" } : headers,
    ...(post ? { body: query } : {}),
  });
  return { status: res.status, body: (await res.json()) as Call["body"], headers: res.headers };
}

export const limitBuy = (cid: string, price = "20000.00", quantity = "0.01000") => ({
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity,
  price,
  newClientOrderId: cid,
});
