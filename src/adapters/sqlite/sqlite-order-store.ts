import Database from "better-sqlite3";
import { AppError } from "../../errors.ts";
import type {
  DecisionRecord,
  FillRecord,
  OrderPatch,
  OrderRecord,
  OrderState,
  OrderStore,
  ReconciliationRecord,
  SessionHead,
  SessionRecord,
  TradingState,
} from "../../ports/order-store.ts";
import { type Db, dbPath, migrate, openDatabase, preparedOnce, translateSqliteError } from "./database.ts";

/** Trading tables in kairos.db; steps are append-only */
export const ORDER_MIGRATIONS = {
  owner: "trading",
  steps: [
    `CREATE TABLE trade_sessions (
      id TEXT PRIMARY KEY,
      mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
      venue TEXT NOT NULL,
      state TEXT NOT NULL,
      halt_reason TEXT,
      config TEXT NOT NULL,
      last_bar_ts INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE TABLE trade_decisions (
      session_id TEXT NOT NULL REFERENCES trade_sessions (id),
      seq INTEGER NOT NULL,
      bar_ts INTEGER NOT NULL,
      targets TEXT NOT NULL,
      explanation TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (session_id, seq)
    )`,
    // an intent is an order row in state 'intent', committed before its first send
    `CREATE TABLE trade_orders (
      client_order_id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL REFERENCES trade_sessions (id),
      decision_seq INTEGER NOT NULL,
      leg INTEGER NOT NULL,
      venue TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
      type TEXT NOT NULL,
      qty TEXT NOT NULL,
      limit_price TEXT,
      state TEXT NOT NULL,
      venue_order_id TEXT,
      filled_qty TEXT NOT NULL,
      reason TEXT,
      attempts INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (session_id, decision_seq, leg)
    )`,
    "CREATE INDEX trade_orders_session_state ON trade_orders (session_id, state)",
    "CREATE INDEX trade_orders_venue_id ON trade_orders (venue, venue_order_id)",
    `CREATE TABLE trade_fills (
      venue TEXT NOT NULL,
      trade_id TEXT NOT NULL,
      client_order_id TEXT NOT NULL REFERENCES trade_orders (client_order_id),
      session_id TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      qty TEXT NOT NULL,
      price TEXT NOT NULL,
      fee TEXT NOT NULL,
      fee_asset TEXT NOT NULL,
      ts INTEGER NOT NULL,
      source TEXT NOT NULL,
      UNIQUE (venue, trade_id)
    )`,
    "CREATE INDEX trade_fills_session ON trade_fills (session_id, ts)",
    "CREATE INDEX trade_fills_order ON trade_fills (client_order_id)",
    `CREATE TABLE trade_reconciliations (
      session_id TEXT NOT NULL,
      ts INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      differences TEXT NOT NULL,
      foreign_orders TEXT NOT NULL
    )`,
    "CREATE INDEX trade_reconciliations_session ON trade_reconciliations (session_id, ts)",
    // Binance numbers trades per symbol, so (venue, trade_id) dropped a second symbol's fill as a
    // duplicate: the identity is (venue, symbol, trade_id). SQLite cannot drop an inline UNIQUE, so
    // the table is rebuilt (rowids kept: fills are read in rowid order); migrate() runs it in one transaction
    `CREATE TABLE trade_fills_v2 (
      venue TEXT NOT NULL,
      trade_id TEXT NOT NULL,
      client_order_id TEXT NOT NULL REFERENCES trade_orders (client_order_id),
      session_id TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      qty TEXT NOT NULL,
      price TEXT NOT NULL,
      fee TEXT NOT NULL,
      fee_asset TEXT NOT NULL,
      ts INTEGER NOT NULL,
      source TEXT NOT NULL
    );
    INSERT INTO trade_fills_v2 (rowid, venue, trade_id, client_order_id, session_id, symbol, side, qty, price, fee, fee_asset, ts, source)
      SELECT rowid, venue, trade_id, client_order_id, session_id, symbol, side, qty, price, fee, fee_asset, ts, source
      FROM trade_fills ORDER BY rowid;
    DROP TABLE trade_fills;
    ALTER TABLE trade_fills_v2 RENAME TO trade_fills;
    CREATE UNIQUE INDEX trade_fills_identity ON trade_fills (venue, symbol, trade_id);
    CREATE INDEX trade_fills_session ON trade_fills (session_id, ts);
    CREATE INDEX trade_fills_order ON trade_fills (client_order_id);`,
    // sessions are listed oldest first a page at a time: without it every page scans and sorts them all
    "CREATE INDEX trade_sessions_created ON trade_sessions (created_at, id)",
  ],
} as const;

/**
 * Opens kairos.db on a connection of its own with `synchronous=FULL`: every commit of an intent
 * or a fill is fsync'd before it returns, so a power cut cannot lose an order that may already be
 * on the wire. The candle store's connection keeps its own (NORMAL) setting.
 */
export function openOrderDatabase(home: string): Db {
  openDatabase(home).close(); // creates the file, WAL mode and the migrations table
  try {
    const db = new Database(dbPath(home));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 10000");
    db.pragma("foreign_keys = ON");
    return db;
  } catch (err) {
    throw translateSqliteError(err, `opening the order store in ${home}`);
  }
}

interface OrderRow {
  client_order_id: string;
  session_id: string;
  decision_seq: number;
  leg: number;
  venue: string;
  symbol: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: string;
  limit_price: string | null;
  state: OrderState;
  venue_order_id: string | null;
  filled_qty: string;
  reason: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

const toOrder = (r: OrderRow): OrderRecord => ({
  clientOrderId: r.client_order_id,
  sessionId: r.session_id,
  decisionSeq: r.decision_seq,
  leg: r.leg,
  venue: r.venue,
  symbol: r.symbol,
  side: r.side,
  type: r.type,
  qty: r.qty,
  ...(r.limit_price === null ? {} : { limitPrice: r.limit_price }),
  state: r.state,
  ...(r.venue_order_id === null ? {} : { venueOrderId: r.venue_order_id }),
  filledQty: r.filled_qty,
  ...(r.reason === null ? {} : { reason: r.reason }),
  attempts: r.attempts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface FillRow {
  venue: string;
  trade_id: string;
  client_order_id: string;
  session_id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  price: string;
  fee: string;
  fee_asset: string;
  ts: number;
  source: FillRecord["source"];
}

const toFill = (r: FillRow): FillRecord => ({
  venue: r.venue,
  tradeId: r.trade_id,
  clientOrderId: r.client_order_id,
  sessionId: r.session_id,
  symbol: r.symbol,
  side: r.side,
  qty: r.qty,
  price: r.price,
  fee: r.fee,
  feeAsset: r.fee_asset,
  ts: r.ts,
  source: r.source,
});

interface SessionRow {
  id: string;
  mode: "paper" | "live";
  venue: string;
  state: TradingState;
  halt_reason: string | null;
  config: string;
  last_bar_ts: number | null;
  created_at: number;
  updated_at: number;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  mode: r.mode,
  venue: r.venue,
  state: r.state,
  ...(r.halt_reason === null ? {} : { haltReason: r.halt_reason }),
  config: JSON.parse(r.config) as Record<string, unknown>,
  ...(r.last_bar_ts === null ? {} : { lastBarTs: r.last_bar_ts }),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** OrderStore on its own synchronous=FULL connection to kairos.db; `now` stamps updates */
export class SqliteOrderStore implements OrderStore {
  // prepared once per SQL text
  private readonly stmt: (sql: string) => Database.Statement;

  private readonly insertOrder;
  private readonly insertFill;
  // one prepared UPDATE per set of changed columns (a handful exist)
  private readonly updates = new Map<string, Database.Statement>();
  // transaction functions made once: better-sqlite3 builds four wrappers each time db.transaction()
  // is called, and a bar of 100 fills and 100 intents calls these several hundred times
  private readonly inTx: Database.Transaction<<T>(fn: () => T) => T>;
  private readonly addFillTx: Database.Transaction<(f: FillRecord, orderPatch?: OrderPatch) => boolean>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.stmt = preparedOnce(db);
    migrate(db, ORDER_MIGRATIONS);
    this.insertOrder = db.prepare(
      `INSERT INTO trade_orders (client_order_id, session_id, decision_seq, leg, venue, symbol, side, type, qty,
         limit_price, state, venue_order_id, filled_qty, reason, attempts, created_at, updated_at)
       VALUES (@clientOrderId, @sessionId, @decisionSeq, @leg, @venue, @symbol, @side, @type, @qty,
         @limitPrice, @state, @venueOrderId, @filledQty, @reason, @attempts, @createdAt, @updatedAt)`,
    );
    this.insertFill = db.prepare(
      `INSERT INTO trade_fills (venue, trade_id, client_order_id, session_id, symbol, side, qty, price, fee, fee_asset, ts, source)
       VALUES (@venue, @tradeId, @clientOrderId, @sessionId, @symbol, @side, @qty, @price, @fee, @feeAsset, @ts, @source)
       ON CONFLICT (venue, symbol, trade_id) DO NOTHING`,
    );
    this.inTx = db.transaction(<T>(fn: () => T): T => fn());
    this.addFillTx = db.transaction((f: FillRecord, orderPatch?: OrderPatch): boolean => {
      const added = this.insertFill.run(f).changes === 1;
      if (orderPatch !== undefined) this.patchOrder(f.clientOrderId, orderPatch);
      return added;
    });
  }

  /** Opens the home's kairos.db on a fresh synchronous=FULL connection */
  static open(home: string, now: () => number): SqliteOrderStore {
    return new SqliteOrderStore(openOrderDatabase(home), now);
  }

  createSession(s: SessionRecord): void {
    this.run("creating the session", () =>
      this.stmt(
        `INSERT INTO trade_sessions (id, mode, venue, state, halt_reason, config, last_bar_ts, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        s.id,
        s.mode,
        s.venue,
        s.state,
        s.haltReason ?? null,
        JSON.stringify(s.config),
        s.lastBarTs ?? null,
        s.createdAt,
        s.updatedAt,
      ),
    );
  }

  getSession(id: string): SessionRecord | undefined {
    const r = this.stmt("SELECT * FROM trade_sessions WHERE id = ?").get(id) as SessionRow | undefined;
    return r === undefined ? undefined : toSession(r);
  }

  listSessions(page?: { limit: number; offset: number }): SessionRecord[] {
    const rows =
      page === undefined
        ? this.stmt("SELECT * FROM trade_sessions ORDER BY created_at, id").all()
        : this.stmt("SELECT * FROM trade_sessions ORDER BY created_at, id LIMIT ? OFFSET ?").all(
            page.limit,
            page.offset,
          );
    return (rows as SessionRow[]).map(toSession);
  }

  listSessionHeads(page: { limit: number; offset: number }): SessionHead[] {
    const rows = this.stmt(
      "SELECT id, state, last_bar_ts, updated_at FROM trade_sessions ORDER BY created_at, id LIMIT ? OFFSET ?",
    ).all(page.limit, page.offset) as Pick<SessionRow, "id" | "state" | "last_bar_ts" | "updated_at">[];
    return rows.map((r) => ({
      id: r.id,
      state: r.state,
      ...(r.last_bar_ts === null ? {} : { lastBarTs: r.last_bar_ts }),
      updatedAt: r.updated_at,
    }));
  }

  countSessions(): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM trade_sessions").get() as { n: number }).n;
  }

  setState(id: string, state: TradingState, haltReason?: string): void {
    this.run("saving the trading state", () =>
      this.stmt("UPDATE trade_sessions SET state = ?, halt_reason = ?, updated_at = ? WHERE id = ?").run(
        state,
        state === "halted" ? (haltReason ?? "halted") : null,
        this.now(),
        id,
      ),
    );
  }

  setLastBar(id: string, barTs: number): void {
    this.run("saving the session's last bar", () =>
      this.stmt("UPDATE trade_sessions SET last_bar_ts = ?, updated_at = ? WHERE id = ?").run(
        barTs,
        this.now(),
        id,
      ),
    );
  }

  setConfig(id: string, config: Record<string, unknown>): void {
    this.run("saving the session's configuration", () =>
      this.stmt("UPDATE trade_sessions SET config = ?, updated_at = ? WHERE id = ?").run(
        JSON.stringify(config),
        this.now(),
        id,
      ),
    );
  }

  recordDecision(d: DecisionRecord, intents: OrderRecord[]): void {
    this.run("committing the decision and its order intents", () =>
      this.db
        .transaction(() => {
          this.stmt(
            "INSERT INTO trade_decisions (session_id, seq, bar_ts, targets, explanation, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          ).run(d.sessionId, d.seq, d.barTs, JSON.stringify(d.targets), d.explanation, d.createdAt);
          for (const o of intents) this.addOrderRow(o);
          this.stmt("UPDATE trade_sessions SET last_bar_ts = ?, updated_at = ? WHERE id = ?").run(
            d.barTs,
            this.now(),
            d.sessionId,
          );
        })
        .immediate(),
    );
  }

  private addOrderRow(o: OrderRecord): void {
    this.insertOrder.run({
      ...o,
      limitPrice: o.limitPrice ?? null,
      venueOrderId: o.venueOrderId ?? null,
      reason: o.reason ?? null,
    });
  }

  getDecision(sessionId: string, seq: number): DecisionRecord | undefined {
    const r = this.stmt("SELECT * FROM trade_decisions WHERE session_id = ? AND seq = ?").get(
      sessionId,
      seq,
    ) as DecisionRow | undefined;
    return r === undefined ? undefined : toDecision(r);
  }

  lastDecision(sessionId: string): DecisionRecord | undefined {
    const r = this.stmt("SELECT * FROM trade_decisions WHERE session_id = ? ORDER BY seq DESC LIMIT 1").get(
      sessionId,
    ) as DecisionRow | undefined;
    return r === undefined ? undefined : toDecision(r);
  }

  getOrder(clientOrderId: string): OrderRecord | undefined {
    const r = this.stmt("SELECT * FROM trade_orders WHERE client_order_id = ?").get(clientOrderId) as
      | OrderRow
      | undefined;
    return r === undefined ? undefined : toOrder(r);
  }

  orderByVenueId(venue: string, venueOrderId: string): OrderRecord | undefined {
    const r = this.stmt("SELECT * FROM trade_orders WHERE venue = ? AND venue_order_id = ?").get(
      venue,
      venueOrderId,
    ) as OrderRow | undefined;
    return r === undefined ? undefined : toOrder(r);
  }

  ordersOf(sessionId: string, states?: readonly OrderState[]): OrderRecord[] {
    if (states === undefined)
      return (
        this.stmt("SELECT * FROM trade_orders WHERE session_id = ? ORDER BY decision_seq, leg").all(
          sessionId,
        ) as OrderRow[]
      ).map(toOrder);
    // one statement, an indexed probe per state (trade_orders_session_state): a long session's
    // settled orders are never read
    const wanted = [...new Set(states)].sort();
    if (wanted.length === 0) return [];
    const rows = this.stmt(
      `SELECT * FROM trade_orders WHERE session_id = ? AND state IN (${wanted.map(() => "?").join(", ")}) ORDER BY decision_seq, leg`,
    ).all(sessionId, ...wanted) as OrderRow[];
    return rows.map(toOrder);
  }

  updateOrder(clientOrderId: string, patch: OrderPatch): void {
    this.run("saving the order's state", () => this.patchOrder(clientOrderId, patch));
  }

  private patchOrder(clientOrderId: string, patch: OrderPatch): void {
    const cols: string[] = [];
    const vals: unknown[] = [];
    const set = (col: string, v: unknown): void => {
      cols.push(`${col} = ?`);
      vals.push(v);
    };
    if (patch.state !== undefined) set("state", patch.state);
    if (patch.venueOrderId !== undefined) set("venue_order_id", patch.venueOrderId);
    if (patch.filledQty !== undefined) set("filled_qty", patch.filledQty);
    if (patch.reason !== undefined) set("reason", patch.reason);
    if (patch.attempts !== undefined) set("attempts", patch.attempts);
    set("updated_at", this.now());
    const sql = `UPDATE trade_orders SET ${cols.join(", ")} WHERE client_order_id = ?`;
    let stmt = this.updates.get(sql);
    if (stmt === undefined) {
      stmt = this.stmt(sql);
      this.updates.set(sql, stmt);
    }
    const r = stmt.run(...vals, clientOrderId);
    if (r.changes !== 1) throw new AppError("NOT_FOUND", `no order with client order id ${clientOrderId}`);
  }

  addFill(f: FillRecord, orderPatch?: OrderPatch): boolean {
    return this.run("recording the fill", () => this.addFillTx.immediate(f, orderPatch));
  }

  fillsOf(sessionId: string): FillRecord[] {
    return (
      this.stmt("SELECT * FROM trade_fills WHERE session_id = ? ORDER BY ts, rowid").all(
        sessionId,
      ) as FillRow[]
    ).map(toFill);
  }

  fillsFrom(sessionId: string, offset: number): FillRecord[] {
    return (
      this.stmt("SELECT * FROM trade_fills WHERE session_id = ? ORDER BY rowid LIMIT -1 OFFSET ?").all(
        sessionId,
        offset,
      ) as FillRow[]
    ).map(toFill);
  }

  fillsOfOrder(clientOrderId: string): FillRecord[] {
    return (
      this.stmt("SELECT * FROM trade_fills WHERE client_order_id = ? ORDER BY ts, rowid").all(
        clientOrderId,
      ) as FillRow[]
    ).map(toFill);
  }

  batch<T>(fn: () => T): T {
    // the write lock first (BEGIN IMMEDIATE): a transaction that reads before it writes cannot wait
    // for another connection's commit (SQLite answers SQLITE_BUSY at once, whatever the busy timeout)
    return this.run("committing a batch of order changes", () => this.inTx.immediate(fn) as T);
  }

  addReconciliation(r: ReconciliationRecord): void {
    this.run("recording the reconciliation", () =>
      this.stmt(
        "INSERT INTO trade_reconciliations (session_id, ts, ok, differences, foreign_orders) VALUES (?, ?, ?, ?, ?)",
      ).run(r.sessionId, r.ts, r.ok ? 1 : 0, JSON.stringify(r.differences), JSON.stringify(r.foreignOrders)),
    );
  }

  lastReconciliation(sessionId: string): ReconciliationRecord | undefined {
    const r = this.stmt(
      "SELECT * FROM trade_reconciliations WHERE session_id = ? ORDER BY ts DESC, rowid DESC LIMIT 1",
    ).get(sessionId) as
      | { session_id: string; ts: number; ok: number; differences: string; foreign_orders: string }
      | undefined;
    if (r === undefined) return undefined;
    return {
      sessionId: r.session_id,
      ts: r.ts,
      ok: r.ok === 1,
      differences: JSON.parse(r.differences) as string[],
      foreignOrders: JSON.parse(r.foreign_orders) as string[],
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private run<T>(doing: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw translateSqliteError(err, doing);
    }
  }
}

interface DecisionRow {
  session_id: string;
  seq: number;
  bar_ts: number;
  targets: string;
  explanation: string;
  created_at: number;
}

const toDecision = (r: DecisionRow): DecisionRecord => ({
  sessionId: r.session_id,
  seq: r.seq,
  barTs: r.bar_ts,
  targets: JSON.parse(r.targets) as Record<string, number>,
  explanation: r.explanation,
  createdAt: r.created_at,
});
