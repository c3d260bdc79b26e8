// What R8 (test/risk/r8-kill.test.ts) and `npm run bench -- risk` share: the simulated exchange on
// three bundled markets, ccxt's binance class pointed at it (CcxtBroker), a home with the real
// SQLite order store and audit log, and 50 resting limit orders per symbol placed through the
// order lifecycle, ready to be killed
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { createContainer } from "../../src/composition-root.ts";
import { decimalsOf } from "../../src/domain/instrument.ts";
import type { Timeframe } from "../../src/domain/timeframe.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { MarketRules } from "../../src/ports/broker.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { BUNDLED_SIM_KEY, startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

export const R8_SYMBOLS = ["BTC/USDT", "ETH/USDT", "NEAR/USDT"] as const;
const HOUR = 3_600_000;

/** A price or quantity written at its step's decimals */
export const fmt = (x: number, step: string): string => x.toFixed(decimalsOf(Number(step)));

export interface KillRig {
  sim: SimExchange;
  broker: CcxtBroker;
  home: string;
  rules: Map<string, MarketRules>;
  /** the close of the last closed bar of a symbol at the exchange's time */
  ref(symbol: string): number;
  /** client order ids the exchange was asked to create, with when (performance.now()) */
  creates: { id: string; at: number }[];
  /** when each cancel request reached the exchange's door (performance.now()): "sent" on the wire */
  cancelsArrived: number[];
  /** a broker on the exchange through the door, with ccxt's own default throttle (as built without rateLimitMs) */
  throttledBroker(): CcxtBroker;
  close(): Promise<void>;
}

export async function startKillRig(prefix: string): Promise<KillRig> {
  const creates: { id: string; at: number }[] = [];
  const sim = await startBundledSimExchange({
    markets: R8_SYMBOLS.map((symbol) => ({ symbol, timeframe: "1h" as Timeframe })),
    balances: { USDT: "100000000" },
    // every create the exchange receives, stamped on arrival: "0 submits after the latch" is counted here
    verifyIntent: (id) => {
      creates.push({ id, at: performance.now() });
      return true;
    },
    // the weight limit has its own test (R5); 150 cancels use 150 of Binance's 6,000 a minute
    weightLimit: 1e9,
  });
  // a pass-through door in front of the exchange stamps each request's arrival: a cancel counts as
  // sent when it reaches the exchange, not when kairos hands it to ccxt (whose throttle may queue it)
  const cancelsArrived: number[] = [];
  const door = createServer((req, res) => {
    if (req.method === "DELETE" && (req.url ?? "").startsWith("/api/v3/order"))
      cancelsArrived.push(performance.now());
    const target = new URL(sim.url);
    const fwd = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((ok) => door.listen(0, "127.0.0.1", ok));
  const doorUrl = `http://127.0.0.1:${(door.address() as AddressInfo).port}`;
  const broker = bundledSimBroker({ url: doorUrl });
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
  for (const symbol of R8_SYMBOLS) {
    const r = rig.rules.get(symbol)!;
    const price = Math.floor((rig.ref(symbol) * 0.5) / Number(r.tickSize)) * Number(r.tickSize);
    const qty = Math.ceil((2 * Number(r.minNotional)) / price / Number(r.stepSize)) * Number(r.stepSize);
    for (let k = 0; k < perSymbol; k++)
      intents.push({
        clientOrderId: `${sessionId}-${intents.length}`,
        sessionId,
        decisionSeq: 1,
        leg: intents.length,
        venue: rig.broker.venue,
        symbol,
        side: "buy",
        type: "limit",
        qty: fmt(qty, r.stepSize),
        limitPrice: fmt(price - k * Number(r.tickSize), r.tickSize),
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
  }
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

/** Open orders on the exchange's own books (its ledger), per client id prefix */
export const openOnExchange = (sim: SimExchange, prefix = ""): number =>
  sim
    .ledger()
    .orders.filter(
      (o) =>
        (o.status === "NEW" || o.status === "PARTIALLY_FILLED") && String(o.clientOrderId).startsWith(prefix),
    ).length;

/** Nearest-rank percentile */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Pulls the kill switch at `t0 = performance.now()` and adds, to killAll's own figures, when the
 * last cancel reached the exchange (wireSendMs)
 */
export async function killMeasured<T extends { sendMs: number; confirmMs: number }>(
  rig: KillRig,
  pull: () => Promise<T>,
): Promise<T & { wireSendMs: number }> {
  const from = rig.cancelsArrived.length;
  const t0 = performance.now();
  const r = await pull();
  const arrived = rig.cancelsArrived.slice(from);
  return { ...r, wireSendMs: arrived.length === 0 ? 0 : Math.max(...arrived) - t0 };
}
