// Issue 17, "appending never blocks the trading loop": the signed anchor's copy outside the home is
// written off the append path. Its file here is a FIFO nobody reads, so a synchronous open would
// hang the process: appends (alone and inside a caller's transaction) still return, the event loop
// keeps running, and once a reader appears the copies land, equal to the database's anchors. A
// transaction that rolls back takes its anchor with it: no copy of it is ever written.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrCreateAuditKey, nodeAuditCrypto } from "../../src/adapters/fs/audit-key-file.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { readAnchorFile, SqliteAuditLog } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { verifyStoredLog } from "../../src/app/audit-verify.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-anchor-copy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(process.platform === "win32")("anchor copies outside the home", () => {
  it("a hung outside directory never stalls an append; the copies land once it answers; a rolled-back anchor is never copied", async () => {
    const home = join(root, "home");
    const anchorDir = join(root, "anchors");
    mkdirSync(anchorDir, { recursive: true });
    const fifo = join(anchorDir, "anchors.jsonl");
    execFileSync("mkfifo", [fifo]);
    const db = openDatabase(home);
    const log = new SqliteAuditLog({
      db,
      signer: loadOrCreateAuditKey(join(home, "keys", "audit-ed25519.pem")),
      crypto: nodeAuditCrypto,
      anchorDir,
      now: Date.now,
    });
    // 150 appends on their own, 100 inside callers' transactions: two anchors (every 100 records)
    for (let i = 0; i < 150; i++) log.append("decision", { i });
    const tx = db.transaction((i: number) => log.append("order.event", { i }));
    for (let i = 150; i < 250; i++) tx(i);
    // a transaction that signs an anchor, then rolls back
    expect(() =>
      db.transaction(() => {
        for (let i = 0; i < 100; i++) log.append("fill", { rolledBack: i });
        throw new Error("the state change failed");
      })(),
    ).toThrow("the state change failed");
    expect(log.anchors().map((a) => JSON.parse(a.signed).toSeq)).toEqual([100, 200]);
    // the loop is alive while the copy waits on the FIFO: a 5 ms ticker gets its turns. Waited for by
    // count, not for a fixed 100 ms (a starved process got 3 ticks in those under 8 CPU hogs); a loop
    // blocked on the FIFO never gets there, and the test times out
    let ticks = 0;
    await new Promise<void>((done) => {
      const ticker = setInterval(() => {
        if (++ticks > 3) {
          clearInterval(ticker);
          done();
        }
      }, 5);
    });
    expect(ticks).toBeGreaterThan(3);
    // a reader appears: the writer's open returns, the lines arrive, the writer closes (EOF)
    const text = await readFile(fifo, "utf8");
    await log.copied();
    expect(log.copyError).toBeUndefined();
    const copies = text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { signed: string; sig: string });
    expect(copies).toEqual(log.anchors());
    // the FIFO gives way to a plain file for the rest (close's synchronous flush)
    unlinkSync(fifo);
    log.close();
    expect(readAnchorFile(fifo)).toHaveLength(1); // the tail's anchor, signed on close
    expect(verifyStoredLog(log, nodeAuditCrypto)).toMatchObject({ ok: true, records: 250, anchoredTo: 250 });
    expect(readFileSync(fifo, "utf8")).not.toContain("rolledBack");
    db.close();
  }, 60_000);
});
