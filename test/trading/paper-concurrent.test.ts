// Two processes trading on the same paper venue (one kairos.db, two accounts, trade ids numbered
// per market across accounts) at the same time: every read-then-write of the paper books takes the
// write lock first (BEGIN IMMEDIATE), so neither process ever gets SQLITE_BUSY, every round fills,
// and trade ids stay unique per market
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { dbPath } from "../../src/adapters/sqlite/database.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ROUNDS = process.env.KAIROS_FULL === "1" ? 1000 : 200;
const home = mkdtempSync(join(tmpdir(), "kairos-paper-concurrent-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface ChildOut {
  account: string;
  rounds: number;
  fills: number;
  errors: string[];
}

/** A child process: `ready` once it has loaded, `go()` starts its rounds, `done` its report */
function child(account: string): { ready: Promise<void>; go: () => void; done: Promise<ChildOut> } {
  const p = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      resolve(import.meta.dirname, "paper-concurrent-child.ts"),
      home,
      account,
      String(ROUNDS),
    ],
    // `--import tsx` is resolved from the working directory: the repository's, wherever vitest was started
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  let loaded: () => void = () => undefined;
  const ready = new Promise<void>((r) => (loaded = r));
  p.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n")) loaded();
  });
  p.stderr.on("data", (d: Buffer) => (err += d.toString()));
  // a child that has already exited cannot be told to go: its exit is what `done` reports
  p.stdin.on("error", () => undefined);
  const done = new Promise<ChildOut>((resolveDone, fail) => {
    p.on("error", fail);
    p.on("close", (code) =>
      code === 0
        ? resolveDone(JSON.parse(out.slice("ready\n".length)) as ChildOut)
        : fail(new Error(`child ${account} exit ${code}: ${err}`)),
    );
  });
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => p.stdin.end("go\n"), done };
}

describe("paper venue under two processes", () => {
  it(`two processes, ${ROUNDS} rounds each of submit/submit/match/cancel/deposit on one kairos.db: 0 SQLITE_BUSY, every market order filled, unique trade ids`, async () => {
    // the children load tsx and the bundled series first: both start their rounds once both have
    const pa = child("pa");
    const pb = child("pb");
    const kids = [pa, pb];
    try {
      await Promise.all(kids.map((k) => k.ready));
    } finally {
      for (const k of kids) k.go();
    }
    const [a, b] = await Promise.all([pa.done, pb.done]);
    for (const r of [a, b]) {
      expect(r.errors).toEqual([]);
      expect(r.fills).toBe(ROUNDS);
    }
    const db = new Database(dbPath(home), { readonly: true });
    const dup = db
      .prepare(
        "SELECT symbol, symbol_trade_id, COUNT(*) n FROM paper_fills GROUP BY symbol, symbol_trade_id HAVING n > 1",
      )
      .all();
    const n = db.prepare("SELECT COUNT(*) n FROM paper_fills").get() as { n: number };
    db.close();
    expect(dup).toEqual([]);
    expect(n.n).toBe(2 * ROUNDS);
  }, 120_000);
});
