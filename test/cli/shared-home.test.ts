// One home, several processes: a writer waits for another (bounded busy timeout) instead of failing
// at once, and gives up with one clear line when the other holds the database past the bound
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATA_DIR } from "../support/bundled-data.ts";
import { ROOT, spawnKairos, tempHome } from "../support/cli.ts";

const SLOW = 120_000;

// another process holding the write lock of <home>/kairos.db for `ms`, or until the file `until` exists
// when one is given: BEGIN IMMEDIATE, a write, wait, COMMIT
const HOLDER = `
const Database = require(${JSON.stringify(join(ROOT, "node_modules/better-sqlite3"))});
const { existsSync } = require("node:fs");
const [home, ms, until] = process.argv.slice(1);
const db = new Database(home + "/kairos.db");
db.pragma("busy_timeout = 60000");
db.exec("BEGIN IMMEDIATE");
db.exec("CREATE TABLE IF NOT EXISTS lock_holder (x)");
db.exec("INSERT INTO lock_holder VALUES (1)");
process.stdout.write("holding\\n");
const pause = new Int32Array(new SharedArrayBuffer(4));
if (until === undefined) Atomics.wait(pause, 0, 0, Number(ms));
else for (const end = Date.now() + Number(ms); !existsSync(until) && Date.now() < end; ) Atomics.wait(pause, 0, 0, 10);
db.exec("COMMIT");
process.stdout.write("released " + Date.now() + "\\n");
`;

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const h of holders.splice(0)) if (h.exitCode === null) h.kill("SIGKILL");
});

/**
 * Starts the holder and resolves once it holds the lock; `released` resolves with the release time.
 * With `until`, it holds until that file exists (at most `ms`)
 */
function holdLock(home: string, ms: number, until?: string): Promise<{ released: Promise<number> }> {
  const child = spawn(process.execPath, [
    "-e",
    HOLDER,
    home,
    String(ms),
    ...(until === undefined ? [] : [until]),
  ]);
  holders.push(child);
  let out = "";
  let release: (t: number) => void = () => undefined;
  const released = new Promise<number>((r) => {
    release = r;
  });
  return new Promise((holding, fail) => {
    child.on("error", fail);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("holding\n")) holding({ released });
      const m = /released (\d+)/.exec(out);
      if (m !== null) release(Number(m[1]));
    });
  });
}

const file = (name: string): string => join(DATA_DIR, name);

describe("one home, several processes", () => {
  const home = tempHome("kairos-shared-home-");

  it(
    "an import waits for another process's write and then succeeds",
    async () => {
      const first = await spawnKairos(["data", "import", file("binance_BTC-USDT_1d.csv")], { home });
      expect(first.code, first.stderr).toBe(0);
      const lock = await holdLock(home, 2500);
      const r = await spawnKairos(["data", "import", file("binance_ETH-USDT_1d.csv")], { home });
      const releasedAt = await lock.released;
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now()).toBeGreaterThanOrEqual(releasedAt);
      expect(r.stdout).toMatch(/imported 1 file\(s\), 1825 new candles/);
    },
    SLOW,
  );

  it(
    "past the bound it gives up with one clear line (CONFLICT, exit 5), no stack trace",
    async () => {
      // held until the import has given up: a fixed 6 s hold was shorter than the CLI's start on a
      // loaded machine (3 s here under load), and an import that starts after the release succeeds
      const done = join(home, "import-gave-up");
      const lock = await holdLock(home, 240_000, done);
      const r = await spawnKairos(["data", "import", file("binance_FET-USDT_1d.csv")], {
        home,
        env: { KAIROS_BUSY_TIMEOUT_MS: "300" },
      });
      writeFileSync(done, "");
      expect(r.code, r.stderr).toBe(5);
      const lines = r.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("kairos:"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /another kairos process kept the database busy for more than 0\.3 s; run the command again when it has finished \[CONFLICT\]$/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      await lock.released;
    },
    SLOW,
  );

  it(
    "three imports into one home at the same time all succeed and store every series",
    async () => {
      const fresh = tempHomeInside(home);
      const names = ["binance_ICP-USDT_1d.csv", "binance_IO-USDT_1d.csv", "binance_NEAR-USDT_1d.csv"];
      const runs = await Promise.all(
        names.map((n) => spawnKairos(["data", "import", file(n)], { home: fresh })),
      );
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const list = await spawnKairos(["data", "list", "--json"], { home: fresh });
      const series = (JSON.parse(list.stdout) as { series: { symbol: string }[] }).series;
      expect(series.map((s) => s.symbol).sort()).toEqual(["ICP/USDT", "IO/USDT", "NEAR/USDT"]);
    },
    SLOW,
  );
});

const tempHomeInside = (dir: string): string => join(dir, "fresh");

interface ManifestEntry {
  file: string;
  rows: number;
}

describe("kill -9 during an import", () => {
  const root = tempHome("kairos-kill-import-");
  const manifest = (
    JSON.parse(readFileSync(join(DATA_DIR, "manifest.json"), "utf8")) as ManifestEntry[]
  ).filter((m) => !m.file.includes("/"));
  const rowsOf = new Map(
    manifest.map((m) => {
      const [, ex, base, quote, tf] = /^(\w+)_(\w+)-(\w+)_(\w+)\.csv/.exec(m.file)!;
      return [`${ex} ${base}/${quote} ${tf}`, m.rows];
    }),
  );

  // killed at several moments after the import opened the home (a fault injected at varied times,
  // not a wait): whatever the moment, every stored series is whole, or absent
  it.each([0, 30, 90, 180])(
    "killed %i ms into the import: every series whole or absent, the file sound",
    async (delay) => {
      const home = join(root, `after-${delay}`);
      const child = spawn(
        process.execPath,
        [join(ROOT, "bin/kairos.js"), "--home", home, "data", "import", DATA_DIR],
        { env: { ...process.env, KAIROS_HOME: "" } },
      );
      const opened = setInterval(() => {
        if (!existsSync(join(home, "kairos.db"))) return;
        clearInterval(opened);
        setTimeout(() => child.kill("SIGKILL"), delay);
      }, 2);
      const killed = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on("close", (code, signal) => done({ code, signal })),
      );
      clearInterval(opened);
      // the first kill lands as soon as the home opens; a later one may find the import done (exit 0)
      if (delay === 0) expect(killed.signal).toBe("SIGKILL");
      else expect([killed.signal, killed.code]).toContainEqual(killed.signal === null ? 0 : "SIGKILL");
      const list = await spawnKairos(["data", "list", "--json"], { home });
      expect(list.code, list.stderr).toBe(0);
      const series = (
        JSON.parse(list.stdout) as {
          series: { exchange: string; symbol: string; timeframe: string; rows: number }[];
        }
      ).series;
      for (const s of series) {
        const key = `${s.exchange} ${s.symbol} ${s.timeframe}`;
        expect(s.rows, key).toBe(rowsOf.get(key));
      }
      const check = await spawnKairos(["data", "check", "--json"], { home });
      expect(check.code, check.stderr).toBe(0);
    },
    SLOW,
  );
});
