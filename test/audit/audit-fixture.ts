// A real audit log in a temporary home: kairos.db, the 0600 key file and the anchor folder outside
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateAuditKey, nodeAuditCrypto } from "../../src/adapters/fs/audit-key-file.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import type { AuditKind } from "../../src/ports/audit-log.ts";

export interface AuditFixture {
  root: string;
  home: string;
  anchorDir: string;
  keyPath: string;
  log: SqliteAuditLog;
}

export function openFixture(
  root = mkdtempSync(join(tmpdir(), "kairos-audit-")),
  now = () => Date.now(),
): AuditFixture {
  const home = join(root, "home");
  const anchorDir = join(root, "anchors");
  const keyPath = join(home, "keys", "audit-ed25519.pem");
  const db = openDatabase(home);
  const log = new SqliteAuditLog({
    db,
    signer: loadOrCreateAuditKey(keyPath),
    crypto: nodeAuditCrypto,
    anchorDir,
    now,
  });
  return { root, home, anchorDir, keyPath, log };
}

const KINDS: AuditKind[] = ["decision", "risk.check", "order.intent", "order.event", "fill"];

/** Appends n varied records (numbers, nested objects, non-ASCII explanations) */
export function fill(log: SqliteAuditLog, n: number): void {
  for (let i = 0; i < n; i++) {
    log.append(KINDS[i % KINDS.length]!, {
      i,
      symbol: "BTC/USDT",
      price: 43_210.5 + i / 7,
      qty: "0.001",
      reasons: [{ code: "sma-cross", fast: 10, slow: 30 }],
      explanation: `Kurs über dem Durchschnitt → kaufen (€ ${i})`,
    });
  }
}
