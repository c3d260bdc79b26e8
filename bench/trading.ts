// npm run bench -- trading [--orders N] [--runs N] [--kills N]: one JSON line per case on stdout
// (throughput and close-to-wire: the median over --runs runs, default 3, with every run listed)
//  fsync-rate            the machine's durable commits per second on the home's disk (the physical
//                        limit of durable intents), measured in the same run
//  lifecycle-throughput  orders per second through intent -> sent -> acknowledged -> filled with
//                        synchronous=FULL against the paper venue: one order per decision (four
//                        fsync'd commits each) and 100 per decision (group commits)
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
const rate = fsyncRate(base);
emit({ case: "fsync-rate", unit: "fsync/s", value: Math.round(rate), dir: base });
for (const legs of [1, 100]) {
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
for (let r = 0; r < runs; r++) wire.push(await closeToWire(base, 100, 60));
emit({
  case: "close-to-wire-100x1m",
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
