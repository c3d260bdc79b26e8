import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { DATA_DIR, loadBundledSeries } from "../../test/support/bundled-data.ts";
import { NodeDataFiles } from "../adapters/fs/node-data-files.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../adapters/sqlite/sqlite-candle-store.ts";
import { importCandles } from "./import-candles.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-import-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => new SqliteCandleStore(openDatabase(join(root, `home${n++}`)));
const files = new NodeDataFiles();
const eth = loadBundledSeries("binance", "ETH/USDT", "1d");

// Binance's bulk layout: open time (µs since 2025), OHLCV, close time, quote volume, trades, taker volumes, ignore
function binanceKlines(from: number, to: number, micro: boolean): string {
  const rows: string[] = [];
  for (let i = from; i < to; i++) {
    const t = eth.ts[i]!;
    const scale = micro ? 1000 : 1;
    rows.push(
      [
        t * scale,
        eth.open[i]!.toFixed(8),
        eth.high[i]!.toFixed(8),
        eth.low[i]!.toFixed(8),
        eth.close[i]!.toFixed(8),
        eth.volume[i]!.toFixed(8),
        (t + 86_399_999) * scale,
        "1.0",
        10,
        "0.5",
        "0.5",
        "0",
      ].join(","),
    );
  }
  return `${rows.join("\n")}\n`;
}

describe("importCandles", () => {
  it("imports a folder of Binance zips (ms and µs), freqtrade JSON.gz and our CSV.gz, inferring names", () => {
    const dir = join(root, "mixed", "kraken");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "ETHUSDT-1d-2020-09.zip"),
      zipSync({ "ETHUSDT-1d-2020-09.csv": new TextEncoder().encode(binanceKlines(0, 11, false)) }),
    );
    writeFileSync(join(dir, "ETHUSDT-1d-2020-10.csv"), binanceKlines(11, 42, true));
    const json = JSON.stringify(
      Array.from(eth.ts.subarray(0, 30), (t, i) => [
        t,
        eth.open[i],
        eth.high[i],
        eth.low[i],
        eth.close[i],
        eth.volume[i],
      ]),
    );
    writeFileSync(join(dir, "ETH_USDT-1d.json.gz"), gzipSync(json));
    writeFileSync(
      join(dir, "binance_BTC-USDT_1d.csv.gz"),
      gzipSync(readFileSync(join(DATA_DIR, "binance_BTC-USDT_1d.csv"))),
    );
    writeFileSync(join(dir, "notes.txt"), "not candles");
    const store = fresh();
    const r = importCandles({ store, files }, { path: dir });
    expect(r.skipped).toEqual([{ name: "notes.txt", reason: expect.stringMatching(/^not a candle file/) }]);
    expect(r.files.map((f) => [f.file, f.exchange, f.symbol, f.timeframe, f.rows])).toEqual([
      ["ETHUSDT-1d-2020-09.zip", "binance", "ETH/USDT", "1d", 11],
      ["ETHUSDT-1d-2020-10.csv", "binance", "ETH/USDT", "1d", 31],
      ["ETH_USDT-1d.json.gz", "kraken", "ETH/USDT", "1d", 30],
      ["binance_BTC-USDT_1d.csv.gz", "binance", "BTC/USDT", "1d", 1825],
    ]);
    const back = store.read({ exchange: "binance", symbol: "ETH/USDT", timeframe: "1d" });
    expect(Array.from(back.close)).toEqual(Array.from(eth.close.subarray(0, 42)));
    expect(store.read({ exchange: "kraken", symbol: "ETH/USDT", timeframe: "1d" }).ts.length).toBe(30);
    store.close();
  });

  it("validates every file before storing any: one bad file in a folder stores nothing", () => {
    const dir = join(root, "one-bad");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "binance_ETH-USDT_1d.csv"),
      readFileSync(join(DATA_DIR, "binance_ETH-USDT_1d.csv")),
    );
    const lines = readFileSync(join(DATA_DIR, "binance_BTC-USDT_1d.csv"), "utf8").split("\n");
    lines[7] = lines[6]!; // a duplicate timestamp on line 8
    writeFileSync(join(dir, "binance_BTC-USDT_1d.csv"), lines.join("\n"));
    const store = fresh();
    expect(() => importCandles({ store, files }, { path: dir })).toThrow(
      /^binance_BTC-USDT_1d\.csv:8: duplicate timestamp 2020-09-25/,
    );
    expect(store.list()).toEqual([]);
    store.close();
  });

  it("asks for what the name cannot tell, and refuses bad zips and misaligned timeframes", () => {
    const store = fresh();
    const plain = join(root, "prices.csv");
    writeFileSync(plain, readFileSync(join(DATA_DIR, "binance_IO-USDT_1d.csv")));
    expect(() => importCandles({ store, files }, { path: plain })).toThrow(
      "prices.csv: cannot tell exchange, symbol, timeframe from the file name; pass --exchange --symbol --timeframe (or name it like binance_BTC-USDT_1h.csv)",
    );
    expect(() =>
      importCandles(
        { store, files },
        { path: plain, exchange: "binance", symbol: "IO/USDT", timeframe: "1w" },
      ),
    ).toThrow(
      /prices\.csv:2: timestamp 2024-06-11T00:00:00.000Z is not aligned to the 10080-minute timeframe/,
    );
    const r = importCandles(
      { store, files },
      { path: plain, exchange: "Binance", symbol: "io-usdt", timeframe: "1d" },
    );
    expect(r.files[0]).toMatchObject({ exchange: "binance", symbol: "IO/USDT", rows: 88, gaps: [] });
    const two = join(root, "BTCUSDT-1h-2024-01.zip");
    writeFileSync(two, zipSync({ "a.csv": new Uint8Array([49]), "b.csv": new Uint8Array([49]) }));
    expect(() => importCandles({ store, files }, { path: two })).toThrow(
      /a zip must hold exactly one candle file, found 2/,
    );
    expect(() => importCandles({ store, files }, { path: join(root, "nope.csv") })).toThrow(
      /no such file or folder/,
    );
    store.close();
  });

  it("reports gaps without filling them", () => {
    const store = fresh();
    const r = importCandles({ store, files }, { path: join(DATA_DIR, "bitstamp_BTC-USD_1d.csv") });
    expect(r.files[0]!.gaps).toEqual([
      { from: Date.parse("2019-03-20T00:00:00Z"), to: Date.parse("2019-04-01T00:00:00Z"), count: 12 },
    ]);
    expect(store.info({ exchange: "bitstamp", symbol: "BTC/USD", timeframe: "1d" })?.rows).toBe(1864);
    store.close();
  });
});
