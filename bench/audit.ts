// A3 speed: `npm run bench -- audit [--records N] [--appends N]`. JSON lines:
// - append latency with the chain and anchors on (every 100 records, Ed25519-signed, copied outside
//   the home), on the order store's synchronous=FULL connection: alone (one fsync'd commit each) and
//   inside the caller's transaction (how the trading path appends); the peer in the same run is a
//   plain INSERT committed with the same fsync, i.e. the cost floor of any durable append;
// - `verify` of N (1,000,000) records: the chain, every leaf and every anchor re-computed.
// - append latency when the directory outside the home hangs (its anchors.jsonl is a FIFO nobody
//   reads): the copy is written off the append path, so the append figures must not change.
// Each append is followed by a yield to the event loop (untimed), as the trading loop awaits its
// broker calls: the anchor copies then run beside the appends, as they do in a session.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateAuditKey, nodeAuditCrypto } from "../src/adapters/fs/audit-key-file.ts";
import { SqliteAuditLog } from "../src/adapters/sqlite/sqlite-audit-log.ts";
import { openOrderDatabase } from "../src/adapters/sqlite/sqlite-order-store.ts";
import { verifyStoredLog } from "../src/app/audit-verify.ts";

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? d : Number(process.argv[i + 1]);
};
const RECORDS = arg("--records", 1_000_000);
const APPENDS = arg("--appends", 5_000);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const line = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ bench: "audit", ...o })}\n`);
const data = (i: number) => ({
  decisionId: `s1/${i}`,
  symbol: "BTC/USDT",
  targets: { "BTC/USDT": 0.5 },
  checks: [{ name: "maxOrderValue", limit: 1000, observed: 431.2, verdict: "pass" }],
  explanation: "fast SMA crossed above slow SMA: target exposure 50%",
  price: 43210.5 + i,
});

const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

function open(root: string, name: string, fifo = false) {
  const home = join(root, name);
  if (fifo) {
    mkdirSync(join(root, `${name}-anchors`), { recursive: true });
    execFileSync("mkfifo", [join(root, `${name}-anchors`, "anchors.jsonl")]);
  }
  const db = openOrderDatabase(home);
  const log = new SqliteAuditLog({
    db,
    signer: loadOrCreateAuditKey(join(home, "keys", "audit-ed25519.pem")),
    crypto: nodeAuditCrypto,
    anchorDir: join(root, `${name}-anchors`),
    now: Date.now,
  });
  return { db, log };
}

const root = mkdtempSync(join(tmpdir(), "kairos-bench-audit-"));
try {
  // 1. append latency
  {
    const { db, log } = open(root, "append");
    db.exec("CREATE TABLE peer (i INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const peerIns = db.prepare("INSERT INTO peer (i, body) VALUES (?, ?)");
    const alone: number[] = [];
    const inTx: number[] = [];
    const peer: number[] = [];
    const body = JSON.stringify(data(0));
    for (let i = 0; i < APPENDS; i++) {
      let t = performance.now();
      log.append("decision", data(i));
      alone.push(performance.now() - t);
      t = performance.now();
      peerIns.run(i, body);
      peer.push(performance.now() - t);
      await yieldLoop();
    }
    const tx = db.transaction((i: number) => log.append("decision", data(i)));
    for (let i = 0; i < APPENDS; i++) {
      // the marginal cost inside a caller's transaction: appended, then committed with the change
      db.exec("BEGIN IMMEDIATE");
      const t = performance.now();
      tx(i);
      inTx.push(performance.now() - t);
      db.exec("COMMIT");
      await yieldLoop();
    }
    await log.copied();
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    line({
      case: "append alone (own fsync'd commit, chain + anchors)",
      n: APPENDS,
      p50_ms: ms(pct(alone, 50)),
      p99_ms: ms(pct(alone, 99)),
      max_ms: ms(Math.max(...alone)),
    });
    line({
      case: "append in the caller's transaction (trading path)",
      n: APPENDS,
      p50_ms: ms(pct(inTx, 50)),
      p99_ms: ms(pct(inTx, 99)),
      max_ms: ms(Math.max(...inTx)),
    });
    line({
      case: "peer: plain INSERT, same synchronous=FULL commit",
      n: APPENDS,
      p50_ms: ms(pct(peer, 50)),
      p99_ms: ms(pct(peer, 99)),
    });
    log.close();
    db.close();
  }
  // 1b. the same appends while the outside directory hangs
  {
    const { db, log } = open(root, "stalled", true);
    const alone: number[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const t = performance.now();
      log.append("decision", data(i));
      alone.push(performance.now() - t);
      await yieldLoop();
    }
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    const fifo = join(root, "stalled-anchors", "anchors.jsonl");
    // a reader appears (non-blocking, held open until every copy has landed, so no write is lost
    // between one writer's close and the next one's open): the stuck copy and those queued behind it land
    const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.alloc(1 << 16);
    let text = "";
    const drain = (): void => {
      for (;;) {
        let n = 0;
        try {
          n = readSync(rfd, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as { code?: string }).code === "EAGAIN") return;
          throw err;
        }
        if (n === 0) return;
        text += buf.toString("utf8", 0, n);
      }
    };
    let landed = false;
    const done = log.copied().then(() => {
      landed = true;
    });
    while (!landed) {
      drain();
      await new Promise((r) => setTimeout(r, 5));
    }
    await done;
    drain();
    closeSync(rfd);
    const copied = text.split("\n").filter((l) => l !== "").length;
    line({
      case: "append alone while the outside directory hangs (anchors.jsonl a FIFO nobody reads)",
      n: APPENDS,
      p50_ms: ms(pct(alone, 50)),
      p99_ms: ms(pct(alone, 99)),
      max_ms: ms(Math.max(...alone)),
      anchors_signed: log.anchors().length,
      copies_landed_after_unblock: copied,
    });
    unlinkSync(fifo);
    log.close();
    db.close();
  }
  // 2. verify of RECORDS records
  {
    const { db, log } = open(root, "verify");
    db.pragma("synchronous = OFF"); // building the fixture only: durability of the bench file is irrelevant
    const t0 = performance.now();
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) log.append("decision", data(i));
    });
    for (let i = 0; i < RECORDS; i += 10_000) batch(i, Math.min(RECORDS, i + 10_000));
    log.anchorNow();
    const build = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const r = verifyStoredLog(log, nodeAuditCrypto);
    const s = (performance.now() - t1) / 1000;
    line({
      case: "verify",
      records: r.records,
      anchors: r.anchors,
      ok: r.ok,
      verify_s: Math.round(s * 10) / 10,
      records_per_s: Math.round(r.records / s),
      build_s: Math.round(build * 10) / 10,
    });
    log.close();
    db.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
