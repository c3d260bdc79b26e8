import type { AuthStore, CredentialKind, TokenRecord } from "../../app/auth-service.ts";
import { type Db, migrate } from "./database.ts";

/** The password's scrypt hash and tokens' SHA-256 hashes in kairos.db; no usable credential is stored */
export const AUTH_MIGRATIONS = {
  owner: "auth",
  steps: [
    `CREATE TABLE auth_password (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      encoded TEXT NOT NULL,
      set_at INTEGER NOT NULL
    )`,
    `CREATE TABLE auth_tokens (
      id TEXT PRIMARY KEY,
      hash TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('person', 'agent')),
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER,
      revoked_at INTEGER
    )`,
  ],
} as const;

interface Row {
  id: string;
  hash: string;
  kind: CredentialKind;
  name: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const fromRow = (r: Row): TokenRecord => ({
  id: r.id,
  hash: r.hash,
  kind: r.kind,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

export class SqliteAuthStore implements AuthStore {
  constructor(private readonly db: Db) {
    migrate(db, AUTH_MIGRATIONS);
  }

  readPassword(): string | undefined {
    const r = this.db.prepare("SELECT encoded FROM auth_password WHERE id = 1").get() as
      | { encoded: string }
      | undefined;
    return r?.encoded;
  }

  writePassword(encoded: string): void {
    this.db
      .prepare(
        "INSERT INTO auth_password (id, encoded, set_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET encoded = excluded.encoded, set_at = excluded.set_at",
      )
      .run(encoded, Date.now());
  }

  insertToken(t: TokenRecord): void {
    this.db
      .prepare(
        "INSERT INTO auth_tokens (id, hash, kind, name, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(t.id, t.hash, t.kind, t.name, t.createdAt, t.expiresAt, t.revokedAt);
  }

  findTokenByHash(hash: string): TokenRecord | undefined {
    const r = this.db.prepare("SELECT * FROM auth_tokens WHERE hash = ?").get(hash) as Row | undefined;
    return r === undefined ? undefined : fromRow(r);
  }

  listTokens(): TokenRecord[] {
    return (this.db.prepare("SELECT * FROM auth_tokens ORDER BY created_at").all() as Row[]).map(fromRow);
  }

  revokeToken(id: string, at: number): boolean {
    return (
      this.db.prepare("UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, id)
        .changes > 0
    );
  }

  revokeKind(kind: CredentialKind, at: number): number {
    return this.db
      .prepare("UPDATE auth_tokens SET revoked_at = ? WHERE kind = ? AND revoked_at IS NULL")
      .run(at, kind).changes;
  }
}
