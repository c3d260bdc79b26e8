import { createHash } from "node:crypto";
import { AppError, invalidInput } from "../../errors.ts";
import type { ModelRecord, ModelStore, NewModelRecord } from "../../ports/model-store.ts";
import { type Db, migrate } from "./database.ts";

/** Models in kairos.db: one row per model, metadata as JSON beside the payload as a BLOB */
export const MODEL_MIGRATIONS = {
  owner: "models",
  steps: [
    `CREATE TABLE models (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      record TEXT NOT NULL,
      payload BLOB NOT NULL
    )`,
    "CREATE INDEX models_created ON models (created_at DESC)",
  ],
} as const;

/** ModelStore on the shared SQLite file; one transaction per save, so a model is stored whole or not at all */
export class SqliteModelStore implements ModelStore {
  constructor(private readonly db: Db) {
    migrate(db, MODEL_MIGRATIONS);
  }

  save(record: NewModelRecord, payload: Uint8Array): ModelRecord {
    const hash = createHash("sha256").update(payload).digest("hex");
    const kind = record.kind.replace(/[^a-z0-9-]/gi, "").toLowerCase() || "model";
    const full: ModelRecord = { ...record, kind, id: `${kind}-${hash.slice(0, 12)}`, hash };
    return this.db.transaction(() => {
      const existing = this.db.prepare("SELECT record FROM models WHERE hash = ?").get(hash) as
        | { record: string }
        | undefined;
      if (existing !== undefined) return JSON.parse(existing.record) as ModelRecord;
      this.db
        .prepare("INSERT INTO models (id, kind, hash, created_at, record, payload) VALUES (?, ?, ?, ?, ?, ?)")
        .run(full.id, kind, hash, full.createdAt, JSON.stringify(full), Buffer.from(payload));
      return full;
    })();
  }

  load(id: string): { record: ModelRecord; payload: Uint8Array } {
    const key = id.trim();
    if (key === "") throw invalidInput("model id is empty: run `kairos model list` to see the ids");
    const rows = this.db
      .prepare(
        "SELECT id, record, payload FROM models WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
      )
      .all(key, `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as {
      id: string;
      record: string;
      payload: Buffer;
    }[];
    const row = rows.find((r) => r.id === key) ?? (rows.length === 1 ? rows[0] : undefined);
    if (row === undefined && rows.length === 0)
      throw new AppError(
        "NOT_FOUND",
        `no model "${key}" in the registry; run \`kairos model list\` to see the ids`,
      );
    if (row === undefined)
      throw invalidInput(
        `model id "${key}" matches several models (${rows.map((r) => r.id).join(", ")}); give more of it`,
      );
    return {
      record: JSON.parse(row.record) as ModelRecord,
      payload: new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength),
    };
  }

  list(): ModelRecord[] {
    const rows = this.db.prepare("SELECT record FROM models ORDER BY created_at DESC, id").all() as {
      record: string;
    }[];
    return rows.map((r) => JSON.parse(r.record) as ModelRecord);
  }
}
