import type { ChunkResultStore, QueuedRunInfo } from "../../ports/job-queue.ts";
import { type Db, migrate } from "./database.ts";

/**
 * Queued runs' chunk results (issue 21). The primary key (run_id, part, chunk) is the uniqueness
 * that makes at-least-once delivery harmless: a chunk delivered twice is inserted once (INSERT OR
 * IGNORE), and the bytes are the worker's result as it encoded them (a sweep's float64s, a screen's
 * exact JSON), so a stored chunk is bit for bit what the worker computed.
 */
export const QUEUE_MIGRATIONS = {
  owner: "queue",
  steps: [
    `CREATE TABLE queue_runs (
       id TEXT PRIMARY KEY, kind TEXT NOT NULL, input_json TEXT NOT NULL, chunks INTEGER NOT NULL,
       created_at INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'running', finished_at INTEGER)`,
    `CREATE TABLE queue_chunks (
       run_id TEXT NOT NULL REFERENCES queue_runs(id) ON DELETE CASCADE, part INTEGER NOT NULL,
       chunk INTEGER NOT NULL, vals BLOB NOT NULL, worker TEXT NOT NULL, stored_at INTEGER NOT NULL,
       PRIMARY KEY (run_id, part, chunk))`,
    `CREATE TABLE queue_failures (
       run_id TEXT NOT NULL REFERENCES queue_runs(id) ON DELETE CASCADE, part INTEGER NOT NULL,
       chunk INTEGER NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL,
       PRIMARY KEY (run_id, part, chunk))`,
    // what a finished run produced (a screen's stored run id), so resuming a finished run says where it is
    "ALTER TABLE queue_runs ADD COLUMN result TEXT",
  ],
};

export class SqliteChunkStore implements ChunkResultStore {
  constructor(private readonly db: Db) {
    migrate(db, QUEUE_MIGRATIONS);
  }

  beginRun(run: { id: string; kind: string; input: string; chunks: number; createdAt: number }): void {
    this.db
      .prepare(
        "INSERT OR IGNORE INTO queue_runs (id, kind, input_json, chunks, created_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(run.id, run.kind, run.input, run.chunks, run.createdAt);
    // a resumed run tries its failed chunks again
    this.db.prepare("UPDATE queue_runs SET status = 'running', finished_at = NULL WHERE id = ?").run(run.id);
    this.db.prepare("DELETE FROM queue_failures WHERE run_id = ?").run(run.id);
  }

  run(id: string): QueuedRunInfo | undefined {
    const r = this.db
      .prepare(
        "SELECT id, kind, input_json, chunks, created_at, status, finished_at, result FROM queue_runs WHERE id = ?",
      )
      .get(id) as
      | {
          id: string;
          kind: string;
          input_json: string;
          chunks: number;
          created_at: number;
          status: QueuedRunInfo["status"];
          finished_at: number | null;
          result: string | null;
        }
      | undefined;
    return r === undefined
      ? undefined
      : {
          id: r.id,
          kind: r.kind,
          input: r.input_json,
          chunks: r.chunks,
          createdAt: r.created_at,
          status: r.status,
          finishedAt: r.finished_at,
          result: r.result,
        };
  }

  saveChunk(run: string, part: number, chunk: number, values: Uint8Array, worker: string): boolean {
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const r = this.db
      .prepare(
        "INSERT OR IGNORE INTO queue_chunks (run_id, part, chunk, vals, worker, stored_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(run, part, chunk, bytes, worker, Date.now());
    return r.changes === 1;
  }

  saveFailure(run: string, part: number, chunk: number, reason: string, attempts: number): void {
    this.db
      .prepare(
        "INSERT OR REPLACE INTO queue_failures (run_id, part, chunk, reason, attempts) VALUES (?, ?, ?, ?, ?)",
      )
      .run(run, part, chunk, reason, attempts);
  }

  chunks(run: string, part: number): { chunk: number; bytes: Uint8Array }[] {
    const rows = this.db
      .prepare("SELECT chunk, vals FROM queue_chunks WHERE run_id = ? AND part = ? ORDER BY chunk")
      .all(run, part) as { chunk: number; vals: Buffer }[];
    return rows.map((r) => ({ chunk: r.chunk, bytes: new Uint8Array(r.vals) }));
  }

  count(run: string): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM queue_chunks WHERE run_id = ?").get(run) as { n: number }
    ).n;
  }

  failures(run: string): { part: number; chunk: number; reason: string; attempts: number }[] {
    return this.db
      .prepare(
        "SELECT part, chunk, reason, attempts FROM queue_failures WHERE run_id = ? ORDER BY part, chunk",
      )
      .all(run) as { part: number; chunk: number; reason: string; attempts: number }[];
  }

  finishRun(run: string, status: "done" | "failed", at: number, result?: string): void {
    this.db
      .prepare("UPDATE queue_runs SET status = ?, finished_at = ?, result = ? WHERE id = ?")
      .run(status, at, result ?? null, run);
  }
}
