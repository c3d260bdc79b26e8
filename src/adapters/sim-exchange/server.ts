// The simulated exchange: a real HTTP + WebSocket server on 127.0.0.1 speaking Binance's spot API
// (see README.md). This file is the wiring: the state (state.ts) built once, the node:http server
// whose dispatch passes a request, in order, through admission (ban 418, request weight 429, the
// seeded fault draw, the ORDERS limit: admission.ts), the fault's effect, then its route
// (routes-public.ts, routes-signed.ts, signature checked there); WebSocket upgrades go to streams.ts
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { invalidInput } from "../../errors.ts";
import { admit, counted } from "./admission.ts";
import { requestParams } from "./auth.ts";
import type { FaultPlan } from "./faults.ts";
import type { LedgerJson } from "./ledger.ts";
import type { SimMarket } from "./markets.ts";
import type { OrderLimitUse } from "./order-limits.ts";
import { createOrder } from "./orders.ts";
import { fail, publicRoute, type Reply, type SimRequest } from "./routes-public.ts";
import { rejectedRoute, signedRoute } from "./routes-signed.ts";
import { createSimState, type SimExchangeOptions } from "./state.ts";
import { parseUnits } from "./units.ts";

export type { SimClockMode, SimExchangeOptions } from "./state.ts";

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

/** Starts the simulated exchange on 127.0.0.1 */
export async function startSimExchange(opts: SimExchangeOptions): Promise<SimExchange> {
  const state = createSimState(opts);
  const { ledger, streams, weight, clock } = state;
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

  const route = (req: SimRequest): Reply =>
    publicRoute(state, req) ??
    signedRoute(state, req) ??
    fail(404, -1000, `no route ${req.method} ${req.path}`);

  // one function for every reply, not a closure made per request (run through tsx, each named
  // closure also costs a defineProperty for its name)
  const send = (res: ServerResponse, r: Reply): void => {
    state.statusCounts.set(r.status, (state.statusCounts.get(r.status) ?? 0) + 1);
    res.writeHead(r.status, {
      "content-type": "application/json;charset=UTF-8",
      "x-mbx-used-weight": String(weight.used),
      [weight.header]: String(weight.used),
      ...r.headers,
    });
    res.end(JSON.stringify(r.body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const admitted = admit(state, `${method} ${u.pathname}`, u.searchParams, rawBody, Date.now());
    if ("refused" in admitted) {
      send(res, admitted.refused);
      return;
    }
    const { endpoint, fault } = admitted;
    state.sync();
    if (fault === "timeout-before") {
      later(hangMs, () => res.destroy());
      return;
    }
    const rawQuery = u.search.slice(1);
    const request: SimRequest = {
      method,
      path: u.pathname,
      rawQuery,
      rawBody,
      apiKey: header(req, "x-mbx-apikey"),
      params: requestParams(rawQuery, rawBody),
    };
    // a reject fault answers in place of the route (create, cancel, cancelAll, query)
    const rejected = fault === "reject" ? rejectedRoute(state, request, endpoint) : undefined;
    if (rejected !== undefined) {
      send(res, rejected);
      return;
    }
    // a 5xx may or may not have been processed: the seed decides; a late timeout always was
    const process = fault !== "5xx" || state.faults.coin(`5xx:${endpoint}`);
    const routed = process ? streams.userBurst(() => route(request)) : undefined;
    const reply = routed !== undefined && endpoint === "create" ? counted(state, routed) : routed;
    if (fault === "5xx") {
      send(res, {
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
    send(res, reply!);
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
  if (clock.mode.kind === "real")
    ticker = setInterval(state.sync, Math.max(5, Math.min(250, clock.barMs / clock.mode.speed / 4)));

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    markets: state.markets,
    faults: state.faults,
    intentChecks: state.intentChecks,
    statusCounts: state.statusCounts,
    weight: () => ({
      limit: weight.limit,
      windowMs: weight.windowMs,
      windows: [...weight.closed, { start: weight.start, used: weight.used }],
    }),
    orderLimits: () => state.orderCounter.use(),
    now: state.now,
    advance(ms: number) {
      if (clock.mode.kind !== "manual") throw invalidInput("sim: advance() needs the manual clock");
      clock.manual += ms;
      state.sync();
    },
    ledger: () => ledger.toJson(),
    check: () => ledger.check(),
    deposit(asset, amount) {
      const u = parseUnits(amount);
      if (u === undefined) throw invalidInput(`sim: deposit amount "${amount}" is not a decimal`);
      ledger.deposit(asset, u, state.now());
    },
    placeManualOrder(symbol, side, type, quantity, price) {
      state.sync();
      const p = new URLSearchParams({ symbol, side, type, quantity });
      if (price !== undefined) {
        p.set("price", price);
        p.set("timeInForce", "GTC");
      }
      p.set("newClientOrderId", `web_${ledger.orders.length + 1}`);
      return createOrder(state.orders, p, undefined);
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
