// `kairos data import/export` on the files a user has, as the user sees it: one line per skipped
// file with its reason, one line for a format kairos cannot read and what to do, bad values and
// epoch units named, an --out that is a symbolic link left alone.
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";

const tmp = tempHome("kairos-cli-files-");
const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
const rows = (n: number, ts = (t: number) => t) =>
  Array.from({ length: n }, (_, i) => [
    ts(eth.ts[i]!),
    eth.open[i],
    eth.high[i],
    eth.low[i],
    eth.close[i],
    eth.volume[i],
  ]);
const kairos = (home: string, ...args: string[]) => runKairosInProcess(args, { home });
const errLines = (s: string) =>
  s
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("kairos:"));

describe("kairos data import: files a user has (CLI)", () => {
  it("a folder import lists each skipped file with its reason and imports the rest", async () => {
    const dir = join(tmp, "bulk");
    mkdirSync(dir);
    const csv = rows(10)
      .map((r) => r.join(","))
      .join("\n");
    writeFileSync(join(dir, "ETHUSDT-1d-2024-01.csv"), csv);
    writeFileSync(join(dir, "ETHUSDT-8m-2024-01.csv"), csv);
    writeFileSync(join(dir, "ETHUSDT-1s-2024-01.csv"), csv);
    symlinkSync(join(dir, "gone.csv"), join(dir, "ETHUSDT-1h-2024-01.csv"));
    const r = await kairos(join(tmp, "h1"), "data", "import", dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported 1 file\(s\), 10 new candles into /);
    expect(r.stderr).toContain(
      'skipped ETHUSDT-8m-2024-01.csv: "8m" is not a timeframe kairos knows (1m, 3m',
    );
    expect(r.stderr).toContain(
      "skipped ETHUSDT-1s-2024-01.csv: 1s candles are not supported (kairos stores 1m and coarser); import the 1m files",
    );
    expect(r.stderr).toContain(
      "skipped ETHUSDT-1h-2024-01.csv: a dangling symbolic link (its target does not exist)",
    );
  });

  it("an HDF5 file: one line naming the format and the freqtrade command that converts it", async () => {
    const f = join(tmp, "ETH_USDT-1d.h5");
    writeFileSync(f, "\x89HDF\r\n\x1a\n");
    const r = await kairos(join(tmp, "h2"), "data", "import", f);
    expect(r.code).toBe(2);
    expect(errLines(r.stderr)).toEqual([
      "kairos: ETH_USDT-1d.h5: HDF5 (.h5) candle files are not supported: convert them with `freqtrade convert-data --format-from hdf5 --format-to jsongz` and import the .json.gz files [INVALID_INPUT]",
    ]);
  });

  it("epoch seconds, hex and empty strings and impossible dates are named, and nothing is stored", async () => {
    const home = join(tmp, "h3");
    const dir = join(tmp, "ft", "binance");
    mkdirSync(dir, { recursive: true });
    const cases: [string, string, RegExp][] = [
      [
        "ETH_USDT-1d.json",
        JSON.stringify(rows(3, (t) => t / 1000)),
        /row 1: bad timestamp \d{10} \(looks like epoch seconds; kairos reads epoch milliseconds \(multiply by 1000\)\)/,
      ],
      [
        "ETH_USDT-1h.json",
        JSON.stringify(rows(3)).replace(/,(\d+(\.\d+)?)\]/, ',"0x10"]'),
        /row 1: bad volume: "0x10" is not a number/,
      ],
      [
        "ETH_USDT-4h.json",
        JSON.stringify(rows(3)).replace(/,(\d+(\.\d+)?)\]/, ',"  "]'),
        /row 1: bad volume: " {2}" is not a number/,
      ],
      [
        "binance_ETH-USDT_1d.csv",
        "timestamp,open,high,low,close,volume\n2024-02-30T00:00:00Z,1,2,0.5,1.5,10\n",
        /binance_ETH-USDT_1d\.csv:2: bad timestamp \(use ISO-8601 UTC with a real date, or epoch ms\): "2024-02-30T00:00:00Z"/,
      ],
      ["ETH_USDT-12h.json", "[[9e18,1,2,0.5,1.5,10]]", /bad timestamp 9e18 \(looks like epoch nanoseconds/],
    ];
    for (const [name, text, msg] of cases) {
      writeFileSync(join(dir, name), text);
      const r = await kairos(home, "data", "import", join(dir, name));
      expect(r.code, name).toBe(2);
      expect(errLines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    const list = await kairos(home, "data", "list", "--json");
    expect(JSON.parse(list.stdout)).toMatchObject({ series: [] });
  });
});

describe("kairos data export --out onto a symbolic link (CLI)", () => {
  it("refuses, and neither the link nor its target changes", async () => {
    const home = join(tmp, "h4");
    const f = join(tmp, "binance_ETH-USDT_1d.csv");
    writeFileSync(
      f,
      `timestamp,open,high,low,close,volume\n${rows(5)
        .map((r) => [new Date(r[0]!).toISOString(), ...r.slice(1)].join(","))
        .join("\n")}\n`,
    );
    expect((await kairos(home, "data", "import", f)).code).toBe(0);
    const target = join(tmp, "precious.txt");
    writeFileSync(target, "keep me");
    const link = join(tmp, "out-link.csv");
    symlinkSync(target, link);
    const r = await kairos(
      home,
      "data",
      "export",
      "--symbol",
      "ETH/USDT",
      "--timeframe",
      "1d",
      "--out",
      link,
    );
    expect(r.code).toBe(2);
    expect(errLines(r.stderr)).toEqual([
      `kairos: ${link} is a symbolic link; kairos neither replaces a link nor writes through it: give the path of the real file [INVALID_INPUT]`,
    ]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, "utf8")).toBe("keep me");
    const ok = await kairos(
      home,
      "data",
      "export",
      "--symbol",
      "ETH/USDT",
      "--timeframe",
      "1d",
      "--out",
      join(tmp, "real.csv"),
    );
    expect(ok.code, ok.stderr).toBe(0);
  });
});
