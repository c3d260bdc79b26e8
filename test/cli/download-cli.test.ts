// `kairos data download` as a user runs it: a child process, the local exchange over HTTP, Ctrl-C
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { spawnKairos } from "../support/cli.ts";
import { type LocalExchange, startLocalExchange } from "../support/local-exchange/index.ts";

// each step spawns the CLI, which loads ccxt (seconds on a loaded 2-core machine)
const SLOW = 240_000;
const tmp = mkdtempSync(join(tmpdir(), "kairos-cli-download-"));
let ex: LocalExchange;
beforeAll(async () => {
  ex = await startLocalExchange();
});
afterAll(async () => {
  await ex.close();
  rmSync(tmp, { recursive: true, force: true });
});

const waitFor = async (cond: () => boolean, ms = 60_000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("kairos data download (CLI)", () => {
  it(
    "Ctrl-C keeps the fetched pages, exits 130, and the same command resumes to the full series",
    async () => {
      const home = join(tmp, "home");
      const fet = loadBundledSeries("binance", "FET/USDT", "1h");
      const args = [
        "data",
        "download",
        "--exchange",
        "binance",
        "--symbol",
        "FET/USDT",
        "--timeframe",
        "1h",
        "--api-base",
        ex.url,
        "--home",
        home,
      ];
      // three pages answered at once, then the fourth held for ten minutes: Ctrl-C comes while the
      // download waits for it, and kairos stops at once, without the page (waiting for it would
      // outlast this test's time); 150 ms per page let a CI fork that was a second late find the
      // download finished
      ex.faults.inject(
        { kind: "slow", delayMs: 600_000 },
        { pathPrefix: "/api/v3/klines", after: 3, times: 1000 },
      );
      const klines = () => ex.requests.filter((r) => r.path === "/api/v3/klines").length;
      // ccxt's own timeout longer than the hold, so only kairos's stop can end the wait
      const first = await spawnKairos([...args, "--timeout", "600000"], {
        whileRunning: async (pid) => {
          await waitFor(() => klines() >= 4);
          process.kill(pid, "SIGINT");
        },
      });
      expect(first.code, first.stderr).toBe(130);
      expect(first.stderr).toMatch(
        /kairos: interrupted: kept \d+ new candles up to .*; run the same command to resume \[CANCELLED\]/,
      );
      const kept = Number(/kept (\d+) new candles/.exec(first.stderr)![1]);
      // the three pages of 1,000 answered, nothing of the held one
      expect(kept).toBe(3000);
      expect(kept).toBeLessThan(fet.ts.length);
      expect(first.stderr).toContain("interrupted: stopping now");
      ex.faults.clear();
      const again = await spawnKairos([...args, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const report = JSON.parse(again.stdout);
      expect(report).toMatchObject({ resumed: true, inserted: fet.ts.length - kept, interrupted: false });
      const list = await spawnKairos(["data", "list", "--home", home, "--json"]);
      expect(JSON.parse(list.stdout).series[0]).toMatchObject({
        exchange: "binance",
        symbol: "FET/USDT",
        timeframe: "1h",
        rows: fet.ts.length,
        first: fet.ts[0],
        last: fet.ts[fet.ts.length - 1],
        gaps: 0,
      });
    },
    SLOW,
  );

  it(
    "an exchange error is one clear line and a non-zero exit",
    async () => {
      ex.faults.inject(
        { kind: "exchange-error", status: 400, code: -1121, msg: "Invalid symbol." },
        { pathPrefix: "/api/v3/klines" },
      );
      const r = await spawnKairos([
        "data",
        "download",
        "--exchange",
        "binance",
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "1d",
        "--api-base",
        ex.url,
        "--home",
        join(tmp, "h2"),
      ]);
      expect(r.code).toBe(4);
      expect(r.stderr.trim().split("\n").at(-1)).toMatch(
        /^kairos: binance does not know the symbol while fetching ETH\/USDT 1d candles: .*Invalid symbol.*\[NOT_FOUND\]$/,
      );
    },
    SLOW,
  );
});
