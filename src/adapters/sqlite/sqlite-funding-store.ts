import type { FundingInfo, FundingKey, FundingSeries, FundingStore } from "../../ports/funding-store.ts";
import { type Db, type MigrationSet, migrate, translateSqliteError } from "./database.ts";

// a row per payment: three a day is ~1,100 a year, far from needing the candle chunks' layout
export const FUNDING_MIGRATIONS: MigrationSet = {
  owner: "funding",
  steps: [
    `CREATE TABLE funding_rates (
       exchange TEXT NOT NULL, symbol TEXT NOT NULL, ts INTEGER NOT NULL, rate REAL NOT NULL,
       PRIMARY KEY (exchange, symbol, ts)) WITHOUT ROWID;`,
  ],
};

/** Perpetual funding history in <home>/kairos.db */
export class SqliteFundingStore implements FundingStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    migrate(db, FUNDING_MIGRATIONS);
  }

  upsertFunding(s: FundingSeries): number {
    const has = this.db
      .prepare("SELECT rate FROM funding_rates WHERE exchange = ? AND symbol = ? AND ts = ?")
      .pluck();
    const put = this.db.prepare(
      "INSERT OR REPLACE INTO funding_rates (exchange, symbol, ts, rate) VALUES (?, ?, ?, ?)",
    );
    let fresh = 0;
    try {
      this.db.transaction(() => {
        for (let i = 0; i < s.ts.length; i++) {
          const old = has.get(s.exchange, s.symbol, s.ts[i]);
          if (old === undefined) fresh++;
          if (old !== s.rate[i]) put.run(s.exchange, s.symbol, s.ts[i], s.rate[i]);
        }
      })();
    } catch (err) {
      throw translateSqliteError(err, `storing funding of ${s.exchange} ${s.symbol}`);
    }
    return fresh;
  }

  readFunding(key: FundingKey, range: { from?: number; to?: number } = {}): FundingSeries {
    const rows = this.db
      .prepare(
        "SELECT ts, rate FROM funding_rates WHERE exchange = ? AND symbol = ? AND ts >= ? AND ts < ? ORDER BY ts",
      )
      .raw()
      .all(key.exchange, key.symbol, range.from ?? -8.64e15, range.to ?? 8.64e15) as [number, number][];
    const ts = new Float64Array(rows.length);
    const rate = new Float64Array(rows.length);
    rows.forEach(([t, r], i) => {
      ts[i] = t;
      rate[i] = r;
    });
    return { exchange: key.exchange, symbol: key.symbol, ts, rate };
  }

  listFunding(): FundingInfo[] {
    return this.db
      .prepare(
        "SELECT exchange, symbol, COUNT(*) AS rows, MIN(ts) AS first, MAX(ts) AS last FROM funding_rates GROUP BY exchange, symbol ORDER BY exchange, symbol",
      )
      .all() as FundingInfo[];
  }
}
