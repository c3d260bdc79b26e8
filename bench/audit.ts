// A3 speed: `npm run bench -- audit [--records N] [--appends N]`. JSON lines:
// - append latency with the chain and anchors on (every 100 records, Ed25519-signed, copied outside
//   the home), on the order store's synchronous=FULL connection: alone (one fsync'd commit each) and
//   inside the caller's transaction (how the trading path appends); the peer in the same run is a
//   plain INSERT committed with the same fsync, i.e. the cost floor of any durable append;
// - `verify` of N (1,000,000) records: the chain, every leaf and every anchor re-computed.
import { mkdtempSync, rmSync } from "node:fs";
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

function open(root: string, name: string) {
  const home = join(root, name);
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
    }
    const tx = db.transaction((i: number) => log.append("decision", data(i)));
    for (let i = 0; i < APPENDS; i++) {
      // the marginal cost inside a caller's transaction: appended, then committed with the change
      db.exec("BEGIN IMMEDIATE");
      const t = performance.now();
      tx(i);
      inTx.push(performance.now() - t);
      db.exec("COMMIT");
    }
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
