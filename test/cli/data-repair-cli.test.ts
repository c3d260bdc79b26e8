// A damaged home mended without SQL: rows no import would store today (a timestamp beyond Date's
// range, low above high, an unaligned time) are planted straight into kairos.db, as older builds
// or a hand edit left them. list/show keep working, check names the damage, `check --repair`
// removes exactly those rows, `data delete` removes a range or a series, each in one transaction.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-cli-repair-", ["binance_ETH-USDT_1d.csv", "binance_BTC-USDT_1d.csv"]);
const kairos = (...args: string[]) => runKairosInProcess(args, { home });
const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
const DAY = 86_400_000;

// one chunk of rows written as the store writes them (Float64 blobs per column) in a bucket of its own
function plant(rows: number[][], bucket: number): void {
  const db = new Database(join(home, "kairos.db"));
  const id = (
    db
      .prepare(
        "SELECT id FROM candle_series WHERE exchange = 'binance' AND symbol = 'ETH/USDT' AND timeframe = '1d'",
      )
      .get() as { id: number }
  ).id;
  const col = (k: number) => Buffer.from(Float64Array.from(rows, (r) => r[k]!).buffer);
  db.prepare(
    "INSERT INTO candle_chunks (series_id, bucket, rows, first_ts, last_ts, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(id, bucket, rows.length, rows[0]![0], rows[rows.length - 1]![0], ...[0, 1, 2, 3, 4, 5].map(col));
  db.prepare(
    "UPDATE candle_series SET (rows, first_ts, last_ts) = (SELECT SUM(rows), MIN(first_ts), MAX(last_ts) FROM candle_chunks WHERE series_id = ?) WHERE id = ?",
  ).run(id, id);
  db.close();
}

describe("kairos data check --repair / data delete (CLI)", () => {
  it("list and show survive a damaged series; check names it; --repair removes exactly the bad rows", async () => {
    const last = eth.ts[eth.ts.length - 1]!;
    const far = Math.ceil((last + 100 * DAY) / (DAY * 16_384));
    // a row beyond Date's range, then (in a window after the data) low above high and an unaligned time
    plant([[9e18, 1, 2, 0.5, 1.5, 10]], Math.floor(9e18 / (DAY * 16_384)));
    plant(
      [
        [far * DAY * 16_384, 1, 2, 0.5, 1.5, 10],
        [far * DAY * 16_384 + DAY, 1, 2, 3, 1.5, 10],
        [far * DAY * 16_384 + 2.5 * DAY, 1, 2, 0.5, 1.5, 10],
      ],
      far,
    );
    const list = await kairos("data", "list");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/binance\s+ETH\/USDT\s+1d\s+1,829/);
    const show = await kairos("data", "show", "--symbol", "ETH/USDT", "--timeframe", "1d");
    expect(show.code, show.stderr).toBe(0);
    const check = await kairos("data", "check", "--symbol", "ETH/USDT", "--timeframe", "1d");
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /^binance ETH\/USDT 1d: INVALID: 1 stored rows lie outside the dates a candle can have/,
    );
    expect(check.stderr).toMatch(/`kairos data check --repair` removes the rows it refuses/);

    const repair = await kairos("data", "check", "--repair");
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toContain(
      "binance ETH/USDT 1d: repaired, removed 3 stored rows that fail validation",
    );
    expect(repair.stdout).toMatch(/binance ETH\/USDT 1d: ok/);
    expect(repair.stdout).not.toMatch(/BTC\/USDT 1d: repaired/);
    // the valid rows are all there, exactly; the one valid planted row stays too
    const json = await kairos(
      "data",
      "export",
      "--symbol",
      "ETH/USDT",
      "--timeframe",
      "1d",
      "--format",
      "json",
    );
    const rows = JSON.parse(json.stdout) as number[][];
    expect(rows.length).toBe(eth.ts.length + 1);
    expect(rows.slice(0, eth.ts.length).map((r) => r[4])).toEqual(Array.from(eth.close));
    expect(rows[eth.ts.length]).toEqual([far * DAY * 16_384, 1, 2, 0.5, 1.5, 10]);
    const again = await kairos("data", "check", "--repair");
    expect(again.stdout).toContain("repair: every stored row passes validation; nothing removed");
  });

  it("data delete removes [from, to) or the whole series, and refuses a reversed range", async () => {
    const before = eth.ts.filter((t) => t >= Date.parse("2021-01-01") && t < Date.parse("2021-02-01")).length;
    const cut = await kairos(
      "data",
      "delete",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--from",
      "2021-01-01",
      "--to",
      "2021-02-01",
    );
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toMatch(
      new RegExp(
        `^binance BTC/USDT 1d: removed ${before} candles in \\[2021-01-01, 2021-02-01\\); \\d+ remain`,
      ),
    );
    const show = await kairos(
      "data",
      "show",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--from",
      "2021-01-01",
      "--to",
      "2021-02-01",
    );
    expect(show.stdout).toContain("selected: 0 candles");
    const reversed = await kairos(
      "data",
      "delete",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--from",
      "2021-02-01",
      "--to",
      "2021-01-01",
    );
    expect(reversed.code).toBe(2);
    const all = await kairos(
      "data",
      "delete",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--exchange",
      "binance",
    );
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/removed \d+ candles; the series is gone/);
    const list = await kairos("data", "list", "--json");
    expect((JSON.parse(list.stdout) as { series: { symbol: string }[] }).series.map((s) => s.symbol)).toEqual(
      ["ETH/USDT"],
    );
  });
});
