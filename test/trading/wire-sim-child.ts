// The simulated exchange in its own process for the close-to-wire bench (bench/trading.ts): N
// markets of synthetic 1m candles on a manual clock. On "bar" from the parent it closes the next bar
// of every market (fills of the orders in flight, executionReports, klines on the kline streams)
// and timestamps each order create it receives (the wire) against the moment it began to close the
// bar, on this process's one clock; it answers once `expect` orders arrived or `waitMs` passed, or
// when the parent says "flush". WIRE_SOURCE=real: each market replays its own stretch of the bundled
// bitstamp BTC/USD 1m candles (market i from bar 380 i on; real moves, so a crossover strategy trades
// some markets on some bars)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";

const MIN = 60_000;
const n = Number(process.env.WIRE_SYMBOLS ?? "100");
const bars = Number(process.env.WIRE_BARS ?? "700");
const t0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);
const ts = Float64Array.from({ length: bars }, (_, i) => t0 + i * MIN);
let realRows: number[][] | undefined;
export const wireSymbol = (i: number): string => `W${String(i).padStart(3, "0")}/USDT`;
/** The bundled 1m candles' columns (open, high, low, close, volume), for WIRE_SOURCE=real */
const real = (): number[][] => {
  const text = gunzipSync(
    readFileSync(join(import.meta.dirname, "../../data/bitstamp_BTC-USD_1m.csv.gz")),
  ).toString("utf8");
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((l: string) => l.split(",").slice(1).map(Number));
};
const REAL_STRIDE = 380;
const series: CandleSeries[] = Array.from({ length: n }, (_, i) => {
  if (process.env.WIRE_SOURCE === "real") {
    const rows = (realRows ??= real());
    if (REAL_STRIDE * (n - 1) + bars > rows.length)
      throw new Error(`WIRE_SOURCE=real holds ${rows.length} bars: too few for ${n} markets of ${bars}`);
    const col = (k: number) => Float64Array.from({ length: bars }, (_, t) => rows[REAL_STRIDE * i + t]![k]!);
    return {
      exchange: "binance",
      symbol: wireSymbol(i),
      timeframe: "1m",
      ts,
      open: col(0),
      high: col(1),
      low: col(2),
      close: col(3),
      volume: col(4),
    };
  }
  const c = Float64Array.from({ length: bars }, (_, t) => 100 + ((i * 7 + t * 13) % 17) / 10);
  return {
    exchange: "binance",
    symbol: wireSymbol(i),
    timeframe: "1m",
    ts,
    open: c,
    high: c.map((x) => x + 0.5),
    low: c.map((x) => x - 0.5),
    close: c,
    volume: c.map(() => 1_000_000),
  };
});

let arrivals: number[] = [];
let barStart = 0;
let advanceMs = 0;
/** the orders the current bar waits for; the report goes once they all arrived or at the deadline */
let expecting = Number.POSITIVE_INFINITY;
let deadline: NodeJS.Timeout | undefined;
// reported from the create that completes the bar (or the deadline), not by polling: a timer
// every millisecond would take CPU from the two processes being measured, which share one core
const report = (): void => {
  if (deadline === undefined) return;
  clearTimeout(deadline);
  deadline = undefined;
  expecting = Number.POSITIVE_INFINITY;
  process.send!({
    kind: "bar",
    arrivals,
    advanceMs,
    // on a clock the parent shares (epoch ms, sub-millisecond), to break the latency down
    startEpoch: performance.timeOrigin + barStart,
    now: sim.now(),
    problems: sim.check(),
  });
};
const sim: SimExchange = await startSimExchange({
  series,
  apiKey: { key: process.env.WIRE_KEY ?? "", secret: process.env.WIRE_SECRET ?? "" },
  clock: { kind: "manual" },
  start: ts[500]!,
  balances: { USDT: "1000000" },
  // a minute of 1m bars passes in about a second here: the weight of a minute lands in a second
  weightLimit: 1_000_000,
  // a bar of 100 orders a second: Binance's 100 new orders per 10 s would pace it (R5 orders tests that)
  orderLimits: [{ limit: 1e9, windowMs: 10_000 }],
  // the create's arrival, after its signature was checked: the wire
  verifyIntent: () => {
    arrivals.push(performance.now() - barStart);
    if (arrivals.length === expecting) setImmediate(report);
    return true;
  },
});
// the bench gone (finished or crashed): nothing is left running
process.on("disconnect", () => process.exit(0));
process.send!({ kind: "ready", url: sim.url, now: sim.now() });
process.on("message", (m: { kind: string; expect?: number; waitMs?: number }) => {
  if (m.kind === "stop") {
    void sim.close().then(() => process.exit(0));
    return;
  }
  // the parent knows the bar's orders are all in (it acted on the bar): report what arrived
  if (m.kind === "flush") {
    report();
    return;
  }
  if (m.kind !== "bar") return;
  arrivals = [];
  barStart = performance.now();
  expecting = m.expect ?? 0;
  deadline = setTimeout(report, m.waitMs ?? 3000);
  sim.advance(MIN);
  advanceMs = performance.now() - barStart;
  if (arrivals.length >= expecting) report();
});
