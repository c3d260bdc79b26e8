// The local exchange: a real HTTP server on 127.0.0.1 speaking Binance's public REST API from the
// bundled data, with switchable faults. Point ccxt's real `binance` class at `url` (every API
// origin rewritten to it). It grows into the simulated trading exchange later: add private
// routes beside binance-routes.ts, keeping MarketData as the source of prices.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { binanceRoute, type Reply } from "./binance-routes.ts";
import { type Fault, Faults } from "./faults.ts";
import { MarketData } from "./market-data.ts";

/** One request the exchange saw, for assertions */
export interface SeenRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  fault?: Fault["kind"];
  /** the client closed the connection before the answer was sent (it stopped waiting) */
  abandoned?: boolean;
}

export interface LocalExchange {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly faults: Faults;
  readonly requests: SeenRequest[];
  readonly data: MarketData;
  /** The exchange's clock: candles opening after it do not exist yet, the one holding it is unclosed */
  now: number;
  close(): Promise<void>;
}

export interface LocalExchangeOptions {
  /** epoch ms of the exchange clock (default: just after the last bundled candle closed) */
  now?: number;
  exchange?: string;
}

/** Starts the exchange on an ephemeral loopback port */
export async function startLocalExchange(opts: LocalExchangeOptions = {}): Promise<LocalExchange> {
  const data = new MarketData(opts.exchange ?? "binance");
  const faults = new Faults();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let latest = 0;
  for (const m of data.markets.values())
    for (const s of m.series.values()) latest = Math.max(latest, s.ts[s.ts.length - 1]!);
  const state = { now: opts.now ?? latest + 86_400_000 };

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const seen: SeenRequest = {
      at: Date.now(),
      method: req.method ?? "GET",
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      status: 0,
    };
    requests.push(seen);
    res.on("close", () => {
      if (!res.writableFinished) seen.abandoned = true;
    });
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      seen.status = status;
      res.writeHead(status, {
        "content-type": "application/json;charset=UTF-8",
        "x-mbx-used-weight-1m": "2",
        ...headers,
      });
      res.end(body);
    };
    const fault = faults.take(u.pathname);
    if (fault !== undefined) seen.fault = fault.kind;
    if (fault?.kind === "rate-limit") {
      const msg =
        "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.";
      send(429, JSON.stringify({ code: -1003, msg }), { "retry-after": String(fault.retryAfterSec) });
      return;
    }
    if (fault?.kind === "server-error") {
      seen.status = fault.status;
      res.writeHead(fault.status, { "content-type": "text/html" });
      res.end(`<html><body><h1>${fault.status} Server Error</h1></body></html>`);
      return;
    }
    if (fault?.kind === "timeout") {
      seen.status = -1;
      later(fault.delayMs, () => res.destroy());
      return;
    }
    if (fault?.kind === "exchange-error") {
      send(fault.status, JSON.stringify({ code: fault.code, msg: fault.msg }));
      return;
    }
    const reply: Reply =
      req.method !== "GET"
        ? { status: 405, body: { code: -1000, msg: "only public GET endpoints are served" } }
        : (binanceRoute(data, u.pathname, u.searchParams, state.now) ?? {
            status: 404,
            body: { code: -1000, msg: `no route ${u.pathname}` },
          });
    let body = reply.body;
    if (fault?.kind === "truncate" && reply.rows !== undefined) body = reply.rows.slice(0, fault.rows);
    if (fault?.kind === "slow") later(fault.delayMs, () => send(reply.status, JSON.stringify(body)));
    else send(reply.status, JSON.stringify(body));
  };

  const server = createServer(handle);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    requests,
    data,
    get now() {
      return state.now;
    },
    set now(v: number) {
      state.now = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
