import { inferFromName, isRecognisedName, type NameInfo, normaliseSymbol } from "../data/file-names.ts";
import { parseCandleCsvBytes } from "../data/parse-candle-bytes.ts";
import { parseFreqtradeJson, type RawCandles } from "../data/parse-candles.ts";
import { findGaps, type Gap, validateCandles } from "../data/validate-candles.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { parseTimeframe, type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { DataFile, DataFiles } from "../ports/data-files.ts";

export interface ImportCandlesInput {
  /** a file, or a folder whose recognised files are all imported */
  path: string;
  exchange?: string;
  symbol?: string;
  timeframe?: string;
  replace?: boolean;
}

export interface ImportedFile {
  file: string;
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  rows: number;
  inserted: number;
  unchanged: number;
  replaced: number;
  first: number;
  last: number;
  /** missing candles inside the file: reported, never filled */
  gaps: Gap[];
}

export interface ImportReport {
  files: ImportedFile[];
  /** files in a folder that were not recognised as candle files */
  skipped: string[];
}

interface Parsed {
  file: DataFile;
  series: CandleSeries;
  gaps: Gap[];
}

/**
 * Imports candle files (our CSV, Binance bulk klines csv/zip, freqtrade JSON; gzip accepted).
 * Every file is parsed and validated before anything is stored, so one bad file (its line and
 * problem named) stores nothing; each file then lands in one transaction.
 */
export function importCandles(
  deps: { store: CandleStore; files: DataFiles },
  input: ImportCandlesInput,
  onFile?: (f: ImportedFile) => void,
): ImportReport {
  const listed = deps.files.list(input.path);
  const picked: DataFile[] = [];
  const skipped: string[] = [];
  for (const f of listed.files) {
    // a file named on the command line is read whatever its name; a folder contributes recognised names
    if (!listed.isFolder || isRecognisedName(f.name)) picked.push(f);
    else skipped.push(f.name);
  }
  if (picked.length === 0) {
    throw invalidInput(
      `${input.path}: no candle files found (expected names like binance_BTC-USDT_1h.csv, BTC_USDT-1h.json or BTCUSDT-1h-2024-01.zip)`,
    );
  }
  const parsed = picked.map((f) => parseFile(deps.files, f, input));
  const files: ImportedFile[] = [];
  for (const p of parsed) {
    const r = deps.store.upsert(p.series, { replace: input.replace === true });
    const n = p.series.ts.length;
    const done: ImportedFile = {
      file: p.file.name,
      exchange: p.series.exchange,
      symbol: p.series.symbol,
      timeframe: p.series.timeframe,
      rows: n,
      ...r,
      first: n > 0 ? p.series.ts[0]! : Number.NaN,
      last: n > 0 ? p.series.ts[n - 1]! : Number.NaN,
      gaps: p.gaps,
    };
    files.push(done);
    onFile?.(done);
  }
  return { files, skipped };
}

function parseFile(files: DataFiles, f: DataFile, input: ImportCandlesInput): Parsed {
  const named: NameInfo = inferFromName(f.name, f.folder) ?? { format: "csv" };
  const exchange = input.exchange ?? named.exchange;
  const symbolRaw = input.symbol ?? named.symbol;
  const tfRaw = input.timeframe ?? named.timeframe;
  const missing = [
    exchange === undefined ? "--exchange" : "",
    symbolRaw === undefined ? "--symbol" : "",
    tfRaw === undefined ? "--timeframe" : "",
  ].filter((x) => x !== "");
  if (exchange === undefined || symbolRaw === undefined || tfRaw === undefined) {
    throw invalidInput(
      `${f.name}: cannot tell ${missing.join(", ").replace(/--/g, "")} from the file name; pass ${missing.join(" ")} (or name it like binance_BTC-USDT_1h.csv)`,
    );
  }
  const symbol = normaliseSymbol(symbolRaw);
  if (symbol === undefined)
    throw invalidInput(`--symbol "${symbolRaw}": write it as BASE/QUOTE, e.g. BTC/USDT`);
  const timeframe = parseTimeframe(tfRaw);
  const bytes = files.readBytes(f.path);
  const raw: RawCandles =
    named.format === "freqtrade-json"
      ? parseFreqtradeJson(new TextDecoder().decode(bytes), f.name)
      : parseCandleCsvBytes(bytes, f.name);
  if (raw.ts.length === 0) throw invalidInput(`${f.name}: holds no candles`);
  const tfMs = timeframeMs(timeframe);
  validateCandles(raw, tfMs, f.name);
  const series: CandleSeries = {
    exchange: exchange.toLowerCase(),
    symbol,
    timeframe,
    ts: raw.ts,
    open: raw.open,
    high: raw.high,
    low: raw.low,
    close: raw.close,
    volume: raw.volume,
  };
  return { file: f, series, gaps: findGaps(raw.ts, tfMs) };
}
