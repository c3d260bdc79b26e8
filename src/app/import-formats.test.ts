// The files a freqtrade or Binance user has, built here in their exact formats with the same kind
// of writers (Arrow IPC + LZ4 frames as pandas' to_feather writes them, parquet with snappy pages,
// Binance's USD-M klines with their header line), imported, and read back value for value.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  CompressionType,
  makeData,
  makeVector,
  RecordBatchFileWriter,
  Table,
  TimestampNanosecond,
} from "apache-arrow";
import { zipSync } from "fflate";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { NodeDataFiles } from "../adapters/fs/node-data-files.ts";
// registers the LZ4 codec the fixtures' writer needs (the importer loads it lazily, with its first table)
import "../adapters/fs/read-table.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../adapters/sqlite/sqlite-candle-store.ts";
import { SqliteFundingStore } from "../adapters/sqlite/sqlite-funding-store.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { importCandlesAsync } from "./import-candles.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-formats-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;
const fresh = () => {
  const db = openDatabase(join(root, `home${homes++}`));
  return {
    store: new SqliteCandleStore(db),
    funding: new SqliteFundingStore(db),
    files: new NodeDataFiles(),
  };
};
const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
const btc1h = loadBundledSeries("binance", "BTC/USDT", "1h");
const N = 40;
const cols = (s: CandleSeries, n: number) =>
  (["ts", "open", "high", "low", "close", "volume"] as const).map((k) => Array.from(s[k].subarray(0, n)));

/** freqtrade's feather: date as timestamp[ns, UTC], float64 OHLCV, LZ4-framed bodies (to_feather's lz4) */
function feather(s: CandleSeries, n: number, open?: Float64Array): Uint8Array {
  const ns = BigInt64Array.from({ length: n }, (_, i) => BigInt(s.ts[i]!) * 1_000_000n);
  const t = new Table({
    date: makeVector(makeData({ type: new TimestampNanosecond("UTC"), length: n, data: ns })),
    open: makeVector(open ?? s.open.slice(0, n)),
    high: makeVector(s.high.slice(0, n)),
    low: makeVector(s.low.slice(0, n)),
    close: makeVector(s.close.slice(0, n)),
    volume: makeVector(s.volume.slice(0, n)),
  });
  const w = RecordBatchFileWriter.writeAll(t, {
    compressionType: CompressionType.LZ4_FRAME,
  } as unknown as Parameters<typeof RecordBatchFileWriter.writeAll>[1]);
  return w.toUint8Array(true);
}

/**
 * freqtrade's parquet as pandas' to_parquet writes it: `date` an INT64 TIMESTAMP(NANOS, UTC),
 * float64 OHLCV, snappy pages
 */
function parquet(s: CandleSeries, n: number): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "date", data: BigInt64Array.from({ length: n }, (_, i) => BigInt(s.ts[i]!) * 1_000_000n) },
      ...(["open", "high", "low", "close", "volume"] as const).map((k) => ({
        name: k,
        data: s[k].slice(0, n),
      })),
    ],
    schema: [
      { name: "schema", num_children: 6 },
      {
        name: "date",
        type: "INT64",
        repetition_type: "OPTIONAL",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" },
      },
      ...["open", "high", "low", "close", "volume"].map((name) => ({
        name,
        type: "DOUBLE" as const,
        repetition_type: "OPTIONAL" as const,
      })),
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buf);
}

// Binance's USD-M futures klines: a header line, then open time in ms
function umKlines(s: CandleSeries, n: number): string {
  const head =
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
  const rows = Array.from({ length: n }, (_, i) =>
    [
      s.ts[i],
      s.open[i],
      s.high[i],
      s.low[i],
      s.close[i],
      s.volume[i],
      s.ts[i]! + 3_599_999,
      1,
      2,
      0.5,
      0.5,
      0,
    ].join(","),
  );
  return `${head}\n${rows.join("\n")}\n`;
}

describe("import: the files freqtrade and Binance users have", () => {
  it("freqtrade feather and parquet (spot) import value for value", async () => {
    const dir = join(root, "user_data", "data", "kraken");
    mkdirSync(dir, { recursive: true });
    const fe = feather(eth, N);
    // an Arrow IPC file whose bodies are LZ4 frames, as pandas' to_feather(compression="lz4") writes
    expect(new TextDecoder().decode(fe.subarray(0, 6))).toBe("ARROW1");
    expect(Buffer.from(fe).includes(Buffer.from([0x04, 0x22, 0x4d, 0x18]))).toBe(true);
    writeFileSync(join(dir, "ETH_USDT-1d.feather"), fe);
    writeFileSync(join(dir, "BTC_USDT-1h.parquet"), parquet(btc1h, N));
    const d = fresh();
    const r = await importCandlesAsync(d, { path: dir });
    expect(r.files.map((f) => [f.file, f.exchange, f.symbol, f.timeframe, f.rows])).toEqual([
      ["BTC_USDT-1h.parquet", "kraken", "BTC/USDT", "1h", N],
      ["ETH_USDT-1d.feather", "kraken", "ETH/USDT", "1d", N],
    ]);
    expect(cols(d.store.read({ exchange: "kraken", symbol: "ETH/USDT", timeframe: "1d" }), N)).toEqual(
      cols(eth, N),
    );
    expect(cols(d.store.read({ exchange: "kraken", symbol: "BTC/USDT", timeframe: "1h" }), N)).toEqual(
      cols(btc1h, N),
    );
  });

  it("freqtrade futures: candles as the perpetual on the exchange above futures/, funding to the funding store, mark prices never stored", async () => {
    const dir = join(root, "ft", "binance", "futures");
    mkdirSync(dir, { recursive: true });
    const json = JSON.stringify(
      Array.from({ length: N }, (_, i) => [
        btc1h.ts[i],
        btc1h.open[i],
        btc1h.high[i],
        btc1h.low[i],
        btc1h.close[i],
        btc1h.volume[i],
      ]),
    );
    writeFileSync(join(dir, "XRP_USDT_USDT-1h-futures.json.gz"), gzipSync(json));
    writeFileSync(join(dir, "XRP_USDT_USDT-1h-mark.feather"), feather(btc1h, N));
    // freqtrade keeps funding as candles: the rate in open, the rest 0, every 8 hours
    const f8 = { ...btc1h, ts: Float64Array.from({ length: 9 }, (_, i) => btc1h.ts[0]! + i * 8 * 3_600_000) };
    const rates = Float64Array.from({ length: 9 }, (_, i) => (i - 4) * 1e-5);
    writeFileSync(join(dir, "XRP_USDT_USDT-8h-funding_rate.feather"), feather(f8 as CandleSeries, 9, rates));
    const d = fresh();
    const r = await importCandlesAsync(d, { path: dir });
    expect(r.files.map((f) => [f.exchange, f.symbol, f.timeframe, f.rows])).toEqual([
      ["binance", "XRP/USDT:USDT", "1h", N],
    ]);
    expect(r.skipped).toEqual([
      {
        name: "XRP_USDT_USDT-1h-mark.feather",
        reason: "mark-price candles: not a tradable series, so never stored as one",
      },
    ]);
    expect(r.funding.map((f) => [f.exchange, f.symbol, f.rows, f.inserted])).toEqual([
      ["binance", "XRP/USDT:USDT", 9, 9],
    ]);
    expect(d.store.list().map((s) => `${s.exchange} ${s.symbol} ${s.timeframe}`)).toEqual([
      "binance XRP/USDT:USDT 1h",
    ]);
    expect(cols(d.store.read({ exchange: "binance", symbol: "XRP/USDT:USDT", timeframe: "1h" }), N)).toEqual(
      cols(btc1h, N),
    );
    const fr = d.funding.readFunding({ exchange: "binance", symbol: "XRP/USDT:USDT" });
    expect([Array.from(fr.ts), Array.from(fr.rate)]).toEqual([Array.from(f8.ts), Array.from(rates)]);
  });

  it("an HDF5 file gets one line saying what to do; in a folder it is skipped with that reason", async () => {
    const dir = join(root, "h5", "binance");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "BTC_USDT-1h.h5"), "\x89HDF\r\n\x1a\n");
    writeFileSync(
      join(dir, "ETH_USDT-1d.json"),
      JSON.stringify([[eth.ts[0], eth.open[0], eth.high[0], eth.low[0], eth.close[0], eth.volume[0]]]),
    );
    const d = fresh();
    await expect(importCandlesAsync(d, { path: join(dir, "BTC_USDT-1h.h5") })).rejects.toThrow(
      "BTC_USDT-1h.h5: HDF5 (.h5) candle files are not supported: convert them with `freqtrade convert-data --format-from hdf5 --format-to jsongz` and import the .json.gz files",
    );
    const r = await importCandlesAsync(d, { path: dir });
    expect(r.files.map((f) => f.file)).toEqual(["ETH_USDT-1d.json"]);
    expect(r.skipped[0]).toMatchObject({ name: "BTC_USDT-1h.h5", reason: expect.stringMatching(/^HDF5/) });
  });

  it("Binance USD-M bulk klines (header line) go to the perpetual by path or --market perp", async () => {
    const dir = join(root, "bv", "data", "futures", "um", "monthly", "klines", "BTCUSDT", "1h");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "BTCUSDT-1h-2024-01.zip"),
      zipSync({ "BTCUSDT-1h-2024-01.csv": new TextEncoder().encode(umKlines(btc1h, N)) }),
    );
    const d = fresh();
    const r = await importCandlesAsync(d, { path: dir });
    expect(r.files.map((f) => [f.exchange, f.symbol, f.timeframe, f.rows])).toEqual([
      ["binance", "BTC/USDT:USDT", "1h", N],
    ]);
    expect(cols(d.store.read({ exchange: "binance", symbol: "BTC/USDT:USDT", timeframe: "1h" }), N)).toEqual(
      cols(btc1h, N),
    );
    const flat = join(root, "flat");
    mkdirSync(flat, { recursive: true });
    writeFileSync(join(flat, "ETHUSDT-1d-2024-01.csv"), umKlines(eth, N));
    const spot = await importCandlesAsync(fresh(), { path: flat });
    expect(spot.files[0]!.symbol).toBe("ETH/USDT");
    const perp = await importCandlesAsync(fresh(), { path: flat, market: "perp" });
    expect(perp.files[0]!.symbol).toBe("ETH/USDT:USDT");
    await expect(importCandlesAsync(fresh(), { path: flat, market: "swap" as "perp" })).rejects.toThrow(
      "market swap: use one of spot, perp",
    );
  });

  it("in a folder, names that cannot be understood are skipped with their reason and the other files import", async () => {
    const dir = join(root, "names");
    mkdirSync(dir, { recursive: true });
    const one = umKlines(eth, 3);
    for (const tf of ["1s", "3d", "1mo", "8m"]) writeFileSync(join(dir, `ETHUSDT-${tf}-2024-01.csv`), one);
    writeFileSync(join(dir, "ETHUSDT-1d-2024-01.csv"), umKlines(eth, N));
    symlinkSync(join(dir, "missing.csv"), join(dir, "dangling.csv"));
    symlinkSync(join(dir, "loop.csv"), join(dir, "loop.csv"));
    mkdirSync(join(dir, "sub"));
    const d = fresh();
    const r = await importCandlesAsync(d, { path: dir });
    expect(r.files.map((f) => [f.file, f.timeframe, f.rows])).toEqual([["ETHUSDT-1d-2024-01.csv", "1d", N]]);
    expect(Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]))).toEqual({
      "ETHUSDT-1s-2024-01.csv":
        "1s candles are not supported (kairos stores 1m and coarser); import the 1m files",
      "ETHUSDT-3d-2024-01.csv":
        "3d candles are not supported (not one of kairos's timeframes); import the 1d files",
      "ETHUSDT-1mo-2024-01.csv": "monthly candles are not supported; import the 1d or 1w files",
      "ETHUSDT-8m-2024-01.csv": `"8m" is not a timeframe kairos knows (1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 1w)`,
      "dangling.csv": "a dangling symbolic link (its target does not exist)",
      "loop.csv": "a symbolic link loop (the link points back at itself)",
      sub: "a folder (import it on its own)",
    });
  });
});
