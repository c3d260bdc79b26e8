// npm run bench -- trading [--orders N] [--runs N] [--bars N] [--only CASES] [--kills N]: one JSON line per case on stdout
// (throughput and close-to-wire: the median over --runs runs, default 3, with every run listed;
// close-to-wire over --bars bars a run, default 60, after 5 warm-up bars)
//  fsync-rate            the machine's durable commits per second on the home's disk (the physical
//                        limit of durable intents), measured in the same run
//  lifecycle-throughput  orders per second through intent -> sent -> acknowledged -> filled with
//                        synchronous=FULL against the paper venue: one order per decision (four
//                        fsync'd commits each) and 100 per decision (group commits)
//  close-to-wire-100x1m-paper  candle close to order on the wire on the in-process paper venue
//                        (the wire is the submit call)
//  close-to-wire-100x1m-sim    the same on the simulated exchange (`kairos sim`'s server in its own
//                        process, ccxt's real binance class, the live session loop): from the moment
//                        the exchange begins closing the bar (fills, then the kline events) to the
//                        moment it receives each order, both on the exchange's clock; every market
//                        buys every bar (100 orders a bar: the burst)
//  close-to-wire-100x1m-sim-cross  the same path with a 20/50 moving-average crossover on real 1m
//                        candles (each market its own stretch of the bundled bitstamp BTC/USD 1m):
//                        a bar's orders are those of the markets whose averages crossed (4x --bars)
//  close-to-wire-100x1m-sim-floor  the machine's floor of that path, measured beside it: the same
//                        exchange process, kline streams and 100 creates through CcxtBroker, sent
//                        as the last candle arrives, with nothing of kairos in between
//  (--only CASE[,CASE]: fsync-rate, throughput, wire-paper, wire-sim, wire-cross, wire-floor; default all)
//  r1-crash              (with --kills N) kill -9 the trading process N times: duplicates, unknown
//                        venue orders, lost fills, mismatching books (all must be 0)
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PaperBroker } from "../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../src/adapters/paper/paper-venue-store.ts";
import { SqliteOrderStore } from "../src/adapters/sqlite/sqlite-order-store.ts";
import { clientOrderId } from "../src/execution/client-order-id.ts";
import { defaultRules } from "../src/execution/market-rules.ts";
import { OrderLifecycle } from "../src/execution/order-lifecycle.ts";
import type { OrderRecord } from "../src/ports/order-store.ts";
import { runR1, setupR1, teardownR1 } from "../test/trading/r1-harness.ts";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    kills: { type: "string" },
    only: { type: "string" },
    bars: { type: "string", default: "60" },
    dir: { type: "string" },
  },
});
const base = values.dir ?? tmpdir();
const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ bench: "trading", ...o })}\n`);
};

function fsyncRate(dir: string, ms = 1500): number {
  const f = join(dir, "fsync-probe");
  const fd = openSync(f, "w");
  const buf = Buffer.alloc(4096, 1);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    writeSync(fd, buf, 0, buf.length, 0);
    fsyncSync(fd);
    n++;
  }
  closeSync(fd);
  rmSync(f);
  return (n * 1000) / (performance.now() - t0);
}

/**
 * `legs` orders per decision (one market each), through intent -> sent -> acknowledged -> filled.
 * One leg: four fsync'd commits per order. Many legs: the decision's intents, its `sent` marks,
 * its acknowledgements and the bar's fills are each one group commit
 */
async function throughput(
  dir: string,
  orders: number,
  legs: number,
): Promise<{ perSec: number; commitsPerOrder: number }> {
  const home = mkdtempSync(join(dir, "kairos-bench-trading-"));
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const store = SqliteOrderStore.open(home, clock.now);
  const pdb = openPaperDatabase(home);
  const symbols = Array.from({ length: legs }, (_, i) => `C${i}/USDT`);
  const paper = new PaperBroker(pdb, {
    account: "b",
    takerFee: "0.001",
    rules: symbols.map((s) => defaultRules(s, 60_000)),
    clock,
  });
  paper.fund({ USDT: "1000000000000" });
  const lc = new OrderLifecycle({ store, broker: paper, clock, sleep: async () => {} });
  store.createSession({
    id: "b",
    mode: "paper",
    venue: "paper",
    state: "active",
    config: {},
    createdAt: now,
    updatedAt: now,
  });
  const t0 = performance.now();
  for (let seq = 1; seq <= orders / legs; seq++) {
    const intents: OrderRecord[] = symbols.map((symbol, leg) => ({
      clientOrderId: clientOrderId("b", seq, leg),
      sessionId: "b",
      decisionSeq: seq,
      leg,
      venue: "paper",
      symbol,
      side: "buy",
      type: "market",
      qty: "0.001",
      state: "intent",
      filledQty: "0",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    }));
    store.recordDecision(
      { sessionId: "b", seq, barTs: now, targets: {}, explanation: "", createdAt: now },
      intents,
    );
    await lc.sendMany(intents.map((o) => o.clientOrderId));
    now += 60_000;
    const bar = { ts: now, open: 60_000, high: 60_010, low: 59_990, close: 60_000, volume: 10 };
    lc.recordFills(paper.onBars(symbols.map((symbol) => ({ symbol, bar }))), "paper");
  }
  const s = (performance.now() - t0) / 1000;
  const filled = store.ordersOf("b", ["filled"]).length;
  store.close();
  pdb.close();
  rmSync(home, { recursive: true, force: true });
  if (filled !== orders) throw new Error(`only ${filled} of ${orders} orders filled`);
  // per decision: intents (with their sent marks for several legs), acknowledgements, fills
  return { perSec: orders / s, commitsPerOrder: (legs === 1 ? 4 : 3) / legs };
}

const orders = Number(values.orders);
const runs = Math.max(1, Number(values.runs));
const median = (xs: readonly number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 === 1 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};
const only = values.only?.split(",");
const want = (c: string): boolean => only === undefined || only.includes(c);
const rate = want("fsync-rate") || want("throughput") ? fsyncRate(base) : 0;
if (want("fsync-rate")) emit({ case: "fsync-rate", unit: "fsync/s", value: Math.round(rate), dir: base });
for (const legs of want("throughput") ? [1, 100] : []) {
  const n = legs === 1 ? Math.min(orders, 500) : orders;
  const per: number[] = [];
  let commitsPerOrder = 0;
  for (let r = 0; r < runs; r++) {
    const t = await throughput(base, n, legs);
    per.push(t.perSec);
    commitsPerOrder = t.commitsPerOrder;
  }
  emit({
    case: legs === 1 ? "lifecycle-throughput-one-per-decision" : `lifecycle-throughput-${legs}-per-decision`,
    unit: "orders/s",
    value: Math.round(median(per)),
    runs: per.map((x) => Math.round(x)),
    orders: n,
    synchronous: "FULL",
    commitsPerOrder,
    fsyncPerSec: Math.round(rate),
    ceiling: Math.round(rate / commitsPerOrder),
    dir: base,
  });
}
/**
 * Candle close to order on the wire: `symbols` markets of 1m candles on the paper venue, a strategy
 * that flips every target each bar (one order per market per bar). From the moment a bar's close is
 * handed to the session (venue matching, fills recorded, decision, intents committed with
 * synchronous=FULL, sends) to each submit call
 */
async function closeToWire(
  dir: string,
  symbols: number,
  bars: number,
): Promise<{ p50: number; p99: number; n: number; cpuMsPerBar: number }> {
  const home = mkdtempSync(join(dir, "kairos-bench-wire-"));
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const store = SqliteOrderStore.open(home, clock.now);
  const pdb = openPaperDatabase(home);
  const names = Array.from({ length: symbols }, (_, i) => `C${i}/USDT`);
  const paper = new PaperBroker(pdb, {
    account: "w",
    takerFee: "0.001",
    rules: names.map((s) => defaultRules(s, 100)),
    clock,
  });
  paper.fund({ USDT: "100000000" });
  let barStart = 0;
  const lat: number[] = [];
  const wire = new Proxy(paper, {
    get(target, prop, recv) {
      if (prop === "submit")
        return (o: Parameters<typeof paper.submit>[0]) => {
          lat.push(performance.now() - barStart);
          return target.submit(o);
        };
      const v = Reflect.get(target, prop, recv);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const lc = new OrderLifecycle({ store, broker: wire, clock, sleep: async () => {} });
  const ts = Float64Array.from({ length: bars }, (_, i) => now + i * 60_000);
  const price = (i: number, t: number) => 100 + ((i * 7 + t * 13) % 17) / 10;
  const series = names.map((symbol, i) => {
    const c = Float64Array.from({ length: bars }, (_, t) => price(i, t));
    return {
      exchange: "bench",
      symbol,
      timeframe: "1m" as const,
      ts,
      open: c,
      high: c.map((x) => x + 0.5),
      low: c.map((x) => x - 0.5),
      close: c,
      volume: c.map(() => 1000),
    };
  });
  const strategy = {
    id: "flip",
    warmup: 0,
    onBar: (ctx: { bar: number }) => ({
      targets: Object.fromEntries(names.map((n) => [n, ctx.bar % 2 === 0 ? 0.005 : 0])),
    }),
  };
  const session = {
    id: "w",
    mode: "paper" as const,
    venue: "paper",
    state: "active" as const,
    config: {},
    createdAt: now,
    updatedAt: now,
  };
  store.createSession(session);
  const { TradingSession } = await import("../src/execution/trading-session.ts");
  const ts0 = new TradingSession(
    { store, broker: wire, lifecycle: lc, clock },
    {
      session,
      strategy,
      series,
      rules: new Map(names.map((n) => [n, defaultRules(n, 100)])),
      baseline: { USDT: "100000000" },
      startTs: ts[0]!,
    },
  );
  const cpu0 = process.cpuUsage();
  for (let t = 0; t < bars; t++) {
    now = ts[t]! + 60_000;
    barStart = performance.now();
    lc.recordFills(
      paper.onBars(
        names.map((symbol, i) => ({
          symbol,
          bar: {
            ts: ts[t]!,
            open: price(i, t),
            high: price(i, t) + 0.5,
            low: price(i, t) - 0.5,
            close: price(i, t),
            volume: 1000,
          },
        })),
      ),
      "paper",
    );
    await ts0.onClosedBar(t);
  }
  store.close();
  pdb.close();
  rmSync(home, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  const cpu = process.cpuUsage(cpu0);
  return { p50: q(0.5), p99: q(0.99), n: lat.length, cpuMsPerBar: (cpu.user + cpu.system) / 1000 / bars };
}

const wire: { p50: number; p99: number; n: number; cpuMsPerBar: number }[] = [];
for (let r = 0; r < runs && want("wire-paper"); r++) wire.push(await closeToWire(base, 100, 60));
if (want("wire-paper"))
  emit({
    case: "close-to-wire-100x1m-paper",
    unit: "ms",
    value: Number(median(wire.map((w) => w.p99)).toFixed(2)),
    p50: Number(median(wire.map((w) => w.p50)).toFixed(2)),
    p99Runs: wire.map((w) => Number(w.p99.toFixed(2))),
    p50Runs: wire.map((w) => Number(w.p50.toFixed(2))),
    cpuMsPerBar: Number(median(wire.map((w) => w.cpuMsPerBar)).toFixed(2)),
    fsyncsBeforeFirstSend: 2,
    orders: wire[0]!.n,
    symbols: 100,
    synchronous: "FULL",
    venue: "paper (in-process); the wire is the submit call",
    loadAvg1m: Number((await import("node:os")).loadavg()[0]!.toFixed(1)),
    dir: base,
  });

/** What the wire-sim child process reports: its URL once ready, then each bar's arrivals */
interface WireSimMsg {
  kind: string;
  url?: string;
  arrivals?: number[];
  advanceMs?: number;
  startEpoch?: number;
  problems?: string[];
}

/**
 * The simulated exchange of the close-to-wire cases in a child process of its own
 * (test/trading/wire-sim-child.ts): `symbols` markets of `bars` 1m candles on a manual clock the
 * bench moves bar by bar; `next` reads its next report
 */
async function startWireSim(
  symbols: number,
  bars: number,
  key: string,
  secret: string,
  source: "synthetic" | "real" = "synthetic",
): Promise<{
  child: import("node:child_process").ChildProcess;
  next: () => Promise<WireSimMsg>;
  url: string;
}> {
  const { fork } = await import("node:child_process");
  const child = fork(join(import.meta.dirname, "../test/trading/wire-sim-child.ts"), [], {
    execArgv: [
      "--import",
      "tsx",
      // KAIROS_WIRE_PROF=DIR: a CPU profile of the exchange's process, for a look at its share
      ...(process.env.KAIROS_WIRE_PROF === undefined
        ? []
        : ["--cpu-prof", `--cpu-prof-dir=${process.env.KAIROS_WIRE_PROF}`]),
    ],
    env: {
      ...process.env,
      WIRE_SYMBOLS: String(symbols),
      WIRE_BARS: String(bars),
      WIRE_KEY: key,
      WIRE_SECRET: secret,
      WIRE_SOURCE: source,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox: WireSimMsg[] = [];
  let wake: (() => void) | undefined;
  child.on("message", (m: WireSimMsg) => {
    inbox.push(m);
    wake?.();
  });
  const next = async (): Promise<WireSimMsg> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  const ready = await next();
  return { child, next, url: ready.url! };
}

/**
 * Candle close to order on the wire on the simulated exchange: its server in a child process
 * (test/trading/wire-sim-child.ts, a manual clock the bench moves one 1m bar at a time), kairos's
 * live session loop in this process as `trade start --live` runs it (the container's order store,
 * audit log and pre-trade gate, CcxtBroker over ccxt's real binance class with its defaults), a
 * dca strategy that buys every market every bar (one order per market per bar). Each latency is
 * the exchange's receipt of an order minus the moment it began to close the bar, on its clock
 */
async function closeToWireSim(
  dir: string,
  symbols: number,
  bars: number,
  load: "burst" | "cross" = "burst",
): Promise<{
  p50: number;
  p99: number;
  n: number;
  missing: number;
  advanceMs: number;
  cpuMsPerBar: number;
  steps: Record<string, number>;
}> {
  const { createContainer } = await import("../src/composition-root.ts");
  const { CcxtBroker } = await import("../src/adapters/ccxt/ccxt-broker.ts");
  const { CcxtMarketDataSource } = await import("../src/adapters/ccxt/ccxt-market-data-source.ts");
  const { runLiveSession } = await import("../src/app/trade-live-run.ts");
  const { createLiveSession } = await import("../src/app/trade-live-venue.ts");
  const { TEST_LIMITS, writeTestLimits } = await import("../test/trading/trading-limits.ts");
  const KEY = "kairosWireBenchKey0123456789";
  const SECRET = "kairosWireBenchSecretNeverPrinted";
  const warm = 5;
  const { child, next, url } = await startWireSim(
    symbols,
    500 + warm + bars + 50,
    KEY,
    SECRET,
    load === "cross" ? "real" : "synthetic",
  );
  const home = mkdtempSync(join(dir, "kairos-bench-wire-sim-"));
  const c = createContainer({ home });
  const names = Array.from({ length: symbols }, (_, i) => `W${String(i).padStart(3, "0")}/USDT`);
  // limits for 100 markets at one order each per bar; the clock is the exchange's (manual) one
  writeTestLimits(home, {
    ...TEST_LIMITS,
    allowlist: names.join(","),
    maxMessagesPerSecondVenue: String(symbols * 10),
    maxMessagesPerSecondStrategy: String(symbols * 10),
    throttleExecutions: String(symbols * (bars + warm + 10)),
    maxPriceAgeMs: String(86_400_000),
    maxExposureTotal: "10000000",
  });
  const d = c.trading();
  const deps = { ...d, live: { ...d.live!, clock: "venue" as const } };
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: url });
  const market = new CcxtMarketDataSource("binance", { apiBase: url });
  await createLiveSession(
    deps,
    "wire",
    {
      // burst: every market buys every bar (100 orders a bar); cross: a 20/50 moving-average
      // crossover on real 1m candles, each market trading when its own averages cross
      ...(load === "burst"
        ? { strategy: "dca", params: { every: 1, step: 0.005, takeProfit: 0 } }
        : { strategy: "sma-cross", params: { fast: 20, slow: 50 } }),
      symbols: names,
      timeframe: "1m",
      capital: 1_000_000,
      fee: 0.001,
      slippage: 0,
      reconcileEveryBars: 1_000_000,
      sizeFraction: 0.95,
    },
    "binance",
    broker,
  );
  let acted = 0;
  let ordersSent = 0;
  let onActed: (() => void) | undefined;
  // KAIROS_WIRE_MARKS=FILE: every step's monotonic time (us) and this process's CPU time (us), one line each
  const stepLog: string[] = [];
  let marks: Record<string, number> = {};
  const run = runLiveSession(deps, "wire", {
    trace: (step) => {
      marks[step] ??= performance.timeOrigin + performance.now();
      if (process.env.KAIROS_WIRE_MARKS !== undefined)
        stepLog.push(
          `${step} ${process.hrtime.bigint() / 1000n} ${((u) => u.user + u.system)(process.cpuUsage())}`,
        );
    },
    broker,
    market,
    pollMs: 20,
    clock: "venue",
    maxBars: warm + bars,
    onBar: (p) => {
      if (p.notes.length > 0) process.stderr.write(`wire-sim notes: ${p.notes.slice(0, 3).join("; ")}\n`);
      if (acted >= warm) ordersSent += p.orders;
      acted++;
      onActed?.();
    },
  });
  let failed: unknown;
  run.catch((err: unknown) => {
    failed = err;
    onActed?.();
  });
  /** Resolves once the session acted on `n` bars, it failed, or 5 s passed */
  const actedOn = async (n: number): Promise<void> => {
    const end = performance.now() + 5000;
    while (acted < n && failed === undefined && performance.now() < end) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(0, end - performance.now()));
        onActed = () => {
          clearTimeout(t);
          r();
        };
      });
      onActed = undefined;
    }
  };
  while (deps.orders.getSession("wire")?.state !== "active" && failed === undefined)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const lat: number[] = [];
  const adv: number[] = [];
  const steps: Record<string, number[]> = {};
  let missing = 0;
  let received = 0;
  let cpu0 = process.cpuUsage();
  for (let b = 0; b < warm + bars && failed === undefined; b++) {
    if (b === warm) cpu0 = process.cpuUsage();
    marks = {};
    let m: WireSimMsg;
    if (load === "burst") {
      child.send({ kind: "bar", expect: symbols, waitMs: 5000 });
      m = await next();
    } else {
      // how many orders a bar brings is the strategy's to say: the bar is over once it was acted on
      // (the session's sends return after the exchange answered every one)
      child.send({ kind: "bar", expect: Number.MAX_SAFE_INTEGER, waitMs: 5000 });
      // woken by the session's onBar (a timer polling here would take turns on the loop being measured)
      await actedOn(b + 1);
      child.send({ kind: "flush" });
      m = await next();
    }
    process.stderr.write(
      `wire-sim bar ${b}: ${m.arrivals!.length} orders, acted ${acted}, p50 ${m.arrivals!.length === 0 ? "-" : median(m.arrivals!).toFixed(1)} ms, last ${m.arrivals!.length === 0 ? "-" : Math.max(...m.arrivals!).toFixed(1)} ms\n`,
    );
    if (b >= warm) {
      // each step's share of the way: from the exchange starting the close to each mark, then the wire
      let prev = m.startEpoch!;
      for (const k of ["candles", "caught-up", "decided", "screened", "committed"]) {
        const at = marks[k];
        if (at === undefined) continue;
        (steps[k] ??= []).push(at - prev);
        prev = at;
      }
      const arr = [...m.arrivals!].sort((x, y) => x - y);
      if (arr.length > 0) {
        (steps["first-order"] ??= []).push(m.startEpoch! + arr[0]! - prev);
        (steps["last-order"] ??= []).push(arr[arr.length - 1]! - arr[0]!);
      }
      lat.push(...m.arrivals!);
      adv.push(m.advanceMs!);
      if (load === "burst") missing += Math.max(0, symbols - m.arrivals!.length);
      received += m.arrivals!.length;
    }
    await actedOn(b + 1);
    // the bar's after-work (acknowledgements, storing the candles) ends before the next close, as
    // it does a minute apart
    await new Promise((r) => setTimeout(r, 250));
  }
  const cpu = process.cpuUsage(cpu0);
  if (process.env.KAIROS_WIRE_MARKS !== undefined)
    (await import("node:fs")).writeFileSync(process.env.KAIROS_WIRE_MARKS, stepLog.join("\n"));
  await run.catch(() => undefined);
  child.send({ kind: "stop" });
  await new Promise((r) => child.once("exit", r));
  await broker.close();
  await market.close();
  c.close();
  // KAIROS_WIRE_KEEP=1 keeps the session's home (its audit log and order tables) for a look
  if (process.env.KAIROS_WIRE_KEEP === "1") process.stderr.write(`kept ${home}\n`);
  else rmSync(home, { recursive: true, force: true });
  if (failed !== undefined) throw failed;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return {
    p50: q(0.5),
    p99: q(0.99),
    n: lat.length,
    // burst: every market's order of every bar arrived; cross: every order the session sent arrived
    missing: load === "burst" ? missing : Math.max(0, ordersSent - received),
    advanceMs: median(adv),
    cpuMsPerBar: (cpu.user + cpu.system) / 1000 / bars,
    steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)])),
  };
}

/**
 * The floor of the same path on this machine, measured beside it: the same exchange process, the
 * same kline streams and the same 100 creates through CcxtBroker (ccxt's binance class, its signing
 * and its weight gate), sent the moment every market's candle is in, with nothing of kairos between
 * (no fills, strategy, risk gate, store or audit log). What kairos adds is the difference
 */
async function closeToWireFloor(
  symbols: number,
  bars: number,
): Promise<{ p50: number; p99: number; n: number }> {
  const { CcxtBroker } = await import("../src/adapters/ccxt/ccxt-broker.ts");
  const KEY = "kairosWireFloorKey0123456789";
  const SECRET = "kairosWireFloorSecretNeverPrinted";
  const warm = 5;
  const { child, next, url } = await startWireSim(symbols, 500 + warm + bars + 50, KEY, SECRET);
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: url });
  const names = Array.from({ length: symbols }, (_, i) => `W${String(i).padStart(3, "0")}/USDT`);
  for (const sym of names) await broker.marketRules(sym);
  let sent = 0;
  const seen = new Map<number, number>();
  const stop = await broker.subscribeCandles!(names, "1m", (e) => {
    if (e.kind !== "candle") return;
    const n = (seen.get(e.ts) ?? 0) + 1;
    seen.set(e.ts, n);
    if (n !== symbols) return;
    const batch = sent++;
    void Promise.all(
      names.map((symbol, i) =>
        broker.submit({
          clientOrderId: `floor-${batch}-${i}`,
          symbol,
          side: "buy",
          type: "market",
          quantity: "0.1",
        }),
      ),
    );
  });
  await new Promise((r) => setTimeout(r, 300));
  const lat: number[] = [];
  for (let b = 0; b < warm + bars; b++) {
    child.send({ kind: "bar", expect: symbols, waitMs: 5000 });
    const m = await next();
    if (b >= warm) lat.push(...m.arrivals!);
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  child.send({ kind: "stop" });
  await new Promise((r) => child.once("exit", r));
  await broker.close();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { p50: q(0.5), p99: q(0.99), n: lat.length };
}

if (want("wire-floor")) {
  const fl: Awaited<ReturnType<typeof closeToWireFloor>>[] = [];
  for (let r = 0; r < runs; r++) fl.push(await closeToWireFloor(100, Number(values.bars)));
  emit({
    case: "close-to-wire-100x1m-sim-floor",
    unit: "ms",
    value: Number(median(fl.map((w) => w.p99)).toFixed(2)),
    p50: Number(median(fl.map((w) => w.p50)).toFixed(2)),
    p99Runs: fl.map((w) => Number(w.p99.toFixed(2))),
    p50Runs: fl.map((w) => Number(w.p50.toFixed(2))),
    orders: fl[0]!.n,
    symbols: 100,
    bars: Number(values.bars),
    venue:
      "the machine's floor: the same exchange process, kline streams and 100 creates through CcxtBroker, sent as the last candle arrives, nothing of kairos between",
    loadAvg1m: Number((await import("node:os")).loadavg()[0]!.toFixed(1)),
  });
}
for (const load of ["burst", "cross"] as const) {
  if (!want(load === "burst" ? "wire-sim" : "wire-cross")) continue;
  // the crossover trades a few markets a bar: more bars for as many orders to take a p99 over
  const bars = load === "burst" ? Number(values.bars) : Number(values.bars) * 4;
  const sims: Awaited<ReturnType<typeof closeToWireSim>>[] = [];
  for (let r = 0; r < runs; r++) sims.push(await closeToWireSim(base, 100, bars, load));
  emit({
    case: load === "burst" ? "close-to-wire-100x1m-sim" : "close-to-wire-100x1m-sim-cross",
    unit: "ms",
    value: Number(median(sims.map((w) => w.p99)).toFixed(2)),
    p50: Number(median(sims.map((w) => w.p50)).toFixed(2)),
    p99Runs: sims.map((w) => Number(w.p99.toFixed(2))),
    p50Runs: sims.map((w) => Number(w.p50.toFixed(2))),
    cpuMsPerBar: Number(median(sims.map((w) => w.cpuMsPerBar)).toFixed(2)),
    simCloseBarMs: Number(median(sims.map((w) => w.advanceMs)).toFixed(2)),
    // median ms per bar of each step, in order: the exchange closing the bar until kairos holds every
    // market's candle, fills caught up, strategy decided, risk gate, intents committed, first order
    // received by the exchange, and from the first to the last order received
    stepsMs: Object.fromEntries(
      Object.keys(sims[0]!.steps).map((k) => [
        k,
        Number(median(sims.map((w) => w.steps[k] ?? Number.NaN)).toFixed(2)),
      ]),
    ),
    orders: sims[0]!.n,
    ordersPerBar: Number((sims[0]!.n / bars).toFixed(2)),
    missing: sims.reduce((a, w) => a + w.missing, 0),
    symbols: 100,
    bars,
    strategy:
      load === "burst"
        ? "dca buying every market every bar (synthetic candles)"
        : "sma-cross 20/50 on real 1m candles (bundled bitstamp BTC/USD, a stretch per market)",
    synchronous: "FULL",
    venue: "simulated exchange (own process) via ccxt binance; the wire is its receipt of the create",
    loadAvg1m: Number((await import("node:os")).loadavg()[0]!.toFixed(1)),
    dir: base,
  });
}
if (values.kills !== undefined) {
  const env = await setupR1();
  const t1 = performance.now();
  const s = await runR1(env, Number(values.kills), 20_261_204);
  teardownR1(env);
  emit({
    case: "r1-crash",
    unit: "kills",
    value: s.kills,
    seconds: Math.round((performance.now() - t1) / 1000),
    duplicateOrders: s.duplicateOrders,
    unknownVenueOrders: s.unknownVenueOrders,
    lostFills: s.lostFills,
    extraFills: s.extraFills,
    mismatches: s.mismatches.length,
    byPoint: s.byPoint,
  });
}
