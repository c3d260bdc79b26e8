import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import {
  type Anchor,
  anchorOfLine,
  anchorText,
  chainHash,
  fromHex,
  GENESIS_HASH,
  leafHash,
  merkleRoot,
  recordBody,
  toHex,
} from "../../audit/chain.ts";
import type {
  AuditAppendResult,
  AuditCrypto,
  AuditKind,
  AuditLog,
  StoredAnchor,
  StoredAuditRecord,
} from "../../ports/audit-log.ts";
import type { AuditSigner } from "../fs/audit-key-file.ts";
import { type Db, migrate, translateSqliteError } from "./database.ts";

/** The audit tables in kairos.db: records are only ever inserted (triggers refuse UPDATE and DELETE) */
export const AUDIT_MIGRATIONS = {
  owner: "audit",
  steps: [
    `CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY CHECK (seq >= 1),
      body TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    `CREATE TABLE audit_anchors (
      to_seq INTEGER PRIMARY KEY,
      from_seq INTEGER NOT NULL,
      signed TEXT NOT NULL,
      sig TEXT NOT NULL,
      ts INTEGER NOT NULL
    )`,
    // append-only by construction: kairos never updates or deletes, and a stray tool has to drop these first
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
  ],
} as const;

/** Default directory outside the home for anchor copies: a sibling `<home>-anchors`, or $KAIROS_AUDIT_ANCHORS */
export const auditAnchorDir = (home: string): string =>
  process.env.KAIROS_AUDIT_ANCHORS ?? `${home.replace(/[\\/]+$/, "")}-anchors`;

export interface SqliteAuditLogOptions {
  /** a connection to kairos.db: pass the order store's so a record commits with the state change it describes */
  db: Db;
  signer: AuditSigner;
  crypto: AuditCrypto;
  /** where each signed anchor is also appended (anchors.jsonl), outside the home */
  anchorDir: string;
  now: () => number;
  /** anchor after this many unanchored records (100) or this many ms since the last anchor (60,000) */
  everyRecords?: number;
  everyMs?: number;
}

/** At most this many leaves held for the next anchor (it reads the rest back) */
const HELD_LEAVES_MAX = 1_000;

export class SqliteAuditLog implements AuditLog {
  private readonly db: Db;
  private readonly o: SqliteAuditLogOptions;
  private readonly everyRecords: number;
  private readonly everyMs: number;
  private readonly insert;
  private readonly lastRow;
  private readonly lastAnchor;
  private readonly range;
  private readonly insertAnchor;
  private lastAnchorAt: number;
  /** anchors signed but not yet copied outside (copied off the append path once their transaction committed) */
  private pendingCopies: StoredAnchor[] = [];
  /** the copy in flight, if any, and the anchors it is writing */
  private copying: Promise<void> | undefined;
  private inFlight: StoredAnchor[] = [];
  private readonly isStored;
  /** why the last copy outside the home failed (it is retried with the next anchor); undefined when fine */
  copyError: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /**
   * The leaf hash of each record this log appended since its last anchor, with the chain hashes
   * before and after it, by seq: an anchor takes its leaves from here instead of reading back and
   * hashing again the ~100 bodies it covers (a bar of 100 orders anchors five times, on the way to
   * the wire). Used only when the entries chain from the anchor's first record to the head just
   * written, which proves they are the stored records (a rolled-back append or another process's
   * record breaks the chain: then the bodies are read as before)
   */
  private readonly leaves = new Map<number, { prev: string; leaf: Uint8Array; hash: string }>();

  constructor(o: SqliteAuditLogOptions) {
    this.o = o;
    this.db = o.db;
    this.everyRecords = o.everyRecords ?? 100;
    this.everyMs = o.everyMs ?? 60_000;
    try {
      migrate(this.db, AUDIT_MIGRATIONS);
    } catch (err) {
      throw translateSqliteError(err, "preparing the audit log");
    }
    this.insert = this.db.prepare("INSERT INTO audit_log (seq, body, hash) VALUES (?, ?, ?)");
    this.lastRow = this.db.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    this.lastAnchor = this.db.prepare("SELECT to_seq, ts FROM audit_anchors ORDER BY to_seq DESC LIMIT 1");
    this.range = this.db.prepare("SELECT body FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq");
    this.insertAnchor = this.db.prepare(
      "INSERT INTO audit_anchors (to_seq, from_seq, signed, sig, ts) VALUES (?, ?, ?, ?, ?)",
    );
    this.isStored = this.db.prepare("SELECT 1 FROM audit_anchors WHERE to_seq = ? AND signed = ?");
    const la = this.lastAnchor.get() as { ts: number } | undefined;
    this.lastAnchorAt = la?.ts ?? o.now();
    mkdirSync(o.anchorDir, { recursive: true, mode: 0o700 });
  }

  /** Also anchors on a 60 s timer while a trading session runs (unref'd: never keeps the process alive) */
  startTimer(): void {
    this.timer ??= setInterval(() => this.anchorIfDue(), Math.min(this.everyMs, 60_000));
    this.timer.unref();
  }

  append(kind: AuditKind, data: Record<string, unknown>): AuditAppendResult {
    const run = (): AuditAppendResult => {
      const last = this.lastRow.get() as { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const body = recordBody(seq, this.o.now(), kind, data);
      const prev = last?.hash ?? toHex(GENESIS_HASH);
      const h = toHex(chainHash(this.o.crypto, last === undefined ? GENESIS_HASH : fromHex(last.hash), body));
      this.insert.run(seq, body, h);
      this.leaves.set(seq, { prev, leaf: leafHash(this.o.crypto, body), hash: h });
      this.anchorInTx(seq, h, false);
      return { seq, hash: h };
    };
    try {
      // commits with the caller's state change; an anchor it signed is copied out once that commits
      const r = this.db.inTransaction ? run() : this.db.transaction(run).immediate();
      this.scheduleCopy();
      return r;
    } catch (err) {
      throw translateSqliteError(err, "appending to the audit log");
    }
  }

  /** Anchors now and writes every pending copy outside the home before returning (export, close) */
  anchorNow(): void {
    this.signDue(true);
    this.copyAnchors();
  }

  private signDue(force: boolean): void {
    this.db
      .transaction(() => {
        const last = this.lastRow.get() as { seq: number; hash: string } | undefined;
        if (last !== undefined) this.anchorInTx(last.seq, last.hash, force);
      })
      .immediate();
  }

  /** the 60 s timer's pass: on the event loop like the trading loop, so its copy goes out asynchronously too */
  private anchorIfDue(): void {
    this.signDue(false);
    this.scheduleCopy();
  }

  private anchorInTx(seq: number, head: string, force: boolean): void {
    const la = this.lastAnchor.get() as { to_seq: number } | undefined;
    const from = (la?.to_seq ?? 0) + 1;
    const pending = seq - from + 1;
    const now = this.o.now();
    // records anchored elsewhere (another process anchored them) or too many to hold: let them go
    if (this.leaves.size > HELD_LEAVES_MAX) {
      for (const k of [...this.leaves.keys()]) if (k < from) this.leaves.delete(k);
      if (this.leaves.size > HELD_LEAVES_MAX) this.leaves.clear();
    }
    if (pending <= 0) return;
    if (!force && pending < this.everyRecords && now - this.lastAnchorAt < this.everyMs) return;
    const leaves =
      this.heldLeaves(from, seq, head) ??
      (this.range.all(from - 1, seq) as { body: string }[]).map((r) => leafHash(this.o.crypto, r.body));
    for (const k of [...this.leaves.keys()]) if (k <= seq) this.leaves.delete(k);
    const a: Anchor = {
      v: 1,
      fromSeq: from,
      toSeq: seq,
      root: toHex(merkleRoot(this.o.crypto, leaves)),
      head,
      ts: now,
    };
    const signed = anchorText(a);
    const sig = this.o.signer.sign(new TextEncoder().encode(signed));
    this.insertAnchor.run(seq, from, signed, sig, now);
    this.lastAnchorAt = now;
    this.pendingCopies.push({ signed, sig });
  }

  /**
   * The leaves of records from..to as appended here, when they chain to `head` (the stored hash of
   * record `to`): equal chain hashes mean equal bodies, so these are the stored records' leaves
   */
  private heldLeaves(from: number, to: number, head: string): Uint8Array[] | undefined {
    const out: Uint8Array[] = [];
    let next = head;
    for (let k = to; k >= from; k--) {
      const e = this.leaves.get(k);
      if (e === undefined || e.hash !== next) return undefined;
      out.push(e.leaf);
      next = e.prev;
    }
    return out.reverse();
  }

  /** the pending anchors whose transaction committed; ones a rolled-back transaction signed are dropped */
  private committedCopies(): StoredAnchor[] {
    const out = this.pendingCopies.filter((a) => {
      const to = (JSON.parse(a.signed) as Anchor).toSeq;
      return this.isStored.get(to, a.signed) !== undefined;
    });
    this.pendingCopies = [];
    return out;
  }

  /**
   * Starts writing the pending copies to <anchorDir>/anchors.jsonl (append + fsync) through libuv's
   * thread pool and returns at once: a slow or hung directory outside the home (a network mount)
   * never stalls an append or the trading loop. A crash before the copy lands loses only the copy
   * (verify reports copies that disagree, not missing ones); a failed copy is retried with the next.
   */
  private scheduleCopy(): void {
    if (this.copying !== undefined || this.pendingCopies.length === 0) return;
    this.copying = (async () => {
      // after the caller's transaction: setImmediate runs once the synchronous code that appended is done
      await new Promise<void>((r) => setImmediate(r));
      while (this.db.open && this.db.inTransaction) await new Promise<void>((r) => setTimeout(r, 5));
      if (!this.db.open || this.pendingCopies.length === 0) return;
      const batch = this.committedCopies();
      if (batch.length === 0) return;
      this.inFlight = batch;
      try {
        const fh = await open(join(this.o.anchorDir, "anchors.jsonl"), "a", 0o600);
        try {
          await fh.appendFile(batch.map((a) => `${JSON.stringify(a)}\n`).join(""));
          await fh.sync().catch(notSyncable);
        } finally {
          await fh.close();
        }
        this.copyError = undefined;
      } catch (err) {
        this.pendingCopies.unshift(...batch);
        this.copyError = `copying signed anchors to ${this.o.anchorDir}: ${(err as Error).message}`;
      } finally {
        this.inFlight = [];
      }
    })().finally(() => {
      this.copying = undefined;
      // anchors signed while this copy was out go next; after a failure they wait for the next anchor
      if (this.copyError === undefined) this.scheduleCopy();
    });
  }

  /** Resolves when the copy in flight (if any) has landed or failed: for tests and benches */
  async copied(): Promise<void> {
    while (this.copying !== undefined) await this.copying;
  }

  /**
   * Appends the pending copies to <anchorDir>/anchors.jsonl and fsyncs it, synchronously (anchorNow:
   * export and close, not the trading loop). Lines may land in another order than a copy in flight:
   * verification treats the copies as a set.
   */
  copyAnchors(): void {
    if (this.pendingCopies.length === 0) return;
    const batch = this.committedCopies();
    if (batch.length === 0) return;
    const file = join(this.o.anchorDir, "anchors.jsonl");
    appendFileSync(file, batch.map((a) => `${JSON.stringify(a)}\n`).join(""), { mode: 0o600 });
    const fd = openSync(file, "r");
    try {
      fsyncSync(fd);
    } catch (err) {
      notSyncable(err);
    } finally {
      closeSync(fd);
    }
  }

  *records(fromSeq = 1): Iterable<StoredAuditRecord> {
    yield* this.db
      .prepare("SELECT seq, body, hash FROM audit_log WHERE seq >= ? ORDER BY rowid")
      .iterate(fromSeq) as Iterable<StoredAuditRecord>;
  }

  anchors(): StoredAnchor[] {
    return this.db.prepare("SELECT signed, sig FROM audit_anchors ORDER BY to_seq").all() as StoredAnchor[];
  }

  externalAnchors(): StoredAnchor[] {
    return readAnchorFile(join(this.o.anchorDir, "anchors.jsonl"));
  }

  publicKeyPem(): string {
    return this.o.signer.publicKeyPem;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    // a process may exit right after close: what the async copy is still writing is written here too
    // (a line twice is harmless: verification treats the copies as a set)
    this.pendingCopies.unshift(...this.inFlight);
    try {
      this.anchorNow();
    } catch {
      /* closing a read-only or already-closed connection: nothing new to anchor */
    }
  }
}

/** fsync is refused (EINVAL) on a pipe or special file: what was written stands, there is nothing to sync */
function notSyncable(err: unknown): void {
  if ((err as { code?: string }).code !== "EINVAL") throw err;
}

/** Reads an anchors.jsonl (one {"signed","sig"} per line); a missing file is no anchors */
export function readAnchorFile(file: string): StoredAnchor[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(anchorOfLine);
}
