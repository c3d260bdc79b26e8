import { z } from "zod";
import { type Market, type NameInfo, normaliseSymbol, perpOf, understandName } from "../data/file-names.ts";
import { parseCandleCsvBytes } from "../data/parse-candle-bytes.ts";
import { parseFreqtradeJsonBytes, type RawCandles } from "../data/parse-candles.ts";
import { candlesFromTable } from "../data/parse-table.ts";
import { findGaps, type Gap, validateCandles } from "../data/validate-candles.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { parseTimeframe, type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { DataFile, DataFiles, DataTable, SkippedFile } from "../ports/data-files.ts";
import type { FundingSeries, FundingStore } from "../ports/funding-store.ts";
import { exchangeField, flagField, parseInput, symbolField, timeframeField } from "./contract.ts";

/** What to import and what the file names cannot tell (flags win over names) */
export const ImportCandlesInput = z
  .object({
    /** a file, or a folder whose recognised files are all imported */
    path: z.string().min(1),
    exchange: exchangeField().optional(),
    symbol: symbolField().optional(),
    timeframe: timeframeField().optional(),
    replace: flagField().optional(),
    /** "perp": the files hold the USD-M perpetual (BTC/USDT:USDT), e.g. Binance's bulk futures klines */
    market: z.enum(["spot", "perp"]).optional(),
  })
  .strict();
export type ImportCandlesInput = z.input<typeof ImportCandlesInput>;
type Input = z.output<typeof ImportCandlesInput>;

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

/** A freqtrade `-funding_rate` file stored as funding payments of the perpetual */
export interface ImportedFunding {
  file: string;
  exchange: string;
  symbol: string;
  rows: number;
  inserted: number;
  first: number;
  last: number;
}

export interface ImportReport {
  files: ImportedFile[];
  funding: ImportedFunding[];
  /** entries of a folder that were not imported, each with the reason */
  skipped: SkippedFile[];
}

export interface ImportDeps {
  store: CandleStore;
  files: DataFiles;
  /** where `-funding_rate` files go; without it they are skipped with that reason */
  funding?: FundingStore;
}

type Parsed =
  | { kind: "candles"; file: DataFile; series: CandleSeries; gaps: Gap[] }
  | { kind: "funding"; file: DataFile; series: FundingSeries };

interface Plan {
  picked: { file: DataFile; named: NameInfo }[];
  skipped: SkippedFile[];
}

/**
 * Imports candle files: our CSV, Binance bulk klines csv/zip (spot or USD-M futures), freqtrade
 * JSON/feather/parquet (spot, futures, funding); gzip accepted. Every file is read, parsed and
 * validated before anything is stored, and everything is then stored in ONE transaction: a bad
 * file (its line and problem named) or a CONFLICT in any file of a folder stores nothing at all.
 * In a folder, entries that are not importable candle files (unknown names or timeframes, mark
 * prices, HDF5, dangling links, sub-folders) are skipped with their reason; the rest go on.
 */
export async function importCandlesAsync(
  deps: ImportDeps,
  raw: ImportCandlesInput,
  onFile?: (f: ImportedFile) => void,
): Promise<ImportReport> {
  const input = parseInput(ImportCandlesInput, raw);
  const plan = planImport(deps, input);
  const tables = new Map<string, DataTable>();
  for (const { file, named } of plan.picked) {
    if (named.format === "feather" || named.format === "parquet") {
      tables.set(file.path, await deps.files.readTable(file.path, named.format));
    }
  }
  return runImport(deps, input, plan, tables, onFile);
}

/**
 * The same without waiting, for callers that import text formats (the demo's bundled CSVs):
 * feather and parquet files need importCandlesAsync, and are refused here saying so
 */
export function importCandles(
  deps: ImportDeps,
  raw: ImportCandlesInput,
  onFile?: (f: ImportedFile) => void,
): ImportReport {
  const input = parseInput(ImportCandlesInput, raw);
  const plan = planImport(deps, input);
  const table = plan.picked.find((p) => p.named.format === "feather" || p.named.format === "parquet");
  if (table !== undefined) {
    throw invalidInput(`${table.file.name}: ${table.named.format} files are read by importCandlesAsync`);
  }
  return runImport(deps, input, plan, new Map(), onFile);
}

const marketOf = (input: Input): Market => input.market ?? "spot";

function planImport(deps: ImportDeps, input: Input): Plan {
  const market = marketOf(input);
  const listed = deps.files.list(input.path);
  const picked: Plan["picked"] = [];
  const skipped: SkippedFile[] = [...listed.skipped];
  for (const f of listed.files) {
    const v = understandName(f.name, f.parents, market);
    if (!listed.isFolder) {
      // a file named on the command line is read whatever its name; the flags fill what it lacks
      if ("skip" in v && !/^not a candle file/.test(v.skip)) throw invalidInput(`${f.name}: ${v.skip}`);
      const named: NameInfo = "info" in v ? v.info : { format: "csv" };
      if (named.content === "funding" && deps.funding === undefined)
        throw invalidInput(`${f.name}: funding rates, and no funding store was given`);
      picked.push({ file: f, named });
      continue;
    }
    if ("skip" in v) skipped.push({ name: f.name, reason: v.skip });
    else if (v.info.content === "funding" && deps.funding === undefined)
      skipped.push({ name: f.name, reason: "funding rates, and no funding store was given" });
    else if (!v.complete) {
      skipped.push({
        name: f.name,
        reason:
          "the name does not say exchange, symbol and timeframe; import it on its own with --exchange --symbol --timeframe",
      });
    } else picked.push({ file: f, named: v.info });
  }
  if (picked.length === 0) {
    const why =
      skipped.length > 0 ? `; skipped: ${skipped.map((s) => `${s.name} (${s.reason})`).join(", ")}` : "";
    throw invalidInput(
      `${input.path}: no candle files found (expected names like binance_BTC-USDT_1h.csv, BTC_USDT-1h.json or BTCUSDT-1h-2024-01.zip)${why.length > 600 ? `${why.slice(0, 600)}...` : why}`,
    );
  }
  return { picked, skipped };
}

function runImport(
  deps: ImportDeps,
  input: Input,
  plan: Plan,
  tables: Map<string, DataTable>,
  onFile?: (f: ImportedFile) => void,
): ImportReport {
  const market = marketOf(input);
  const parsed = plan.picked.map((p) =>
    parseFile(deps.files, p.file, p.named, input, market, tables.get(p.file.path)),
  );
  const files: ImportedFile[] = [];
  const funding: ImportedFunding[] = [];
  // one transaction for the whole folder: a CONFLICT in the last file leaves the home as it was
  deps.store.batch(() => {
    for (const p of parsed) {
      const n = p.series.ts.length;
      const first = n > 0 ? p.series.ts[0]! : Number.NaN;
      const last = n > 0 ? p.series.ts[n - 1]! : Number.NaN;
      if (p.kind === "funding") {
        const inserted = deps.funding!.upsertFunding(p.series);
        funding.push({
          file: p.file.name,
          exchange: p.series.exchange,
          symbol: p.series.symbol,
          rows: n,
          inserted,
          first,
          last,
        });
        continue;
      }
      const r = deps.store.upsert(p.series, { replace: input.replace === true });
      files.push({
        file: p.file.name,
        exchange: p.series.exchange,
        symbol: p.series.symbol,
        timeframe: p.series.timeframe,
        rows: n,
        ...r,
        first,
        last,
        gaps: p.gaps,
      });
    }
  });
  // told only once stored: a line printed for a file always means it is in the home
  for (const f of files) onFile?.(f);
  return { files, funding, skipped: plan.skipped };
}

function parseFile(
  files: DataFiles,
  f: DataFile,
  named: NameInfo,
  input: Input,
  market: Market,
  table: DataTable | undefined,
): Parsed {
  const exchange = input.exchange ?? named.exchange;
  const symbolRaw = input.symbol ?? named.symbol;
  const funding = named.content === "funding";
  // funding payments have no timeframe of their own (freqtrade names them by the 8h or 1h period)
  const tfRaw = funding ? "1h" : (input.timeframe ?? named.timeframe);
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
  const normal = normaliseSymbol(symbolRaw);
  if (normal === undefined)
    throw invalidInput(`--symbol "${symbolRaw.slice(0, 40)}": write it as BASE/QUOTE, e.g. BTC/USDT`);
  const symbol = market === "perp" || funding ? perpOf(normal) : normal;
  const timeframe = parseTimeframe(tfRaw);
  let raw: RawCandles;
  if (table !== undefined) raw = candlesFromTable(table, f.name);
  else {
    const bytes = files.readBytes(f.path);
    raw =
      named.format === "freqtrade-json"
        ? parseFreqtradeJsonBytes(bytes, f.name)
        : parseCandleCsvBytes(bytes, f.name);
  }
  if (raw.ts.length === 0) throw invalidInput(`${f.name}: holds no ${funding ? "funding rates" : "candles"}`);
  if (funding)
    return { kind: "funding", file: f, series: fundingOf(raw, exchange.toLowerCase(), symbol, f.name) };
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
  return { kind: "candles", file: f, series, gaps: findGaps(raw.ts, tfMs) };
}

/**
 * freqtrade stores funding as candles with the rate in the open column (the others 0): the rate
 * must be finite and below 100% a period, times strictly increasing
 */
function fundingOf(raw: RawCandles, exchange: string, symbol: string, source: string): FundingSeries {
  const n = raw.ts.length;
  for (let i = 0; i < n; i++) {
    const r = raw.open[i]!;
    const where = `${source}: row ${raw.line[i]}`;
    if (!Number.isFinite(r) || Math.abs(r) >= 1)
      throw invalidInput(`${where}: funding rate ${r} is not a rate (a finite fraction below 1)`);
    if (i > 0 && !(raw.ts[i]! > raw.ts[i - 1]!))
      throw invalidInput(
        `${where}: funding time is not after the previous row's (rows must be sorted, unique)`,
      );
  }
  return { exchange, symbol, ts: raw.ts, rate: raw.open };
}
