import type { JobRecord, JobStore } from "../../app/job-service.ts";
import { type Db, migrate, preparedOnce } from "./database.ts";

/** API jobs (screen, sweep, download, ...) with their progress and stored result, in kairos.db */
export const JOB_MIGRATIONS = {
  owner: "jobs",
  steps: [
    `CREATE TABLE api_jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      by TEXT NOT NULL,
      input TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      ended_at INTEGER,
      progress TEXT,
      result TEXT,
      error TEXT
    )`,
    "CREATE INDEX api_jobs_created ON api_jobs (created_at)",
  ],
} as const;

interface Row {
  id: string;
  kind: string;
  state: JobRecord["state"];
  by: string;
  input: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  progress: string | null;
  result?: string | null;
  error: string | null;
}

const parse = (s: string | null | undefined): unknown => (s == null ? null : JSON.parse(s));

const fromRow = (r: Row): JobRecord => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  by: r.by,
  input: parse(r.input),
  createdAt: r.created_at,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  progress: parse(r.progress) as JobRecord["progress"],
  result: parse(r.result),
  error: parse(r.error) as JobRecord["error"],
});

const COLUMNS = {
  state: "state",
  startedAt: "started_at",
  endedAt: "ended_at",
  progress: "progress",
  result: "result",
  error: "error",
} as const;
const JSON_COLUMNS = new Set(["progress", "result", "error"]);

export class SqliteJobStore implements JobStore {
  private readonly stmt: ReturnType<typeof preparedOnce>;

  constructor(db: Db) {
    migrate(db, JOB_MIGRATIONS);
    this.stmt = preparedOnce(db);
  }

  insert(j: JobRecord): void {
    this.stmt(
      "INSERT INTO api_jobs (id, kind, state, by, input, created_at, started_at, ended_at, progress, result, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).run(
      j.id,
      j.kind,
      j.state,
      j.by,
      JSON.stringify(j.input ?? null),
      j.createdAt,
      j.startedAt,
      j.endedAt,
      j.progress === null ? null : JSON.stringify(j.progress),
      j.result == null ? null : JSON.stringify(j.result),
      j.error === null ? null : JSON.stringify(j.error),
    );
  }

  update(id: string, patch: Parameters<JobStore["update"]>[1]): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, col] of Object.entries(COLUMNS)) {
      if (!(k in patch)) continue;
      const v = (patch as Record<string, unknown>)[k];
      sets.push(`${col} = ?`);
      values.push(JSON_COLUMNS.has(col) ? (v == null ? null : JSON.stringify(v)) : v);
    }
    if (sets.length === 0) return;
    this.stmt(`UPDATE api_jobs SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  }

  get(id: string): JobRecord | undefined {
    const r = this.stmt("SELECT * FROM api_jobs WHERE id = ?").get(id) as Row | undefined;
    return r === undefined ? undefined : fromRow(r);
  }

  list(limit: number): Omit<JobRecord, "result">[] {
    const rows = this.stmt(
      "SELECT id, kind, state, by, input, created_at, started_at, ended_at, progress, error FROM api_jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
    ).all(limit) as Row[];
    return rows.map((r) => {
      const { result: _r, ...rest } = fromRow(r);
      return rest;
    });
  }

  interruptUnfinished(at: number): number {
    return this.stmt(
      "UPDATE api_jobs SET state = 'interrupted', ended_at = ?, error = ? WHERE state IN ('queued', 'running')",
    ).run(
      at,
      JSON.stringify({
        code: "INTERNAL",
        message: "the server stopped while this job was queued or running",
      }),
    ).changes;
  }
}
