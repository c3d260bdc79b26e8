// A1 tamper: 10,000 random single-byte flips, deletions, insertions, reorders and truncations after
// an anchor, on the stored log and on an export: every one detected, and the verifier names the
// first bad sequence number. The oracle is independent of the verifier: the first position where
// the tampered rows (or lines) differ from the originals.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeAuditCrypto as C, loadOrCreateAuditKey } from "../../src/adapters/fs/audit-key-file.ts";
import { SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { exportAudit, splitLines, verifyExportBytes, verifyStoredLog } from "../../src/app/audit-verify.ts";
import { verifyAudit } from "../../src/audit/chain.ts";
import type { StoredAuditRecord } from "../../src/ports/audit-log.ts";
import { type AuditFixture, fill, openFixture } from "./audit-fixture.ts";

const N = 150; // anchors at 100 and (on export) 150
const TRIALS = 10_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();
const lossy = new TextDecoder("utf-8");

function flipString(s: string, r: () => number): string {
  const b = enc.encode(s);
  const p = Math.floor(r() * b.length);
  b[p] = b[p]! ^ (1 + Math.floor(r() * 255));
  return lossy.decode(b);
}

let f: AuditFixture;
let rows: StoredAuditRecord[];
let exp: { records: Uint8Array; chain: string; anchors: string; pem: string };

beforeAll(() => {
  f = openFixture();
  fill(f.log, N);
  exportAudit(f.log, join(f.root, "export")); // anchors the tail too
  rows = [...f.log.records()];
  const d = join(f.root, "export");
  exp = {
    records: readFileSync(join(d, "records.jsonl")),
    chain: readFileSync(join(d, "chain.txt"), "utf8"),
    anchors: readFileSync(join(d, "anchors.jsonl"), "utf8"),
    pem: readFileSync(join(d, "public-key.pem"), "utf8"),
  };
});
afterAll(() => f.log.close());

type Op = "flip" | "delete" | "insert" | "reorder" | "truncate";
const OPS: Op[] = ["flip", "delete", "insert", "reorder", "truncate"];

describe("A1 tamper", () => {
  it("the untouched log and export verify, every record covered by an anchor", () => {
    const r = verifyStoredLog(f.log, C);
    expect(r).toMatchObject({ ok: true, records: N, firstBadSeq: null, anchoredTo: N, anchors: 2 });
    expect(verifyExportBytes(C, exp, exp.pem)).toMatchObject({ ok: true, records: N, anchoredTo: N });
  });

  it(`stored log: ${TRIALS} random tamperings all detected, first bad seq named`, () => {
    const r = rng(17);
    const anchors = f.log.anchors();
    const external = f.log.externalAnchors();
    const counts: Record<string, number> = {};
    for (let t = 0; t < TRIALS; t++) {
      const op = OPS[t % OPS.length]!;
      const m = rows.map((x) => ({ ...x }));
      const i = Math.floor(r() * m.length);
      if (op === "flip") {
        const row = m[i]!;
        if (r() < 0.8) row.body = flipString(row.body, r);
        else row.hash = flipString(row.hash, r);
      } else if (op === "delete") m.splice(i, 1);
      else if (op === "insert") {
        const k = Math.floor(r() * m.length);
        m.splice(i, 0, { ...rows[k]!, seq: i + 1 });
        for (let j = i + 1; j < m.length; j++) m[j]!.seq = j + 1; // renumbered, as a forger would
      } else if (op === "reorder") {
        let j = Math.floor(r() * m.length);
        if (j === i) j = (i + 1) % m.length;
        const [a, b] = [m[i]!, m[j]!];
        m[i] = { ...b, seq: a.seq };
        m[j] = { ...a, seq: b.seq };
      } else m.length = i; // truncation below the last anchor (every record is anchored)
      let want = m.findIndex((x, j) => {
        const o = rows[j];
        return o === undefined || o.seq !== x.seq || o.body !== x.body || o.hash !== x.hash;
      });
      if (want < 0) want = m.length; // a strict prefix: the first missing record
      const v = verifyAudit(C, {
        records: m,
        anchors,
        externalAnchors: external,
        publicKeyPem: f.log.publicKeyPem(),
      });
      expect(v.ok, `${op} trial ${t}`).toBe(false);
      expect(v.firstBadSeq, `${op} trial ${t}: ${v.problem}`).toBe(want + 1);
      counts[op] = (counts[op] ?? 0) + 1;
    }
    console.log(`A1 stored: ${TRIALS}/${TRIALS} detected, first bad seq exact`, JSON.stringify(counts));
    // up to 122 s here with three CPU hogs; CI is slower still
  }, 600_000);

  it(`export: ${TRIALS} random tamperings of records.jsonl and chain.txt all detected, first bad seq named`, () => {
    const r = rng(42);
    const lines = splitLines(exp.records).map((l) => Buffer.from(l).toString("latin1"));
    const chain = exp.chain.split("\n").filter((l) => l !== "");
    const counts: Record<string, number> = {};
    for (let t = 0; t < TRIALS; t++) {
      const op = OPS[t % OPS.length]!;
      let recBytes: Uint8Array;
      let chainText = exp.chain;
      const m = [...lines];
      const i = Math.floor(r() * m.length);
      if (op === "flip") {
        if (r() < 0.85) {
          recBytes = Uint8Array.from(exp.records);
          const p = Math.floor(r() * recBytes.length);
          recBytes[p] = recBytes[p]! ^ (1 + Math.floor(r() * 255));
        } else {
          const cb = enc.encode(exp.chain);
          const p = Math.floor(r() * cb.length);
          cb[p] = cb[p]! ^ (1 + Math.floor(r() * 255));
          chainText = lossy.decode(cb);
          recBytes = exp.records;
        }
      } else {
        if (op === "delete") m.splice(i, 1);
        else if (op === "insert") m.splice(i, 0, lines[Math.floor(r() * lines.length)]!);
        else if (op === "reorder") {
          let j = Math.floor(r() * m.length);
          if (j === i) j = (i + 1) % m.length;
          [m[i], m[j]] = [m[j]!, m[i]!];
        } else {
          // truncation anywhere below the last anchor, at a line boundary or mid-line
          const keep = m.slice(0, i).join("\n") + (i > 0 ? "\n" : "");
          const cut = r() < 0.5 ? keep : keep + m[i]!.slice(0, Math.floor(r() * m[i]!.length));
          m.length = 0;
          m.push(...cut.split("\n").filter((x, k, all) => k < all.length - 1 || x !== ""));
        }
        recBytes = Buffer.from(m.map((l) => `${l}\n`).join(""), "latin1");
      }
      // the oracle: first line (record or its chain hash) that differs from the original
      const mLines = splitLines(recBytes).map((l) => Buffer.from(l).toString("latin1"));
      const mChain = chainText.split("\n").filter((l) => l !== "");
      let want = -1;
      for (let j = 0; j < Math.max(mLines.length, lines.length); j++) {
        if (j >= mLines.length) break;
        if (mLines[j] !== lines[j] || (mChain[j] ?? "") !== chain[j]) {
          want = j;
          break;
        }
      }
      if (want < 0) want = Math.min(mLines.length, mChain.length);
      const v = verifyExportBytes(C, { records: recBytes, chain: chainText, anchors: exp.anchors }, exp.pem);
      expect(v.ok, `${op} trial ${t}`).toBe(false);
      expect(v.firstBadSeq, `${op} trial ${t}: ${v.problem}`).toBe(want + 1);
      counts[op] = (counts[op] ?? 0) + 1;
    }
    console.log(`A1 export: ${TRIALS}/${TRIALS} detected, first bad seq exact`, JSON.stringify(counts));
    // up to 122 s here with three CPU hogs; CI is slower still
  }, 600_000);

  it("tampering through SQLite itself (triggers dropped, rows rewritten, re-chained, anchors deleted) is detected", () => {
    f.log.close(); // anchors the tail; copy a checkpointed file
    const src = join(f.home, "kairos.db");
    const tamper = (sql: (db: Database.Database) => void) => {
      const dst = join(f.root, `t-${Math.random().toString(36).slice(2)}.db`);
      const w = new Database(src);
      w.pragma("wal_checkpoint(TRUNCATE)");
      w.close();
      copyFileSync(src, dst);
      const db = new Database(dst);
      db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
      sql(db);
      const log = new SqliteAuditLog({
        db,
        signer: loadOrCreateAuditKey(f.keyPath),
        crypto: C,
        anchorDir: f.anchorDir,
        now: Date.now,
      });
      const v = verifyStoredLog(log, C);
      db.close();
      return v;
    };
    // a flipped amount in record 57
    expect(
      tamper((db) =>
        db
          .prepare(
            'UPDATE audit_log SET body = replace(body, \'"qty":"0.001"\', \'"qty":"0.002"\') WHERE seq = 57',
          )
          .run(),
      ),
    ).toMatchObject({ ok: false, firstBadSeq: 57 });
    // record 120 rewritten and the whole chain from it re-computed (no key: the anchor 101..150 fails)
    const rechain = (db: Database.Database) => {
      db.prepare(
        'UPDATE audit_log SET body = replace(body, \'"qty":"0.001"\', \'"qty":"9.000"\') WHERE seq = 120',
      ).run();
      let prev = (db.prepare("SELECT hash FROM audit_log WHERE seq = 119").get() as { hash: string }).hash;
      for (const row of db.prepare("SELECT seq, body FROM audit_log WHERE seq >= 120 ORDER BY seq").all() as {
        seq: number;
        body: string;
      }[]) {
        prev = Buffer.from(
          C.sha256(Buffer.concat([Buffer.from(prev, "hex"), Buffer.from(row.body)])),
        ).toString("hex");
        db.prepare("UPDATE audit_log SET hash = ? WHERE seq = ?").run(prev, row.seq);
      }
    };
    expect(tamper(rechain)).toMatchObject({ ok: false, firstBadSeq: 101 });
    // the last records and their anchors deleted from the database: the copies outside the home say so
    expect(
      tamper((db) =>
        db.exec("DELETE FROM audit_log WHERE seq > 120; DELETE FROM audit_anchors WHERE to_seq > 100"),
      ),
    ).toMatchObject({ ok: false, firstBadSeq: 101 });
  });
});
