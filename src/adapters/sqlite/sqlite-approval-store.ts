/**
 * Proposals and their approvals in kairos.db. A proposal's state changes only by a conditional
 * UPDATE (`WHERE state = from`), so of two approvals racing for one proposal exactly one wins and a
 * replayed one changes nothing. Pass the order store's connection to commit a state change with
 * its audit record in one transaction.
 */
import type {
  ApprovalStore,
  ProposalPatch,
  ProposalRecord,
  ProposalState,
} from "../../ports/approval-store.ts";
import { type Db, migrate, preparedOnce, translateSqliteError } from "./database.ts";

export const APPROVAL_MIGRATIONS = {
  owner: "approvals",
  steps: [
    `CREATE TABLE approval_proposals (
      id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      state TEXT NOT NULL,
      order_hash TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`,
    "CREATE INDEX approval_proposals_state ON approval_proposals (state, created_at)",
  ],
} as const;

interface Row {
  id: string;
  state: string;
  body: string;
}

export class SqliteApprovalStore implements ApprovalStore {
  private readonly stmt: ReturnType<typeof preparedOnce>;

  constructor(private readonly db: Db) {
    try {
      migrate(db, APPROVAL_MIGRATIONS);
    } catch (err) {
      throw translateSqliteError(err, "preparing the approvals table");
    }
    this.stmt = preparedOnce(db);
  }

  private run<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateSqliteError(err, doing);
    }
  }

  add(p: ProposalRecord): void {
    this.run("storing a proposal", () =>
      this.stmt(
        `INSERT INTO approval_proposals (id, session_id, state, order_hash, body, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(p.id, p.order.sessionId, p.state, p.orderHash, JSON.stringify(p), p.createdAt, p.expiresAt),
    );
  }

  get(id: string): ProposalRecord | undefined {
    const row = this.run(
      "reading a proposal",
      () =>
        this.stmt("SELECT id, state, body FROM approval_proposals WHERE id = ?").get(id) as Row | undefined,
    );
    return row === undefined ? undefined : recordOf(row);
  }

  list(
    filter: { states?: readonly ProposalState[]; sessionId?: string; limit?: number } = {},
  ): ProposalRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.states !== undefined && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => "?").join(", ")})`);
      args.push(...filter.states);
    }
    if (filter.sessionId !== undefined) {
      where.push("session_id = ?");
      args.push(filter.sessionId);
    }
    const sql = `SELECT id, state, body FROM approval_proposals ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.run(
      "listing proposals",
      () => this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[],
    );
    return rows.map(recordOf);
  }

  transition(id: string, from: ProposalState, to: ProposalState, patch: ProposalPatch = {}): boolean {
    return this.run("deciding a proposal", () =>
      this.db
        .transaction(() => {
          const row = this.stmt("SELECT id, state, body FROM approval_proposals WHERE id = ?").get(id) as
            | Row
            | undefined;
          if (row === undefined || row.state !== from) return false;
          const next: ProposalRecord = { ...recordOf(row), ...patch, state: to };
          const r = this.stmt(
            "UPDATE approval_proposals SET state = ?, body = ? WHERE id = ? AND state = ?",
          ).run(to, JSON.stringify(next), id, from);
          return r.changes === 1;
        })
        .immediate(),
    );
  }

  batch<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}

// the state column is the truth (the body is written with it in the same statement)
const recordOf = (r: Row): ProposalRecord => ({
  ...(JSON.parse(r.body) as ProposalRecord),
  state: r.state as ProposalState,
});
