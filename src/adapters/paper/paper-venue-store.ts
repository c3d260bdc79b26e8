import Database from "better-sqlite3";
import { type Db, dbPath, migrate, openDatabase, translateSqliteError } from "../sqlite/database.ts";

/**
 * The paper venue's own books in kairos.db: balances, orders and fills per paper account, and the
 * last bar it matched per market. It plays the exchange, so it is a separate record from kairos's
 * order store (the truth reconciliation compares against), written on its own connection; every
 * venue action (accept an order, match a bar, cancel) is one transaction.
 */
export const PAPER_MIGRATIONS = {
  owner: "paper-venue",
  steps: [
    `CREATE TABLE paper_balances (
      account TEXT NOT NULL, asset TEXT NOT NULL, total TEXT NOT NULL, PRIMARY KEY (account, asset))`,
    `CREATE TABLE paper_orders (
      venue_order_id INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL,
      client_order_id TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      type TEXT NOT NULL,
      qty TEXT NOT NULL,
      price TEXT,
      status TEXT NOT NULL,
      filled TEXT NOT NULL,
      notional TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      -- the order's first bar: a market order fills at the open of the first bar after its submit
      active_from INTEGER NOT NULL,
      UNIQUE (account, client_order_id)
    )`,
    "CREATE INDEX paper_orders_open ON paper_orders (account, status)",
    `CREATE TABLE paper_fills (
      trade_id INTEGER PRIMARY KEY AUTOINCREMENT,
      account TEXT NOT NULL,
      venue_order_id INTEGER NOT NULL,
      client_order_id TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      qty TEXT NOT NULL,
      price TEXT NOT NULL,
      fee TEXT NOT NULL,
      fee_asset TEXT NOT NULL,
      liquidity TEXT NOT NULL,
      ts INTEGER NOT NULL
    )`,
    "CREATE INDEX paper_fills_symbol ON paper_fills (account, symbol, ts)",
    `CREATE TABLE paper_bars (
      account TEXT NOT NULL, symbol TEXT NOT NULL, ts INTEGER NOT NULL,
      open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
      PRIMARY KEY (account, symbol))`,
    // trades numbered per market, as Binance does; existing fills keep the id they were reported with
    "ALTER TABLE paper_fills ADD COLUMN symbol_trade_id INTEGER",
    "UPDATE paper_fills SET symbol_trade_id = trade_id",
    "CREATE UNIQUE INDEX paper_fills_symbol_trade ON paper_fills (account, symbol, symbol_trade_id)",
    // trade ids run per market across the venue's accounts: the next one is found by this index
    "CREATE INDEX paper_fills_market_trade ON paper_fills (symbol, symbol_trade_id)",
  ],
} as const;

/** Opens kairos.db on a new connection for the paper venue's books */
export function openPaperDatabase(home: string): Db {
  openDatabase(home).close();
  try {
    const db = new Database(dbPath(home));
    db.pragma("journal_mode = WAL");
    // the paper venue plays the exchange: a process crash must not lose its books (WAL + NORMAL
    // guarantees that), an OS crash may; kairos's own order store is the one that fsyncs every commit
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 10000");
    migrate(db, PAPER_MIGRATIONS);
    return db;
  } catch (err) {
    throw translateSqliteError(err, `opening the paper venue in ${home}`);
  }
}
