// npm run bench -- trading [--orders N] [--kills N]: one JSON line per case on stdout
//  fsync-rate            the machine's durable commits per second on the home's disk (the physical
//                        limit of durable intents), measured in the same run
//  lifecycle-throughput  orders per second through intent -> sent -> acknowledged -> filled with
//                        synchronous=FULL (each step its own fsync'd commit) against the paper venue
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

async function throughput(dir: string, orders: number): Promise<{ perSec: number; commitsPerOrder: number }> {
  const home = mkdtempSync(join(dir, "kairos-bench-trading-"));
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const store = SqliteOrderStore.open(home, clock.now);
  const pdb = openPaperDatabase(home);
  const paper = new PaperBroker(pdb, {
    account: "b",
    takerFee: "0.001",
    rules: [defaultRules("BTC/USDT", 60_000)],
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
  for (let seq = 1; seq <= orders; seq++) {
    const o: OrderRecord = {
      clientOrderId: clientOrderId("b", seq, 0),
      sessionId: "b",
      decisionSeq: seq,
      leg: 0,
      venue: "paper",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      qty: "0.001",
      state: "intent",
      filledQty: "0",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    store.recordDecision(
      { sessionId: "b", seq, barTs: now, targets: { "BTC/USDT": 1 }, explanation: "", createdAt: now },
      [o],
    );
    await lc.send(o.clientOrderId);
    now += 60_000;
    const fills = paper.onBars([
      {
        symbol: "BTC/USDT",
        bar: { ts: now, open: 60_000, high: 60_010, low: 59_990, close: 60_000, volume: 10 },
      },
    ]);
    for (const f of fills) lc.recordFill(f, "paper");
  }
  const s = (performance.now() - t0) / 1000;
  const filled = store.ordersOf("b", ["filled"]).length;
  store.close();
  pdb.close();
  rmSync(home, { recursive: true, force: true });
  if (filled !== orders) throw new Error(`only ${filled} of ${orders} orders filled`);
  // decision+intent, sent, acknowledged, fill: four fsync'd commits per order
  return { perSec: orders / s, commitsPerOrder: 4 };
}

const orders = Number(values.orders);
const rate = fsyncRate(base);
emit({ case: "fsync-rate", unit: "fsync/s", value: Math.round(rate), dir: base });
const t = await throughput(base, orders);
emit({
  case: "lifecycle-throughput",
  unit: "orders/s",
  value: Math.round(t.perSec),
  orders,
  synchronous: "FULL",
  commitsPerOrder: t.commitsPerOrder,
  fsyncPerSec: Math.round(rate),
  ceiling: Math.round(rate / t.commitsPerOrder),
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
