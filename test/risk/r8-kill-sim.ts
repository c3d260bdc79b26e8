// What R8 (test/risk/r8-kill.test.ts) and `npm run bench -- risk` share: the simulated exchange on
// three bundled markets in a process of its own, ccxt's binance class pointed at it (CcxtBroker)
// through a door that stamps arrivals, a home with the real
// SQLite order store and audit log, and 50 resting limit orders per symbol placed through the
// order lifecycle, ready to be killed
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import type { LedgerJson } from "../../src/adapters/sim-exchange/ledger.ts";
import { createContainer } from "../../src/composition-root.ts";
import { decimalsOf } from "../../src/domain/instrument.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { MarketRules } from "../../src/ports/broker.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { BUNDLED_SIM_KEY } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

export const R8_SYMBOLS = ["BTC/USDT", "ETH/USDT", "NEAR/USDT"] as const;
const HOUR = 3_600_000;

/** A price or quantity written at its step's decimals */
export const fmt = (x: number, step: string): string => x.toFixed(decimalsOf(Number(step)));

export interface KillRig {
  sim: RemoteSim;
  broker: CcxtBroker;
  home: string;
  rules: Map<string, MarketRules>;
  /** the close of the last closed bar of a symbol at the exchange's time */
  ref(symbol: string): number;
  /** client order ids the exchange was asked to create, with when (performance.now()) */
  creates: { id: string; at: number }[];
  /**
   * when each cancel request reached the exchange's door (performance.now()): "sent" on the wire;
   * a bulk cancel of a market (DELETE /api/v3/openOrders) is `*SYMBOL`
   */
  cancelsArrived: { id: string; at: number }[];
  /**
   * a broker on the exchange through the door, with ccxt's own default throttle (binance 50 ms per
   * request): kairos's weight gate off, since with it on ccxt's limiter is turned off
   */
  throttledBroker(): CcxtBroker;
  close(): Promise<void>;
}

/** The exchange in its own process (r8-sim-child.ts), reached over HTTP */
export interface RemoteSim {
  readonly url: string;
  /** the exchange's market time (a manual clock: it does not move during the run) */
  now(): number;
  ledger(): Promise<LedgerJson>;
  close(): Promise<void>;
}

async function startRemoteSim(): Promise<RemoteSim> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", resolve(import.meta.dirname, "r8-sim-child.ts"), R8_SYMBOLS.join(",")],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) ok(line.trim());
    });
    child.on("exit", (code) => fail(new Error(`the simulated exchange exited (${code}) before it listened`)));
  });
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`)).json()) as T;
  const time = (await get<{ serverTime: number }>("/api/v3/time")).serverTime;
  return {
    url,
    now: () => time,
    ledger: () => get<LedgerJson>("/sim/ledger"),
    close: () =>
      new Promise<void>((ok) => {
        child.on("exit", () => ok());
        child.kill("SIGTERM");
      }),
  };
}

/** client order id of a create or cancel request (query string or form body) */
const clientIdOf = (url: string, body: string, name: string): string =>
  new URL(url, "http://x").searchParams.get(name) ?? new URLSearchParams(body).get(name) ?? "";

export async function startKillRig(
  prefix: string,
  opts: {
    /** ms the door holds a create (by client order id) before it forwards it: a create still on its way */
    holdCreateMs?: (clientOrderId: string) => number;
  } = {},
): Promise<KillRig> {
  const sim = await startRemoteSim();
  // a pass-through door in front of the exchange stamps each request's arrival: a cancel counts as
  // sent when it reaches the exchange, not when kairos hands it to ccxt (whose throttle may queue
  // it); every create is counted here too ("0 submits after the latch")
  const creates: { id: string; at: number }[] = [];
  const cancelsArrived: { id: string; at: number }[] = [];
  const target = new URL(sim.url);
  const door = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "";
      if (path.startsWith("/api/v3/order") && req.method === "DELETE")
        cancelsArrived.push({ id: clientIdOf(path, body.toString(), "origClientOrderId"), at });
      // a bulk cancel covers every order of its market: counted once per market as `*SYMBOL`
      if (path.startsWith("/api/v3/openOrders") && req.method === "DELETE")
        cancelsArrived.push({ id: `*${clientIdOf(path, body.toString(), "symbol")}`, at });
      let holdMs = 0;
      if (path.startsWith("/api/v3/order") && req.method === "POST") {
        const id = clientIdOf(path, body.toString(), "newClientOrderId");
        creates.push({ id, at });
        holdMs = opts.holdCreateMs?.(id) ?? 0;
      }
      const forward = (): void => {
        const fwd = request(
          { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        fwd.on("error", () => res.destroy());
        fwd.end(body);
      };
      if (holdMs > 0) setTimeout(forward, holdMs);
      else forward();
    });
  });
  await new Promise<void>((ok) => door.listen(0, "127.0.0.1", ok));
  const doorUrl = `http://127.0.0.1:${(door.address() as AddressInfo).port}`;
  // ccxt's timeout as the product sets it (10 s), not the tests' 2 s: on this loaded machine a 2 s
  // timeout turns slow answers into retries
  const broker = bundledSimBroker({ url: doorUrl }, { timeoutMs: 10_000 });
  const rules = new Map<string, MarketRules>();
  for (const s of R8_SYMBOLS) rules.set(s, await broker.marketRules(s));
  const series = new Map(R8_SYMBOLS.map((s) => [s, loadBundledSeries("binance", s, "1h")]));
  const home = mkdtempSync(join(process.platform === "linux" ? "/dev/shm" : tmpdir(), prefix));
  return {
    sim,
    broker,
    home,
    rules,
    creates,
    cancelsArrived,
    throttledBroker: () =>
      new CcxtBroker("binance", {
        apiKey: BUNDLED_SIM_KEY.key,
        secret: BUNDLED_SIM_KEY.secret,
        apiBase: doorUrl,
        requestWeight: false,
      }),
    ref(symbol) {
      const s = series.get(symbol as (typeof R8_SYMBOLS)[number])!;
      let i = s.ts.length - 1;
      while (i > 0 && s.ts[i]! + HOUR > sim.now()) i--;
      return s.close[i]!;
    },
    async close() {
      await broker.close();
      door.closeAllConnections();
      await new Promise((ok) => door.close(ok));
      await sim.close();
    },
  };
}

/**
 * Opens the home as a trading process does (audited order store) and places `perSymbol` resting
 * limit buys per symbol (half the market price: they never fill) in one decision of a new live
 * session, through the lifecycle (intent committed, then sent, acknowledged by the exchange)
 */
export async function placeResting(
  rig: KillRig,
  sessionId: string,
  perSymbol: number,
): Promise<{ container: ReturnType<typeof createContainer>; ids: string[] }> {
  const container = createContainer({ home: rig.home });
  const t = container.trading();
  const now = Date.now();
  t.orders.createSession({
    id: sessionId,
    mode: "live",
    venue: rig.broker.venue,
    state: "active",
    config: { exchange: "binance", symbols: [...R8_SYMBOLS], timeframe: "1h", strategy: "r8" },
    createdAt: now,
    updatedAt: now,
  });
  const intents: OrderRecord[] = [];
  for (const symbol of R8_SYMBOLS)
    for (let k = 0; k < perSymbol; k++)
      intents.push(
        restingBuy(rig, {
          clientOrderId: `${sessionId}-${intents.length}`,
          sessionId,
          seq: 1,
          leg: intents.length,
          symbol,
          ticksBelow: k,
          at: now,
        }),
      );
  t.orders.recordDecision(
    { sessionId, seq: 1, barTs: now, targets: {}, explanation: "R8: resting orders to kill", createdAt: now },
    intents,
  );
  const lifecycle = new OrderLifecycle({
    store: t.orders,
    broker: rig.broker,
    clock: t.clock,
    sleep: t.sleep,
  });
  const sent = await lifecycle.sendMany(intents.map((o) => o.clientOrderId));
  const notOpen = sent.filter((o) => o.state !== "acknowledged");
  if (notOpen.length > 0)
    throw new Error(
      `R8 setup: ${notOpen.length} orders not resting (${notOpen[0]!.state}: ${notOpen[0]!.reason})`,
    );
  return { container, ids: intents.map((o) => o.clientOrderId) };
}

/**
 * A limit buy intent that rests on the exchange: at `fraction` (default half) of the market's last
 * close, `ticksBelow` ticks lower, for twice the minimum notional
 */
export function restingBuy(
  rig: KillRig,
  o: {
    clientOrderId: string;
    sessionId: string;
    seq: number;
    leg: number;
    symbol: string;
    ticksBelow?: number;
    fraction?: number;
    at: number;
  },
): OrderRecord {
  const r = rig.rules.get(o.symbol)!;
  const price =
    Math.floor((rig.ref(o.symbol) * (o.fraction ?? 0.5)) / Number(r.tickSize)) * Number(r.tickSize);
  const qty = Math.ceil((2 * Number(r.minNotional)) / price / Number(r.stepSize)) * Number(r.stepSize);
  return {
    clientOrderId: o.clientOrderId,
    sessionId: o.sessionId,
    decisionSeq: o.seq,
    leg: o.leg,
    venue: rig.broker.venue,
    symbol: o.symbol,
    side: "buy",
    type: "limit",
    qty: fmt(qty, r.stepSize),
    limitPrice: fmt(price - (o.ticksBelow ?? 0) * Number(r.tickSize), r.tickSize),
    state: "intent",
    filledQty: "0",
    attempts: 0,
    createdAt: o.at,
    updatedAt: o.at,
  };
}

/** Open orders as the exchange itself lists them (GET /api/v3/openOrders), per client id prefix */
export const openOnExchange = async (rig: KillRig, prefix = ""): Promise<number> =>
  (await rig.broker.openOrders()).filter((o) => o.clientOrderId.startsWith(prefix)).length;

/** Nearest-rank percentile */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Pulls the kill switch at `t0 = performance.now()` and adds, to killAll's own figures, when the
 * last first cancel request (an order's, or a market's bulk cancel) reached the exchange (wireSendMs)
 */
export async function killMeasured<T extends { sendMs: number; confirmMs: number }>(
  rig: KillRig,
  pull: () => Promise<T>,
): Promise<T & { wireSendMs: number }> {
  const from = rig.cancelsArrived.length;
  const t0 = performance.now();
  const r = await pull();
  // each order's first cancel request counts (a retry after a timeout is in the confirm time)
  const first = new Map<string, number>();
  for (const a of rig.cancelsArrived.slice(from)) if (!first.has(a.id)) first.set(a.id, a.at);
  return { ...r, wireSendMs: first.size === 0 ? 0 : Math.max(...first.values()) - t0 };
}
