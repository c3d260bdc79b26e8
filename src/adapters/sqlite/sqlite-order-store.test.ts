import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FillRecord } from "../../ports/order-store.ts";
import { migrate } from "./database.ts";
import { ORDER_MIGRATIONS, openOrderDatabase, SqliteOrderStore } from "./sqlite-order-store.ts";

// the trading steps a home had while fills were unique per (venue, trade_id)
const OLD_STEPS = 10;

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

/** A home whose trading tables have the old shape, with one session, two orders and two BTC fills */
function oldHome(): string {
  const home = mkdtempSync(join(tmpdir(), "kairos-fill-identity-"));
  homes.push(home);
  const db = openOrderDatabase(home);
  migrate(db, { owner: "trading", steps: ORDER_MIGRATIONS.steps.slice(0, OLD_STEPS) });
  const fillsSql = (
    db.prepare("SELECT sql FROM sqlite_master WHERE name = 'trade_fills'").get() as { sql: string }
  ).sql;
  expect(fillsSql).toMatch(/UNIQUE \(venue, trade_id\)/);
  db.prepare(
    `INSERT INTO trade_sessions (id, mode, venue, state, config, created_at, updated_at)
     VALUES ('s', 'live', 'binance', 'active', '{}', 1, 1)`,
  ).run();
  const order = db.prepare(
    `INSERT INTO trade_orders (client_order_id, session_id, decision_seq, leg, venue, symbol, side, type, qty,
       state, filled_qty, attempts, created_at, updated_at)
     VALUES (?, 's', 1, ?, 'binance', ?, 'buy', 'market', '1', 'filled', '1', 1, 1, 1)`,
  );
  order.run("kr-btc", 0, "BTC/USDT");
  order.run("kr-eth", 1, "ETH/USDT");
  const fill = db.prepare(
    `INSERT OR IGNORE INTO trade_fills (venue, trade_id, client_order_id, session_id, symbol, side, qty, price, fee,
       fee_asset, ts, source)
     VALUES ('binance', ?, ?, 's', ?, 'buy', ?, '100', '0', 'USDT', ?, 'ws')`,
  );
  expect(fill.run("2", "kr-btc", "BTC/USDT", "0.4", 10).changes).toBe(1);
  expect(fill.run("1", "kr-btc", "BTC/USDT", "0.6", 5).changes).toBe(1);
  // the bug: ETH's trade 1 is a different fill, and the old constraint drops it
  expect(fill.run("1", "kr-eth", "ETH/USDT", "1", 7).changes).toBe(0);
  db.close();
  return home;
}

const ethTrade1: FillRecord = {
  venue: "binance",
  tradeId: "1",
  clientOrderId: "kr-eth",
  sessionId: "s",
  symbol: "ETH/USDT",
  side: "buy",
  qty: "1",
  price: "100",
  fee: "0",
  feeAsset: "USDT",
  ts: 7,
  source: "poll",
};

describe("order store: a fill is identified by (venue, symbol, trade id)", () => {
  it("migrates a home with the old (venue, trade_id) table, keeping every fill and its order", () => {
    const home = oldHome();
    const store = SqliteOrderStore.open(home, () => 1);
    try {
      const before = store.fillsFrom("s", 0).map((f) => [f.symbol, f.tradeId, f.qty]);
      expect(before).toEqual([
        ["BTC/USDT", "2", "0.4"],
        ["BTC/USDT", "1", "0.6"],
      ]);
      // ETH's trade 1 now counts; the true duplicates (same venue, symbol and id) still do not
      expect(store.addFill(ethTrade1)).toBe(true);
      expect(store.addFill(ethTrade1)).toBe(false);
      expect(store.addFill({ ...ethTrade1, clientOrderId: "kr-btc", symbol: "BTC/USDT", qty: "0.6" })).toBe(
        false,
      );
      expect(store.fillsOf("s").map((f) => `${f.symbol}#${f.tradeId}`)).toEqual([
        "BTC/USDT#1",
        "ETH/USDT#1",
        "BTC/USDT#2",
      ]);
    } finally {
      store.close();
    }
    const db = openOrderDatabase(home);
    try {
      const indexes = db
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trade_fills' ORDER BY name",
        )
        .all() as { name: string; sql: string | null }[];
      expect(indexes.map((i) => i.name)).toEqual([
        "trade_fills_identity",
        "trade_fills_order",
        "trade_fills_session",
      ]);
      expect(indexes[0]!.sql).toMatch(
        /UNIQUE INDEX trade_fills_identity ON trade_fills \(venue, symbol, trade_id\)/,
      );
      const v = db
        .prepare("SELECT MAX(version) AS v FROM schema_migrations WHERE owner = 'trading'")
        .get() as {
        v: number;
      };
      expect(v.v).toBe(ORDER_MIGRATIONS.steps.length);
    } finally {
      db.close();
    }
  });

  it("a migration that fails part-way leaves the old table and version untouched (one transaction)", () => {
    const home = oldHome();
    const db = openOrderDatabase(home);
    // an object in the way makes the rebuild's first statement fail
    db.exec("CREATE TABLE trade_fills_v2 (x)");
    expect(() => migrate(db, ORDER_MIGRATIONS)).toThrow(/trade_fills_v2 already exists/);
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'trade_fills'").get() as { sql: string }
    ).sql;
    expect(sql).toMatch(/UNIQUE \(venue, trade_id\)/);
    expect((db.prepare("SELECT COUNT(*) AS n FROM trade_fills").get() as { n: number }).n).toBe(2);
    const v = db.prepare("SELECT MAX(version) AS v FROM schema_migrations WHERE owner = 'trading'").get() as {
      v: number;
    };
    expect(v.v).toBe(OLD_STEPS);
    db.exec("DROP TABLE trade_fills_v2");
    db.close();
    const store = SqliteOrderStore.open(home, () => 1);
    try {
      expect(store.addFill(ethTrade1)).toBe(true);
      expect(store.fillsOf("s")).toHaveLength(3);
    } finally {
      store.close();
    }
  });

  it("a new home gets the same table: two symbols' trade 1 both recorded, a replay of either recorded once", () => {
    const home = mkdtempSync(join(tmpdir(), "kairos-fill-identity-"));
    homes.push(home);
    const store = SqliteOrderStore.open(home, () => 1);
    try {
      store.createSession({
        id: "s",
        mode: "paper",
        venue: "binance",
        state: "active",
        config: {},
        createdAt: 1,
        updatedAt: 1,
      });
      const order = (clientOrderId: string, leg: number, symbol: string) => ({
        clientOrderId,
        sessionId: "s",
        decisionSeq: 1,
        leg,
        venue: "binance",
        symbol,
        side: "buy" as const,
        type: "market" as const,
        qty: "1",
        state: "intent" as const,
        filledQty: "0",
        attempts: 0,
        createdAt: 1,
        updatedAt: 1,
      });
      store.recordDecision({ sessionId: "s", seq: 1, barTs: 1, targets: {}, explanation: "", createdAt: 1 }, [
        order("kr-btc", 0, "BTC/USDT"),
        order("kr-eth", 1, "ETH/USDT"),
      ]);
      const btcTrade1 = { ...ethTrade1, clientOrderId: "kr-btc", symbol: "BTC/USDT", ts: 5 };
      expect(store.addFill(btcTrade1)).toBe(true);
      expect(store.addFill(ethTrade1)).toBe(true);
      expect(store.addFill(btcTrade1)).toBe(false);
      expect(store.addFill({ ...ethTrade1, source: "reconcile" })).toBe(false);
      expect(store.fillsOf("s")).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});
