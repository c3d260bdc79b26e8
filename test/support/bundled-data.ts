// Loads the bundled real data for tests and benches straight from data/, without a store
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parseCandleCsvBytes } from "../../src/data/parse-candle-bytes.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { isTimeframe, type Timeframe } from "../../src/domain/timeframe.ts";

/** The repository's data/ folder */
export const DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../data");

/** One bundled OHLCV file and what its name says */
export interface BundledFile {
  /** absolute path */
  path: string;
  /** file name, e.g. binance_BTC-USDT_1h.csv.gz */
  file: string;
  exchange: string;
  /** ccxt notation, e.g. BTC/USDT */
  symbol: string;
  timeframe: Timeframe;
  compressed: boolean;
}

const NAME = /^([a-z0-9]+)_([A-Z0-9]+)-([A-Z0-9]+)_([0-9]+[mhdw])\.csv(\.gz)?$/;

/** Every bundled OHLCV file in data/, sorted by name */
export function bundledFiles(): BundledFile[] {
  const out: BundledFile[] = [];
  for (const file of readdirSync(DATA_DIR).sort()) {
    const m = NAME.exec(file);
    if (m === null || !isTimeframe(m[4]!)) continue;
    out.push({
      path: join(DATA_DIR, file),
      file,
      exchange: m[1]!,
      symbol: `${m[2]}/${m[3]}`,
      timeframe: m[4],
      compressed: m[5] !== undefined,
    });
  }
  return out;
}

const cache = new Map<string, CandleSeries>();

/**
 * The bundled series as arrays, parsed once per process (treat the arrays as read-only: they are
 * shared by every caller). `symbol` may be `BTC/USDT` or `BTC-USDT`.
 */
export function loadBundledSeries(exchange: string, symbol: string, timeframe: Timeframe): CandleSeries {
  const pair = symbol.replace("/", "-").toUpperCase();
  const key = `${exchange}_${pair}_${timeframe}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const plain = join(DATA_DIR, `${key}.csv`);
  const gz = `${plain}.gz`;
  let bytes: Uint8Array;
  if (existsSync(plain)) bytes = readFileSync(plain);
  else if (existsSync(gz)) bytes = gunzipSync(readFileSync(gz));
  else {
    const have = bundledFiles()
      .map((f) => f.file)
      .join(", ");
    throw new Error(`no bundled file ${key}.csv[.gz] in ${DATA_DIR}; have: ${have}`);
  }
  const raw = parseCandleCsvBytes(bytes, `${key}.csv`);
  const series: CandleSeries = {
    exchange,
    symbol: pair.replace("-", "/"),
    timeframe,
    ts: raw.ts,
    open: raw.open,
    high: raw.high,
    low: raw.low,
    close: raw.close,
    volume: raw.volume,
  };
  cache.set(key, series);
  return series;
}
