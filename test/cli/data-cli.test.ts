import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DATA_DIR } from "../support/bundled-data.ts";
import { runKairos } from "../support/cli.ts";

// each step spawns the CLI (a few seconds each on a loaded 2-core machine)
const SLOW = 240_000;
const tmp = mkdtempSync(join(tmpdir(), "kairos-cli-data-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kairos = (...args: string[]) => runKairos(args);

interface ManifestEntry {
  file: string;
  rows: number;
  first: string;
  last: string;
  gaps: number;
  missingCandles: number;
}

describe("kairos data (CLI)", () => {
  const home = join(tmp, "home");

  it(
    "imports data/ and lists the bundled series with the rows, ranges and gaps of the manifest",
    () => {
      const imp = kairos("data", "import", DATA_DIR, "--home", home, "--json");
      expect(imp.code, imp.stderr).toBe(0);
      const report = JSON.parse(imp.stdout) as {
        files: unknown[];
        skipped: { name: string; reason: string }[];
      };
      expect(report.skipped.map((s) => s.name)).toContain("SOURCES.md");
      const list = kairos("data", "list", "--home", home, "--json");
      expect(list.code, list.stderr).toBe(0);
      const { series } = JSON.parse(list.stdout) as {
        series: {
          exchange: string;
          symbol: string;
          timeframe: string;
          rows: number;
          first: number;
          last: number;
          gaps: number;
          missing: number;
        }[];
      };
      const manifest = (
        JSON.parse(readFileSync(join(DATA_DIR, "manifest.json"), "utf8")) as ManifestEntry[]
      ).filter((m) => !m.file.includes("/"));
      expect(series).toHaveLength(manifest.length);
      for (const m of manifest) {
        const [, ex, base, quote, tf] = /^(\w+)_(\w+)-(\w+)_(\w+)\.csv$/.exec(m.file)!;
        const s = series.find(
          (x) => x.exchange === ex && x.symbol === `${base}/${quote}` && x.timeframe === tf,
        );
        expect(s, m.file).toBeDefined();
        expect([s!.rows, s!.first, s!.last, s!.gaps, s!.missing], m.file).toEqual([
          m.rows,
          Date.parse(m.first),
          Date.parse(m.last),
          m.gaps,
          m.missingCandles,
        ]);
      }
      // human output goes to stdout as a table, progress to stderr
      const human = kairos("data", "list", "--home", home);
      expect(human.stdout).toMatch(
        /binance\s+BTC\/USDT\s+1h\s+43,802\s+2020-09-20 00:00Z\s+2025-09-19 21:00Z\s+10 \(20 missing\)/,
      );
    },
    SLOW,
  );

  it(
    "re-importing is idempotent",
    () => {
      const again = kairos(
        "data",
        "import",
        join(DATA_DIR, "binance_BTC-USDT_1d.csv"),
        "--home",
        home,
        "--json",
      );
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).files[0]).toMatchObject({ rows: 1825, inserted: 0, unchanged: 1825 });
    },
    SLOW,
  );

  it(
    "a CSV with one broken row stores nothing and names the line",
    () => {
      const lines = readFileSync(join(DATA_DIR, "binance_FET-USDT_1d.csv"), "utf8").trim().split("\n");
      const cells = lines[120]!.split(",");
      cells[3] = String(Number(cells[2]) * 2); // low above high
      lines[120] = cells.join(",");
      const bad = join(tmp, "kucoin_FET-USDT_1d.csv");
      writeFileSync(bad, `${lines.join("\n")}\n`);
      const fresh = join(tmp, "fresh");
      const r = kairos("data", "import", bad, "--home", fresh);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^kairos: kucoin_FET-USDT_1d\.csv:121: low .* is above open .*\[INVALID_INPUT\]$/m,
      );
      const list = kairos("data", "list", "--home", fresh, "--json");
      expect(JSON.parse(list.stdout).series).toEqual([]);
      const debug = kairos("data", "import", bad, "--home", fresh, "--debug");
      expect(debug.stderr).toMatch(/AppError: kucoin_FET-USDT_1d\.csv:121/);
    },
    SLOW,
  );

  it(
    "refuses changed candles without --replace and takes them with it",
    () => {
      const lines = readFileSync(join(DATA_DIR, "binance_BTC-USDT_1d.csv"), "utf8").trim().split("\n");
      const cells = lines[10]!.split(",");
      cells[5] = "12345";
      lines[10] = cells.join(",");
      const changed = join(tmp, "binance_BTC-USDT_1d.csv");
      writeFileSync(changed, `${lines.join("\n")}\n`);
      const r = kairos("data", "import", changed, "--home", home);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(
        /stored with volume 41874.898399, the new data says 12345; nothing was stored \(use --replace/,
      );
      const ok = kairos("data", "import", changed, "--home", home, "--replace", "--json");
      expect(JSON.parse(ok.stdout).files[0]).toMatchObject({ replaced: 1, unchanged: 1824 });
    },
    SLOW,
  );

  it(
    "shows, checks, exports (round trip) and resamples",
    () => {
      const show = kairos(
        "data",
        "show",
        "--home",
        home,
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "1h",
        "--from",
        "2021-04-25",
        "--to",
        "2021-04-26",
        "--json",
      );
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout).selected).toBeLessThan(24);
      const out = join(tmp, "out", "binance_ETH-USDT_1d.csv");
      const exp = kairos(
        "data",
        "export",
        "--home",
        home,
        "--symbol",
        "ETH-USDT",
        "--timeframe",
        "1d",
        "--out",
        out,
      );
      expect(exp.code, exp.stderr).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(readFileSync(join(DATA_DIR, "binance_ETH-USDT_1d.csv"), "utf8"));
      const asJson = kairos(
        "data",
        "export",
        "--home",
        home,
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "1d",
        "--to",
        "2020-09-22",
        "--json",
      );
      expect(JSON.parse(asJson.stdout).candles).toEqual([
        [Date.parse("2020-09-20"), 385.25, 385.45, 365, 371.04, 693164.40144],
        [Date.parse("2020-09-21"), 371.04, 376.8, 331, 340.36, 1283946.03098],
      ]);
      const check = kairos("data", "check", "--home", home, "--strict");
      expect(check.code).toBe(3);
      expect(check.stdout).toMatch(/binance BTC\/USDT 1h: ok; 10 gaps \(20 missing\)/);
      const rs = kairos(
        "data",
        "resample",
        "--home",
        home,
        "--symbol",
        "BTC/USDT",
        "--timeframe",
        "5m",
        "--to",
        "4h",
        "--json",
      );
      expect(rs.code, rs.stderr).toBe(0);
      const r = JSON.parse(rs.stdout);
      // 2024-01-01 00:00 .. 2024-09-06 04:35: 249 whole days, then 00:00-04:00 on the last; 04:00-08:00 is unfinished
      expect(r.rows).toBe(249 * 6 + 1);
      expect(r.dropped).toEqual([{ position: "last", bucket: Date.parse("2024-09-06T04:00:00Z"), rows: 8 }]);
      const ambiguous = kairos("data", "show", "--home", home, "--symbol", "BTC/USD", "--timeframe", "1d");
      expect(ambiguous.code).toBe(0);
      const missing = kairos("data", "show", "--home", home, "--symbol", "BTC/USDT", "--timeframe", "15m");
      expect(missing.code).toBe(4);
      expect(missing.stderr).toMatch(
        /no BTC\/USDT 15m candles in the store; stored timeframes: .*binance 1h/,
      );
    },
    SLOW,
  );
});
