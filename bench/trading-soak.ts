// npm run bench -- trading-soak [--symbols 20] [--hours 24] [--warmup-h 4] [--speed 90] [--sample-s 5]
//   [--fast 5] [--slow 20] [--out FILE] [--snapshots DIR]
// A time-compressed soak of a live trading process that trades. This process runs the simulated
// exchange (startSimExchange, the server `kairos sim` starts) over seeded random-walk 1m candles for
// `symbols` markets, its clock `speed` x real time, and spawns the trading process: the use case
// `kairos trade start --live --exchange binance --confirm-live binance --api-base URL` runs
// (startTrading: key checks, createLiveSession, runLiveSession with CcxtBroker over ccxt's real
// binance class, the user-data stream, the pre-trade gate and audit log, SQLite order store with
// synchronous=FULL) with two differences the CLI cannot express yet: the gate's clock is the
// venue's (a 90x exchange has no wall-clock meaning, so a wall-clock gate refuses every order on
// skew) and ccxt's own request spacing is off (the exchange is local, its weight limit lifted).
// The strategy is sma-cross (fast/slow on 1m bars), which changes target every few dozen bars per
// market: hundreds to thousands of market orders that fill on the exchange's ledger.
// After `hours` simulated hours acted on, the trading process stops its session the way
// `kairos trade stop` does and exits; this process then reconciles (`kairos trade reconcile`'s use
// case) and compares kairos's orders and fills one by one with the exchange's ledger.
// The trading process gets the environment the product gives `kairos trade start` (bin/kairos.js
// relaunches long-running commands with glibc's malloc settings: longRunningEnv in
// src/shells/cli/long-running.mjs), unless the bench itself was started with one of them set.
// The trading process (node --expose-gc) forces a full GC before each sample, then records RSS, V8
// heap used and open file descriptors (/proc/self/fd) every `sample-s` seconds. Warm-up is the first
// `warmup-h` simulated hours; after it the samples are cut into 2-hour windows of simulated time and
// each window's minimum is taken (fairer than an instantaneous value); growth = last window's minimum
// over the first one's, and the largest window minimum over the first one's. Pass: both <= 5%.
// stdout: one JSON line per case; progress to stderr; samples to --out (JSON lines).
import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { writeHeapSnapshot } from "node:v8";
import { CcxtBroker } from "../src/adapters/ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../src/adapters/ccxt/ccxt-market-data-source.ts";
import type { LedgerJson } from "../src/adapters/sim-exchange/ledger.ts";
import { startSimExchange } from "../src/adapters/sim-exchange/server.ts";
import { setRisk } from "../src/app/risk-limits.ts";
import { stopTrading } from "../src/app/trade-control.ts";
import { reconcileLive } from "../src/app/trade-live-run.ts";
import type { TradingDeps } from "../src/app/trade-runtime.ts";
import { startTrading } from "../src/app/trade-start.ts";
import { createContainer } from "../src/composition-root.ts";
import type { CandleSeries } from "../src/domain/candle-series.ts";
import { createRng } from "../src/domain/random.ts";
import { ALLOCATOR_ENV, longRunningEnv } from "../src/shells/cli/long-running.mjs";

const { values } = parseArgs({
  options: {
    symbols: { type: "string", default: "20" },
    hours: { type: "string", default: "24" },
    "warmup-h": { type: "string", default: "4" },
    speed: { type: "string", default: "90" },
    "sample-s": { type: "string", default: "5" },
    fast: { type: "string", default: "5" },
    slow: { type: "string", default: "20" },
    out: { type: "string" },
    snapshots: { type: "string" },
    "sqlite-cache-kib": { type: "string" },
    child: { type: "string" },
    api: { type: "string" },
    bars: { type: "string" },
  },
});
const MIN = 60_000;
const KEY = "kairosSoakKey0123456789";
const SECRET = "kairosSoakSecret0123456789";
const SESSION = "soak";
const symbolsOf = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `S${String(i).padStart(2, "0")}/USDT`);

interface Sample {
  wallS: number;
  /** bars acted on so far (= simulated minutes since the session started) */
  bars: number;
  /** orders sent so far */
  orders: number;
  rss: number;
  /** RSS split (/proc/self/status): anonymous memory (heaps, SQLite's page cache) and file-backed pages (code, the mapped database) */
  rssAnon: number;
  rssFile: number;
  /** kairos.db + its WAL on disk: SQLite's page cache and the mapped file grow with it up to their bounds */
  dbBytes: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  fds: number;
  /** of which sockets (HTTP keep-alive connections come and go with load; a leak would only grow) */
  sockets: number;
  lagP99Ms: number;
  /** taken after the session returned */
  final?: boolean;
}

if (values.child !== undefined) await child(values.child, values.api!, Number(values.bars));
else await parent();

/** Seeded random-walk 1m candles with slow trending stretches */
function synth(symbol: string, n: number, seed: number, t0: number): CandleSeries {
  const r = createRng(seed);
  const rng = (): number => r.next();
  const cols = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let p = 50 + rng() * 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.max(1, p * (1 + (rng() - 0.5) * 0.004 + Math.sin(i / 240 + seed) * 0.0004));
    cols.ts[i] = t0 + i * MIN;
    cols.open[i] = o;
    cols.close[i] = p;
    cols.high[i] = Math.max(o, p) * (1 + rng() * 0.001);
    cols.low[i] = Math.min(o, p) * (1 - rng() * 0.001);
    cols.volume[i] = 1000 + rng() * 1000;
  }
  return { exchange: "binance", symbol, timeframe: "1m", ...cols };
}

async function parent(): Promise<void> {
  const nSym = Number(values.symbols);
  const bars = Math.round(Number(values.hours) * 60);
  const warmBars = Math.round(Number(values["warmup-h"]) * 60);
  const speed = Number(values.speed);
  const history = 600;
  const t0 = Date.UTC(2025, 0, 1);
  // bars beyond the run: a trading process that falls behind the exchange's clock still reaches its count
  const series = symbolsOf(nSym).map((s, i) => synth(s, history + bars + 1200, 1000 + i, t0));
  // the weight limit is lifted: the soak measures memory and descriptors, not throttling (R5 does that)
  const sim = await startSimExchange({
    series,
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "real", speed },
    start: t0 + history * MIN,
    balances: { USDT: "1000000" },
    weightLimit: 10_000_000,
  });
  const home = mkdtempSync(join(tmpdir(), "kairos-soak-"));
  // limits wide enough that the strategy's own orders pass; every check still runs and is audited
  for (const [key, value] of Object.entries({
    allowlist: symbolsOf(nSym).join(","),
    maxOrderValue: "1000000",
    maxOrderQty: "1000000",
    maxExposurePerSymbol: "2000000",
    maxExposureTotal: "2000000",
    maxDailyLoss: "1000000",
    maxDrawdown: "1",
    maxPriceAgeMs: String(7 * 86_400_000),
    maxMessagesPerSecondVenue: "10000",
    maxMessagesPerSecondStrategy: "10000",
    throttleExecutions: "1000000",
  }))
    setRisk({ home, now: () => Date.now() }, { key, value, by: "soak" });
  const out = values.out ?? join(home, "samples.jsonl");
  process.stderr.write(
    `soak: ${nSym} markets x ${bars} 1m bars (${(bars / 60).toFixed(1)} simulated hours, warm-up ${warmBars / 60} h) at ${speed}x; home ${home}; samples ${out}\n`,
  );
  // the environment `kairos trade start` runs with (bin/kairos.js relaunches long-running commands with
  // it: src/shells/cli/long-running.mjs), unless this process was started with a setting of its own
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    KAIROS_BINANCE_API_KEY: KEY,
    KAIROS_BINANCE_SECRET: SECRET,
  };
  const childEnv = longRunningEnv(base) ?? base;
  const allocator = Object.fromEntries(Object.keys(ALLOCATOR_ENV).map((k) => [k, childEnv[k] ?? null]));
  process.stderr.write(`soak: trading process allocator settings ${JSON.stringify(allocator)}\n`);
  const loadBefore = loadavg();
  const started = Date.now();
  const p = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      "tsx",
      import.meta.filename,
      "--child",
      home,
      "--api",
      sim.url,
      "--bars",
      String(bars),
      "--sample-s",
      values["sample-s"]!,
      "--fast",
      values.fast!,
      "--slow",
      values.slow!,
      "--warmup-h",
      values["warmup-h"]!,
      ...(values.snapshots === undefined ? [] : ["--snapshots", values.snapshots]),
      ...(values["sqlite-cache-kib"] === undefined ? [] : ["--sqlite-cache-kib", values["sqlite-cache-kib"]]),
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: childEnv,
    },
  );
  const samples: Sample[] = [];
  let buf = "";
  p.stdout.on("data", (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith("{")) samples.push(JSON.parse(line) as Sample);
    }
  });
  const code = await new Promise<number | null>((r) => p.on("close", r));
  const wallMin = (Date.now() - started) / MIN;
  writeFileSync(out, `${samples.map((s) => JSON.stringify(s)).join("\n")}\n`);

  // correctness: after `kairos trade reconcile`'s pass, kairos's books against the exchange's ledger
  const c = createContainer({ home });
  const d = c.trading();
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url, rateLimitMs: 1 });
  const atExit = compare(d, sim.ledger());
  const rec = await reconcileLive(d, SESSION, broker);
  const cmp = compare(d, sim.ledger());
  const ledgerProblems = sim.check();
  await broker.close();
  c.close();
  await sim.close();

  const last = samples.at(-1);
  const warmDb = samples.find((s) => s.bars > warmBars)?.dbBytes ?? 0;
  const emit = (o: Record<string, unknown>): void => {
    process.stdout.write(
      `${JSON.stringify({ bench: "trading-soak", symbols: nSym, timeframe: "1m", speed, ...o })}\n`,
    );
  };
  emit({
    case: "run",
    unit: "simulated-hours",
    value: Number(((last?.bars ?? 0) / 60).toFixed(1)),
    wallMinutes: Number(wallMin.toFixed(1)),
    barsActed: last?.bars ?? 0,
    samples: samples.length,
    exit: code,
    allocator,
    loadBefore,
    load: loadavg(),
    // kairos.db + WAL at the end of warm-up and at the end: the page cache and mapped file follow it
    databaseMB: [warmDb, last?.dbBytes ?? 0].map((v) => Number((v / 2 ** 20).toFixed(1))),
    samplesFile: out,
  });
  emit({
    case: "ledger-match",
    unit: "differences",
    value: cmp.differences.length,
    ordersKairos: cmp.kairosOrders,
    ordersLedger: cmp.ledgerOrders,
    rejectedByVenue: cmp.rejected,
    fillsKairos: cmp.kairosFills,
    fillsLedger: cmp.ledgerFills,
    differencesAtExit: atExit.differences.length,
    reconcileOk: rec.ok,
    ledgerCheck: ledgerProblems.length,
    firstDifferences: cmp.differences.slice(0, 5),
  });
  const steady = samples.filter((s) => s.bars > warmBars && s.final !== true);
  const windowBars = 120;
  for (const [metric, unit, get] of [
    ["rss", "MB", (s: Sample) => s.rss / 2 ** 20],
    ["rss-anon", "MB", (s: Sample) => s.rssAnon / 2 ** 20],
    ["rss-file", "MB", (s: Sample) => s.rssFile / 2 ** 20],
    ["heap-used-after-gc", "MB", (s: Sample) => s.heapUsed / 2 ** 20],
    ["open-fds", "fds", (s: Sample) => s.fds],
    ["open-sockets", "fds", (s: Sample) => s.sockets],
  ] as const) {
    // the minimum of each 2-hour window of simulated time after warm-up
    const mins = new Map<number, number>();
    for (const s of steady) {
      const w = Math.floor((s.bars - warmBars - 1) / windowBars);
      mins.set(w, Math.min(mins.get(w) ?? Number.POSITIVE_INFINITY, get(s)));
    }
    const ws = [...mins.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    const first = ws[0] ?? 0;
    const lastW = ws.at(-1) ?? 0;
    const growth = first === 0 ? 0 : (lastW - first) / first;
    const maxGrowth = first === 0 ? 0 : (Math.max(...ws) - first) / first;
    const xs = steady.map((s) => s.bars / 60);
    const f = lineFit(xs, steady.map(get));
    emit({
      case: `${metric}-growth`,
      unit: "fraction",
      value: Number(growth.toFixed(4)),
      maxWindowGrowth: Number(maxGrowth.toFixed(4)),
      // sockets: 4-5 keep-alive connections that come and go with load (4 -> 5 is +25%); a leak keeps
      // adding them, so one more or fewer than the first window passes (open-fds holds them too, at 5%)
      pass:
        metric === "open-sockets"
          ? Math.max(...ws) - first <= 1
          : Math.abs(growth) <= 0.05 && maxGrowth <= 0.05,
      windowMinima: ws.map((v) => Number(v.toFixed(2))),
      windowUnit: unit,
      slopePerSimulatedHour: Number(f.b.toPrecision(3)),
      warmupHours: warmBars / 60,
      simulatedHours: Number(((xs.at(-1) ?? 0) - (xs[0] ?? 0)).toFixed(1)),
    });
  }
  emit({
    case: "event-loop-lag-p99",
    unit: "ms",
    value: Number(Math.max(...steady.map((s) => s.lagP99Ms), 0).toFixed(1)),
  });
  if (values.out === undefined) rmSync(home, { recursive: true, force: true });
}

/** the machine's load average: the figures are only as quiet as the machine */
function loadavg(): string {
  return readFileSync("/proc/loadavg", "utf8").trim();
}

interface Comparison {
  kairosOrders: number;
  ledgerOrders: number;
  rejected: number;
  kairosFills: number;
  ledgerFills: number;
  differences: string[];
}

/** kairos's orders and fills one by one against the exchange's ledger (the truth) */
function compare(d: TradingDeps, ledger: LedgerJson): Comparison {
  const differences: string[] = [];
  const orders = d.orders.ordersOf(SESSION);
  const fills = d.orders.fillsOf(SESSION);
  const venueOrders = ledger.orders.filter((o) => o.external !== true);
  const byId = new Map(orders.map((o) => [o.clientOrderId, o]));
  const status: Record<string, string> = {
    NEW: "acknowledged",
    PARTIALLY_FILLED: "partially_filled",
    FILLED: "filled",
    CANCELED: "cancelled",
    REJECTED: "rejected",
    EXPIRED: "expired",
  };
  const seen = new Set<string>();
  for (const v of venueOrders) {
    const cid = String(v.clientOrderId);
    seen.add(cid);
    const k = byId.get(cid);
    if (k === undefined) {
      differences.push(`venue order ${cid} unknown to kairos`);
      continue;
    }
    if (k.state !== status[String(v.status)])
      differences.push(`${cid}: kairos ${k.state}, venue ${String(v.status)}`);
    if (Number(k.filledQty) !== Number(v.executedQty))
      differences.push(`${cid}: kairos filled ${k.filledQty}, venue ${String(v.executedQty)}`);
  }
  let rejected = 0;
  for (const k of orders) {
    if (seen.has(k.clientOrderId)) continue;
    // an order the venue refused at the door is not on its books: only its word makes it rejected
    if (k.state === "rejected") rejected++;
    else differences.push(`kairos order ${k.clientOrderId} (${k.state}) not on the venue`);
  }
  const key = (sym: string, id: string): string => `${sym.replace("/", "")}#${id}`;
  const kf = new Map(fills.map((f) => [key(f.symbol, f.tradeId), f]));
  if (kf.size !== fills.length) differences.push(`${fills.length - kf.size} fills recorded twice`);
  for (const v of ledger.fills) {
    const f = kf.get(key(String(v.symbol), String(v.id)));
    if (f === undefined) {
      differences.push(`venue fill ${String(v.symbol)}#${String(v.id)} missing in kairos`);
      continue;
    }
    kf.delete(key(String(v.symbol), String(v.id)));
    if (Number(f.qty) !== Number(v.qty) || Number(f.price) !== Number(v.price))
      differences.push(
        `fill ${String(v.symbol)}#${String(v.id)}: kairos ${f.qty}@${f.price}, venue ${String(v.qty)}@${String(v.price)}`,
      );
  }
  for (const k of kf.keys()) differences.push(`kairos fill ${k} not on the venue`);
  return {
    kairosOrders: orders.length,
    ledgerOrders: venueOrders.length,
    rejected,
    kairosFills: fills.length,
    ledgerFills: ledger.fills.length,
    differences,
  };
}

/** least squares y = a + b x */
function lineFit(xs: readonly number[], ys: readonly number[]): { a: number; b: number } {
  const n = xs.length;
  if (n < 2) return { a: ys[0] ?? 0, b: 0 };
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: my - b * mx, b };
}

/** The trading process: `kairos trade start --live` against the simulated exchange, sampling itself */
async function child(home: string, api: string, bars: number): Promise<void> {
  const sampleS = Number(values["sample-s"]);
  const warmBars = Math.round(Number(values["warmup-h"]) * 60);
  const gc = (globalThis as { gc?: () => void }).gc;
  const c = createContainer({ home });
  // an experiment: kairos.db's main connection caches up to 64 MiB of pages (database.ts); a smaller
  // cache shows how much of the RSS growth is that cache filling as the database grows
  if (values["sqlite-cache-kib"] !== undefined)
    c.db.pragma(`cache_size = -${Number(values["sqlite-cache-kib"])}`);
  const d = c.trading();
  const deps: TradingDeps = {
    ...d,
    live: {
      ...d.live!,
      // ccxt's own spacing (binance: 50 ms a request) is off: the exchange is local and its limit lifted
      broker: async (exchange, keys, apiBase) =>
        new CcxtBroker(exchange, {
          apiKey: keys.apiKey,
          secret: keys.secret,
          rateLimitMs: 1,
          ...(apiBase === undefined ? {} : { apiBase }),
        }),
      market: async (exchange, apiBase) =>
        new CcxtMarketDataSource(exchange, { rateLimitMs: 1, ...(apiBase === undefined ? {} : { apiBase }) }),
      pollMs: 20,
      clock: "venue",
    },
  };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let acted = 0;
  let sent = 0;
  const t0 = Date.now();
  const snap = (name: string): void => {
    if (values.snapshots === undefined) return;
    mkdirSync(values.snapshots, { recursive: true });
    gc?.();
    const f = writeHeapSnapshot(join(values.snapshots, `${name}.heapsnapshot`));
    process.stderr.write(`soak child: heap snapshot ${f}\n`);
  };
  const sample = (final = false): void => {
    gc?.();
    const m = process.memoryUsage();
    const status = readFileSync("/proc/self/status", "utf8");
    const fds = readdirSync("/proc/self/fd");
    const kb = (k: string): number =>
      Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    const size = (f: string): number => {
      try {
        return statSync(join(home, f)).size;
      } catch {
        return 0;
      }
    };
    const s: Sample = {
      wallS: Math.round((Date.now() - t0) / 1000),
      bars: acted,
      orders: sent,
      rss: m.rss,
      rssAnon: kb("RssAnon"),
      rssFile: kb("RssFile"),
      dbBytes: size("kairos.db") + size("kairos.db-wal"),
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      fds: fds.length,
      sockets: fds.filter((f) => {
        try {
          return readlinkSync(`/proc/self/fd/${f}`).startsWith("socket:");
        } catch {
          return false;
        }
      }).length,
      lagP99Ms: Number((lag.percentile(99) / 1e6).toFixed(3)),
      ...(final ? { final } : {}),
    };
    lag.reset();
    process.stdout.write(`${JSON.stringify(s)}\n`);
    if (s.wallS % 60 < sampleS)
      process.stderr.write(
        `soak child: ${s.wallS} s, ${acted} bars, ${sent} orders, rss ${(s.rss / 2 ** 20).toFixed(0)} MB (anon ${(s.rssAnon / 2 ** 20).toFixed(0)}), db ${(s.dbBytes / 2 ** 20).toFixed(0)} MB, heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MB, ${s.fds} fds\n`,
      );
  };
  const timer = setInterval(() => sample(), sampleS * 1000);
  let stopping: Promise<unknown> | undefined;
  const r = await startTrading(
    deps,
    {
      strategy: "sma-cross",
      params: { fast: Number(values.fast), slow: Number(values.slow) },
      symbols: await listedSymbols(api),
      timeframe: "1m",
      live: true,
      exchange: "binance",
      confirmLive: "binance",
      apiBase: api,
      capital: 1_000_000,
      size: 0.9,
      reconcileEvery: 60,
      id: SESSION,
    },
    (p) => {
      acted++;
      sent += p.orders;
      if (acted === warmBars) snap("warm");
      if (acted === bars) {
        snap("end");
        // `kairos trade stop`: the running loop sees it at its next poll and cancels what is open
        stopping = stopTrading(deps, { id: SESSION });
      }
    },
  );
  await stopping;
  clearInterval(timer);
  // after the session returned (its objects unreachable): not part of the growth figures
  sample(true);
  snap("after-stop");
  process.stderr.write(
    `soak child: ${r.barsActed} bars, ${sent} orders, state ${r.state} ${r.haltReason ?? ""}\n`,
  );
  c.close();
}

async function listedSymbols(api: string): Promise<string[]> {
  const info = (await (await fetch(`${api}/api/v3/exchangeInfo`)).json()) as {
    symbols: { baseAsset: string; quoteAsset: string }[];
  };
  return info.symbols.map((s) => `${s.baseAsset}/${s.quoteAsset}`);
}
