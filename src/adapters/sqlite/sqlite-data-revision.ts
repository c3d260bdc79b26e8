import type { Db } from "./database.ts";
import { migrate } from "./database.ts";
import { CANDLE_MIGRATIONS } from "./sqlite-candle-store.ts";
import { FUNDING_MIGRATIONS } from "./sqlite-funding-store.ts";

/**
 * A counter that every committed write to the candle and funding tables raises, by any process
 * (SQLite triggers run inside the writer's transaction): replies derived from stored market data
 * stay valid while it is unchanged. PRAGMA data_version is no substitute: it moves on every commit
 * to kairos.db, and a trading session commits on every bar.
 */
export const DATA_REVISION_MIGRATIONS = {
  owner: "data-revision",
  steps: [
    `CREATE TABLE data_revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
     INSERT INTO data_revision (id, n) VALUES (1, 0);
     ${["candle_series", "candle_chunks", "funding_rates"]
       .flatMap((t) =>
         ["INSERT", "UPDATE", "DELETE"].map(
           (w) =>
             `CREATE TRIGGER data_revision_${t}_${w.toLowerCase()} AFTER ${w} ON ${t}
              BEGIN UPDATE data_revision SET n = n + 1 WHERE id = 1; END;`,
         ),
       )
       .join("\n")}`,
  ],
} as const;

/** Ensures the tables and triggers exist; returns a reader of the current revision */
export function dataRevision(db: Db): () => number {
  // the triggers name the stores' tables, so those exist first
  migrate(db, CANDLE_MIGRATIONS);
  migrate(db, FUNDING_MIGRATIONS);
  migrate(db, DATA_REVISION_MIGRATIONS);
  const read = db.prepare("SELECT n FROM data_revision WHERE id = 1").pluck();
  return () => read.get() as number;
}
