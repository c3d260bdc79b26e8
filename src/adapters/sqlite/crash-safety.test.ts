// A writer killed with SIGKILL mid-transaction leaves every series whole or absent, and a sound file
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { SqliteCandleStore } from "./sqlite-candle-store.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-crash-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("survives SIGKILL during writes: no half-written series, integrity ok", async () => {
  const home = join(root, "home");
  const writer = resolve(import.meta.dirname, "../../../test/support/crash-writer.ts");
  const child = spawn(process.execPath, ["--import", "tsx", writer, home], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let committed = 0;
  let pending = "";
  await new Promise<void>((done) => {
    child.stdout.on("data", (d: Buffer) => {
      const lines = (pending + d.toString()).split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("writing")) committed++;
        // kill it inside a later transaction: the writer says when one starts (no fixed sleep)
        else if (committed >= 2) child.kill("SIGKILL");
      }
    });
    child.on("close", () => done());
  });
  const db = openDatabase(home);
  expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  const store = new SqliteCandleStore(db);
  const series = store.list();
  expect(series.length).toBeGreaterThanOrEqual(committed);
  for (const s of series) {
    expect(s.rows, s.symbol).toBe(300_000);
    const r = store.read(s);
    expect(r.ts.length).toBe(300_000);
    expect(r.volume[299_999]).toBe(299_999);
  }
  store.close();
});
