// R2 intent before send and R3 lost acknowledgements: the order lifecycle against the real paper
// venue behind a wrapper that loses replies, loses requests or delivers them late (simulated time)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../../src/adapters/paper/paper-venue-store.ts";
import { dbPath } from "../../src/adapters/sqlite/database.ts";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { createRng } from "../../src/domain/random.ts";
import { clientOrderId } from "../../src/execution/client-order-id.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { type Faults, FaultyBroker, SimTime } from "./faulty-broker.ts";

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

// tmpfs when there is one: these tests check the order of commits and sends, not the disk's fsync
const base = process.platform === "linux" ? "/dev/shm" : undefined;

function setup(faults: Faults, seed: number) {
  const home = mkdtempSync(join(base ?? tmpdir(), "kairos-lc-"));
  homes.push(home);
  const time = new SimTime();
  const store = SqliteOrderStore.open(home, () => time.now());
  const pdb = openPaperDatabase(home);
  const paper = new PaperBroker(pdb, {
    account: "lc",
    takerFee: "0.001",
    rules: [defaultRules("BTC/USDT", 60_000)],
    clock: time,
  });
  paper.fund({ USDT: "1000000000" });
  const rng = createRng(seed);
  const broker = new FaultyBroker(paper, faults, () => rng.next(), time);
  const lifecycle = new OrderLifecycle({ store, broker, clock: time, sleep: time.sleep });
  store.createSession({
    id: "lc",
    mode: "paper",
    venue: "paper",
    state: "active",
    config: {},
    createdAt: time.now(),
    updatedAt: time.now(),
  });
  const close = () => {
    store.close();
    pdb.close();
  };
  return { home, time, store, paper, broker, lifecycle, close };
}

function intents(seq: number, legs: number, now: number): OrderRecord[] {
  return Array.from({ length: legs }, (_, leg) => ({
    clientOrderId: clientOrderId("lc", seq, leg),
    sessionId: "lc",
    decisionSeq: seq,
    leg,
    venue: "paper",
    symbol: "BTC/USDT",
    side: "buy" as const,
    type: "market" as const,
    qty: "0.001",
    state: "intent" as const,
    filledQty: "0",
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  }));
}

const decide = (s: ReturnType<typeof setup>, seq: number, legs: number): OrderRecord[] => {
  const list = intents(seq, legs, s.time.now());
  s.store.recordDecision(
    {
      sessionId: "lc",
      seq,
      barTs: seq,
      targets: { "BTC/USDT": 1 },
      explanation: "test",
      createdAt: s.time.now(),
    },
    list,
  );
  return list;
};

describe("R2 intent before send", () => {
  it("10,000 creates: the venue finds each client order id already committed, read from a second SQLite connection", async () => {
    const s = setup({ dropAckAfterAccept: 0, dropBeforeAccept: 0, lateAccept: 0, lateMs: 0 }, 1);
    const reader = new Database(dbPath(s.home), { readonly: true });
    const find = reader.prepare("SELECT state FROM trade_orders WHERE client_order_id = ?");
    let checked = 0;
    let committed = 0;
    s.broker.onSubmit = (o) => {
      checked++;
      const row = find.get(o.clientOrderId) as { state: string } | undefined;
      if (row !== undefined && row.state === "sent") committed++;
    };
    for (let seq = 1; seq <= 1000; seq++)
      for (const o of decide(s, seq, 10)) await s.lifecycle.send(o.clientOrderId);
    reader.close();
    process.stderr.write(`R2: ${committed}/${checked} creates found committed before they were sent\n`);
    expect(checked).toBe(10_000);
    expect(committed).toBe(10_000);
    expect((await s.paper.openOrders()).length).toBe(10_000);
    s.close();
  }, 600_000);
});

describe("R3 lost acknowledgements", () => {
  const run = async (faults: Faults, n: number, seed: number) => {
    const s = setup(faults, seed);
    const resolveMs: number[] = [];
    for (let seq = 1; seq <= n; seq++) {
      const [o] = decide(s, seq, 1);
      const t0 = s.time.now();
      const after = await s.lifecycle.send(o!.clientOrderId);
      if (after.attempts > 1 || after.reason !== undefined || s.time.now() > t0)
        resolveMs.push(s.time.now() - t0);
      expect(after.state).toBe("acknowledged");
    }
    await s.broker.flush();
    const venue = await s.paper.openOrders();
    const ours = s.store.ordersOf("lc");
    const stats = { ...s.broker.stats, ambiguous: resolveMs.length, maxResolveMs: Math.max(0, ...resolveMs) };
    s.close();
    return { venue, ours, stats };
  };

  it("20% of acknowledgements dropped after acceptance: 0 duplicates, every ambiguous order resolved by lookup within 10 s", async () => {
    const { venue, ours, stats } = await run(
      { dropAckAfterAccept: 0.2, dropBeforeAccept: 0, lateAccept: 0, lateMs: 0 },
      2000,
      7,
    );
    process.stderr.write(`R3: ${JSON.stringify(stats)}\n`);
    expect(stats.droppedAcks).toBeGreaterThan(300);
    expect(stats.submits).toBe(2000); // no resend: the lookup found every accepted order
    expect(venue.length).toBe(2000);
    expect(new Set(venue.map((v) => v.clientOrderId)).size).toBe(2000);
    expect(ours.every((o) => o.state === "acknowledged" && o.venueOrderId !== undefined)).toBe(true);
    expect(stats.maxResolveMs).toBeLessThanOrEqual(10_000);
  });

  it("requests lost before the venue and requests arriving after a resend: still one venue order per intent", async () => {
    const { venue, ours, stats } = await run(
      { dropAckAfterAccept: 0.2, dropBeforeAccept: 0.05, lateAccept: 0.05, lateMs: 9_000 },
      2000,
      11,
    );
    process.stderr.write(`R3 (late and lost requests): ${JSON.stringify(stats)}\n`);
    expect(stats.lateDuplicates).toBeGreaterThan(0); // late originals met their resend and were refused
    expect(venue.length).toBe(2000);
    expect(new Set(venue.map((v) => v.clientOrderId)).size).toBe(2000);
    expect(ours.filter((o) => o.state !== "acknowledged")).toEqual([]);
  });
});
