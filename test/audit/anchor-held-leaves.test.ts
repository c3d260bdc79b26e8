// An anchor takes the leaves of the records its log appended from memory instead of reading back
// and hashing the bodies again, but only where those leaves are the stored records: records of
// another process (another connection to the same kairos.db) and records of a transaction that
// rolled back must not slip into a root. Every anchor's root is checked by the verifier, which
// re-reads and re-hashes the stored bodies (independent of the held leaves).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrCreateAuditKey, nodeAuditCrypto } from "../../src/adapters/fs/audit-key-file.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { verifyStoredLog } from "../../src/app/audit-verify.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-held-leaves-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("anchors from the leaves a log holds", () => {
  it("roots stay those of the stored records across another writer, a rollback and a replaced record", () => {
    const home = join(root, "home");
    const anchorDir = join(root, "anchors");
    mkdirSync(anchorDir, { recursive: true });
    const signer = loadOrCreateAuditKey(join(home, "keys", "audit-ed25519.pem"));
    const open = () => {
      const db = openDatabase(home);
      return {
        db,
        log: new SqliteAuditLog({ db, signer, crypto: nodeAuditCrypto, anchorDir, now: Date.now }),
      };
    };
    const a = open();
    const b = open();
    // a's 60, b's 30 in between, a's 60 more: the anchor at 100 covers b's records, which a never held
    for (let i = 0; i < 60; i++) a.log.append("decision", { by: "a", i });
    for (let i = 0; i < 30; i++) b.log.append("decision", { by: "b", i });
    for (let i = 0; i < 60; i++) a.log.append("decision", { by: "a", i: 60 + i });
    // a transaction of a's that appended 40 records, then rolled back: a holds stale leaves for
    // seqs 151-190, and b writes 151-170 with other bodies (the anchor at 200 must not take them)
    const rollBack = (n: number): void =>
      expect(() =>
        a.db.transaction(() => {
          for (let i = 0; i < n; i++) a.log.append("fill", { rolledBack: i });
          throw new Error("the state change failed");
        })(),
      ).toThrow("the state change failed");
    rollBack(40);
    for (let i = 0; i < 20; i++) b.log.append("order.event", { by: "b", i });
    for (let i = 0; i < 110; i++) a.log.append("order.event", { by: "a", i });
    // rolled back again, then a alone writes those seqs anew: its leaves for them are replaced
    rollBack(40);
    for (let i = 0; i < 40; i++) a.log.append("order.event", { by: "a", again: i });
    const tos = a.log.anchors().map((x) => (JSON.parse(x.signed) as { toSeq: number }).toSeq);
    expect(tos).toEqual([100, 200, 300]);
    // the root of each anchor is recomputed from the stored bodies by the verifier
    expect(verifyStoredLog(a.log, nodeAuditCrypto)).toMatchObject({ ok: true, records: 320 });
    // a long run on one writer: anchors every 100 records, the held leaves let go after each
    for (let i = 0; i < 1_050; i++) a.log.append("fill", { i });
    expect(verifyStoredLog(a.log, nodeAuditCrypto)).toMatchObject({ ok: true, records: 1_370 });
    expect(a.log.anchors()).toHaveLength(13);
    b.log.close();
    a.log.close();
    expect(verifyStoredLog(a.log, nodeAuditCrypto)).toMatchObject({ ok: true, anchoredTo: 1_370 });
    a.db.close();
    b.db.close();
  }, 60_000);
});
