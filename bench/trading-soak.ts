// npm run bench -- trading-soak [--symbols 20] [--days 10] [--speed 200] [--sample-s 5] [--out FILE]
// A time-compressed soak of a live session: the simulated exchange (this process) replays `days`
// of seeded 1m candles for `symbols` markets with its clock `speed` x real time, and a separate
// trading process runs the real live loop (runLiveSession: CcxtBroker and ccxt's binance class,
// user-data stream, SQLite order store with synchronous=FULL) against it until every bar was acted
// on. The trading process samples itself every `sample-s` seconds (RSS, V8 heap, open file
// descriptors, event-loop delay); this process fits a line to each after warm-up (the first 20% of
// samples) and prints one JSON line per metric: the slope per simulated hour and the change over
// the run as a share of the fitted start. Samples go to --out as JSON lines.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { CcxtBroker } from "../src/adapters/ccxt/ccxt-broker.ts";
import { CcxtMarketDataSource } from "../src/adapters/ccxt/ccxt-market-data-source.ts";
import { startSimExchange } from "../src/adapters/sim-exchange/server.ts";
import { setRisk } from "../src/app/risk-limits.ts";
import { createLiveSession, runLiveSession } from "../src/app/trade-live-run.ts";
import { createContainer } from "../src/composition-root.ts";
import type { CandleSeries } from "../src/domain/candle-series.ts";
import { createRng } from "../src/domain/random.ts";

const { values } = parseArgs({
  options: {
    symbols: { type: "string", default: "20" },
    days: { type: "string", default: "10" },
    speed: { type: "string", default: "200" },
    "sample-s": { type: "string", default: "5" },
    out: { type: "string" },
    child: { type: "string" },
    api: { type: "string" },
    bars: { type: "string" },
  },
});
const MIN = 60_000;
const KEY = "kairosSoakKey0123456789";
const SECRET = "kairosSoakSecret0123456789";
const symbolsOf = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `S${String(i).padStart(2, "0")}/USDT`);

if (values.child !== undefined)
  await child(values.child, values.api!, Number(values.bars), Number(values["sample-s"]));
else await parent();

/** Seeded random-walk 1m candles: `warm` bars of history before the replay, then `bars` to trade */
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
    // trending stretches so an sma-cross trades now and then
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
  const bars = Math.round(Number(values.days) * 1440);
  const speed = Number(values.speed);
  const warm = 600;
  const t0 = Date.UTC(2025, 0, 1);
  // bars beyond the run: the trading process starts some bars late and must still reach --days of bars
  const series = symbolsOf(nSym).map((s, i) => synth(s, warm + bars + 1200, 1000 + i, t0));
  // the exchange's weight limit is lifted: the soak measures memory and descriptors, not throttling
  const sim = await startSimExchange({
    series,
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "real", speed },
    start: t0 + warm * MIN,
    balances: { USDT: "1000000" },
    weightLimit: 10_000_000,
  });
  const home = mkdtempSync(join(tmpdir(), "kairos-soak-"));
  for (const [key, value] of Object.entries({
    maxOrderValue: "1000000",
    maxOrderQty: "1000000",
    maxExposurePerSymbol: "2000000",
    maxExposureTotal: "2000000",
    maxDailyLoss: "1000000",
    maxDrawdown: "1",
    maxPriceAgeMs: String(7 * 86_400_000),
  }))
    setRisk({ home, now: () => Date.now() }, { key, value, by: "soak" });
  const out = values.out ?? join(home, "samples.jsonl");
  process.stderr.write(
    `soak: ${nSym} markets x ${bars} 1m bars (${(bars / 60).toFixed(0)} simulated hours) at ${speed}x; home ${home}; samples ${out}\n`,
  );
  const started = Date.now();
  const p = spawn(
    process.execPath,
    [
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
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, KAIROS_BINANCE_API_KEY: KEY, KAIROS_BINANCE_SECRET: SECRET },
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
  const ledger = sim.ledger();
  await sim.close();
  const last = samples.at(-1);
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
    orders: ledger.orders.length,
    fills: ledger.fills.length,
    samplesFile: out,
  });
  const steady = samples.slice(Math.floor(samples.length * 0.2)).filter((s) => s.bars > 0);
  for (const [metric, unit, get] of [
    ["rss", "MB", (s: Sample) => s.rss / 2 ** 20],
    ["heap-used", "MB", (s: Sample) => s.heapUsed / 2 ** 20],
    ["open-fds", "fds", (s: Sample) => s.fds],
    ["event-loop-lag-p99", "ms", (s: Sample) => s.lagP99Ms],
  ] as const) {
    const xs = steady.map((s) => s.bars / 60);
    const ys = steady.map(get);
    const f = lineFit(xs, ys);
    const span = (xs.at(-1) ?? 0) - (xs[0] ?? 0);
    const start = f.a + f.b * (xs[0] ?? 0);
    emit({
      case: `${metric}-slope`,
      unit: `${unit}/simulated-hour`,
      value: Number(f.b.toPrecision(3)),
      changeOverRun: start === 0 ? null : Number(((f.b * span) / start).toFixed(4)),
      first: Number((ys[0] ?? 0).toFixed(2)),
      last: Number((ys.at(-1) ?? 0).toFixed(2)),
      max: Number(Math.max(...ys).toFixed(2)),
      simulatedHours: Number(span.toFixed(1)),
    });
  }
  if (values.out === undefined) rmSync(home, { recursive: true, force: true });
}

interface Sample {
  wallS: number;
  bars: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  fds: number;
  lagMeanMs: number;
  lagP99Ms: number;
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

async function child(home: string, api: string, bars: number, sampleS: number): Promise<void> {
  const c = createContainer({ home });
  const d = c.trading();
  const deps = { ...d, live: { ...d.live!, pollMs: 20, clock: "venue" as const } };
  // ccxt's own spacing (binance: 50 ms a request) is off: the exchange is local and its limit lifted
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: api, rateLimitMs: 1 });
  const market = new CcxtMarketDataSource("binance", { apiBase: api, rateLimitMs: 1 });
  process.stderr.write("soak child: started\n");
  const symbols = (await (await fetch(`${api}/api/v3/exchangeInfo`)).json()) as {
    symbols: { baseAsset: string; quoteAsset: string }[];
  };
  await createLiveSession(
    deps,
    "soak",
    {
      strategy: "sma-cross",
      params: { fast: 10, slow: 40 },
      symbols: symbols.symbols.map((s) => `${s.baseAsset}/${s.quoteAsset}`),
      timeframe: "1m",
      capital: 1_000_000,
      fee: 0.001,
      slippage: 0,
      reconcileEveryBars: 60,
      sizeFraction: 0.9,
      apiBase: api,
    },
    "binance",
    broker,
  );
  process.stderr.write("soak child: session created\n");
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let acted = 0;
  const t0 = Date.now();
  const sample = (): void => {
    const m = process.memoryUsage();
    const s: Sample = {
      wallS: Math.round((Date.now() - t0) / 1000),
      bars: acted,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      fds: readdirSync("/proc/self/fd").length,
      lagMeanMs: Number((lag.mean / 1e6).toFixed(3)),
      lagP99Ms: Number((lag.percentile(99) / 1e6).toFixed(3)),
    };
    lag.reset();
    process.stdout.write(`${JSON.stringify(s)}\n`);
    if (s.wallS % 60 < sampleS)
      process.stderr.write(
        `soak child: ${s.wallS} s, ${acted} bars, rss ${(s.rss / 2 ** 20).toFixed(0)} MB\n`,
      );
  };
  const timer = setInterval(sample, sampleS * 1000);
  const r = await runLiveSession(deps, "soak", {
    broker,
    market,
    pollMs: 20,
    clock: "venue",
    maxBars: bars,
    onBar: () => {
      acted++;
    },
  });
  sample();
  clearInterval(timer);
  process.stderr.write(`soak child: ${r.barsActed} bars, state ${r.state} ${r.haltReason ?? ""}\n`);
  await broker.close();
  await market.close();
  c.close();
}
