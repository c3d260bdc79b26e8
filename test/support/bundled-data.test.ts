import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledFiles, DATA_DIR, loadBundledSeries } from "./bundled-data.ts";

interface ManifestEntry {
  file: string;
  rows: number;
  first: string;
  last: string;
}
const manifest = JSON.parse(readFileSync(join(DATA_DIR, "manifest.json"), "utf8")) as ManifestEntry[];

describe("bundled data", () => {
  it("lists every OHLCV file of the manifest", () => {
    const names = bundledFiles().map((f) => f.file.replace(/\.gz$/, ""));
    const expected = manifest.filter((m) => !m.file.includes("/")).map((m) => m.file);
    expect(names.sort()).toEqual(expected.sort());
  });

  it("parses every file to the manifest's rows and range", () => {
    for (const f of bundledFiles()) {
      const m = manifest.find((x) => x.file === f.file.replace(/\.gz$/, ""))!;
      const s = loadBundledSeries(f.exchange, f.symbol, f.timeframe);
      expect(s.ts.length, f.file).toBe(m.rows);
      expect(s.ts[0], f.file).toBe(Date.parse(m.first));
      expect(s.ts[s.ts.length - 1], f.file).toBe(Date.parse(m.last));
    }
  });

  it("gives exactly Number() of the text for every value, and caches", () => {
    const text = readFileSync(join(DATA_DIR, "binance_BTC-USDT_1h.csv"), "utf8").trim().split("\n").slice(1);
    const s = loadBundledSeries("binance", "BTC/USDT", "1h");
    expect(loadBundledSeries("binance", "BTC-USDT", "1h")).toBe(s);
    text.forEach((line, i) => {
      const [t, o, h, l, c, v] = line.split(",");
      expect(s.ts[i]).toBe(Date.parse(t!));
      expect([s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]]).toEqual([o, h, l, c, v].map(Number));
    });
    expect(s.symbol).toBe("BTC/USDT");
  });
});
