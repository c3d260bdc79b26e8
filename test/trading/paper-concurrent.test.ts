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

function child(account: string, startAt: number): Promise<ChildOut> {
  return new Promise((done, fail) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "paper-concurrent-child.ts"),
        home,
        account,
        String(ROUNDS),
        String(startAt),
      ],
      // `--import tsx` is resolved from the working directory: the repository's, wherever vitest was started
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", fail);
    p.on("close", (code) =>
      code === 0
        ? done(JSON.parse(out) as ChildOut)
        : fail(new Error(`child ${account} exit ${code}: ${err}`)),
    );
  });
}

describe("paper venue under two processes", () => {
  it(`two processes, ${ROUNDS} rounds each of submit/submit/match/cancel/deposit on one kairos.db: 0 SQLITE_BUSY, every market order filled, unique trade ids`, async () => {
    // the children load tsx and the bundled series first: start both well after that
    const startAt = Date.now() + 4000;
    const [a, b] = await Promise.all([child("pa", startAt), child("pb", startAt)]);
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
