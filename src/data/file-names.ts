import { isTimeframe, TIMEFRAMES, type Timeframe } from "../domain/timeframe.ts";

export type CandleFileFormat = "csv" | "freqtrade-json" | "feather" | "parquet";

/** What a file's name says about its contents; any part may be unknown */
export interface NameInfo {
  format: CandleFileFormat;
  exchange?: string;
  symbol?: string;
  timeframe?: Timeframe;
  /** freqtrade's `-funding_rate` files: funding payments (rate in the open column), not candles */
  content?: "funding";
}

/** A name understood (info), or a file that is not imported and why (skip) */
export type NameVerdict = { info: NameInfo; complete: boolean } | { skip: string };

/** spot, or the USD-M perpetual (BTC/USDT:USDT) when the path or `--market perp` says so */
export type Market = "spot" | "perp";

// quote currencies Binance uses, longest first, to split BTCUSDT into BTC/USDT
const QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "USDP",
  "DAI",
  "EUR",
  "TRY",
  "BRL",
  "JPY",
  "BTC",
  "ETH",
  "BNB",
  "USD",
];

const NORMALISED = /^([a-z0-9]+)_([A-Z0-9]+)-([A-Z0-9]+)_([0-9]+[a-zA-Z]+)\.csv(\.gz)?$/;
// freqtrade: {BASE}_{QUOTE}[_{SETTLE}]-{timeframe}[-{candle type}].{json,json.gz,feather,parquet,h5}
const FREQTRADE =
  /^([A-Za-z0-9]+)_([A-Za-z0-9]+)(?:_([A-Za-z0-9]+))?-([0-9]+[a-zA-Z]+)(?:-(spot|futures|mark|index|premiumIndex|funding_rate))?\.(json|json\.gz|feather|parquet|h5|hdf5)$/;
const BINANCE_BULK = /^([A-Z0-9]+)-([0-9]+[a-zA-Z]+)-\d{4}-\d{2}(?:-\d{2})?\.(csv|zip)$/;

const HDF5 =
  "HDF5 (.h5) candle files are not supported: convert them with `freqtrade convert-data --format-from hdf5 --format-to jsongz` and import the .json.gz files";

/** The format an extension names; a string for a known but unsupported format (why) */
export function formatOf(name: string): CandleFileFormat | string | undefined {
  const n = name.toLowerCase();
  if (/\.(h5|hdf5)$/.test(n)) return HDF5;
  if (/\.json(\.gz)?$/.test(n)) return "freqtrade-json";
  if (n.endsWith(".feather")) return "feather";
  if (n.endsWith(".parquet")) return "parquet";
  if (/\.(csv|csv\.gz|zip)$/.test(n)) return "csv";
  return undefined;
}

const isFormat = (f: string | undefined): f is CandleFileFormat =>
  f === "csv" || f === "freqtrade-json" || f === "feather" || f === "parquet";

/** Why a timeframe written in a file name cannot be imported, or undefined when kairos has it */
export function timeframeProblem(tf: string): string | undefined {
  if (isTimeframe(tf)) return undefined;
  if (/^\d+s$/.test(tf))
    return `${tf} candles are not supported (kairos stores 1m and coarser); import the 1m files`;
  if (tf === "3d")
    return "3d candles are not supported (not one of kairos's timeframes); import the 1d files";
  if (/^\d+(M|mo)$/.test(tf)) return "monthly candles are not supported; import the 1d or 1w files";
  return `"${tf}" is not a timeframe kairos knows (${TIMEFRAMES.join(", ")})`;
}

/** Splits a Binance pair such as BTCUSDT into ccxt's BTC/USDT, or undefined when no known quote ends it */
export function splitPair(pair: string): string | undefined {
  const q = QUOTES.find((x) => pair.endsWith(x) && pair.length > x.length);
  return q === undefined ? undefined : `${pair.slice(0, -q.length)}/${q}`;
}

/** BTC/USDT -> BTC/USDT:USDT (the linear perpetual settled in the quote); a perp is kept */
export function perpOf(symbol: string): string {
  return symbol.includes(":") ? symbol : `${symbol}:${symbol.split("/")[1]}`;
}

/**
 * Reads exchange, symbol, timeframe and what the file holds from its name and folders (nearest
 * first), or says why it is not imported: our `binance_BTC-USDT_1h.csv[.gz]`; freqtrade's
 * `BTC_USDT-1h.{json,json.gz,feather,parquet}` (exchange from its folder, as in
 * user_data/data/binance/), its futures `futures/XRP_USDT_USDT-1h-futures.*` (the perpetual
 * XRP/USDT:USDT; exchange from the folder above `futures`), `-funding_rate` (funding) and `-mark`
 * (skipped: mark prices are not a tradable series); Binance's bulk `BTCUSDT-1h-2024-01.zip|csv`
 * (under futures/um/, or with market perp: the perpetual). `complete` is true when the name gave
 * exchange, symbol and timeframe, so a folder import can take the file on its own.
 */
export function understandName(
  name: string,
  parents: readonly string[],
  market: Market = "spot",
): NameVerdict {
  const format = formatOf(name);
  if (format !== undefined && !isFormat(format)) return { skip: format };
  if (/-trades\.(json|json\.gz|feather|parquet|h5)$/.test(name))
    return { skip: "trades, not candles (kairos imports candles)" };
  let m = NORMALISED.exec(name);
  if (m !== null) {
    const bad = timeframeProblem(m[4]!);
    if (bad !== undefined) return { skip: bad };
    const symbol = `${m[2]}/${m[3]}`;
    return done({
      format: "csv",
      exchange: m[1]!,
      symbol: market === "perp" ? perpOf(symbol) : symbol,
      timeframe: m[4]! as Timeframe,
    });
  }
  m = FREQTRADE.exec(name);
  if (m !== null) {
    const [, base, quote, settle, tf, type] = m;
    if (type === "mark" || type === "index" || type === "premiumIndex") {
      return {
        skip: `${type === "mark" ? "mark" : type === "index" ? "index" : "premium-index"}-price candles: not a tradable series, so never stored as one`,
      };
    }
    const funding = type === "funding_rate";
    // funding belongs to the perpetual whatever the name says; futures candles too
    const perp = settle !== undefined || type === "futures" || funding || market === "perp";
    const symbol = `${base!.toUpperCase()}/${quote!.toUpperCase()}${perp ? `:${(settle ?? quote!).toUpperCase()}` : ""}`;
    const folders = parents[0] === "futures" ? parents.slice(1) : parents;
    const exchange =
      folders[0] !== undefined && /^[a-z0-9]+$/.test(folders[0]) && folders[0] !== "data"
        ? folders[0]
        : undefined;
    if (!funding) {
      const bad = timeframeProblem(tf!);
      if (bad !== undefined) return { skip: bad };
    }
    const info: NameInfo = { format: format as CandleFileFormat, symbol };
    if (exchange !== undefined) info.exchange = exchange;
    if (funding) info.content = "funding";
    else info.timeframe = tf as Timeframe;
    return { info, complete: exchange !== undefined };
  }
  m = BINANCE_BULK.exec(name);
  if (m !== null) {
    const i = parents.indexOf("futures");
    const kind = i > 0 ? parents[i - 1] : undefined;
    if (kind === "cm")
      return {
        skip: "Binance coin-M (inverse) futures are not supported; kairos imports spot and USD-M perpetuals",
      };
    const bad = timeframeProblem(m[2]!);
    if (bad !== undefined) return { skip: bad };
    const pair = splitPair(m[1]!);
    if (pair === undefined)
      return {
        skip: `cannot split ${m[1]} into base and quote; import it on its own with --symbol BASE/QUOTE`,
      };
    const perp = i >= 0 || kind === "um" || market === "perp";
    return done({
      format: "csv",
      exchange: "binance",
      symbol: perp ? perpOf(pair) : pair,
      timeframe: m[2]! as Timeframe,
    });
  }
  if (format === undefined)
    return { skip: "not a candle file (csv, csv.gz, zip, json, json.gz, feather, parquet)" };
  return { info: { format }, complete: false };
}

const done = (info: NameInfo): NameVerdict => ({ info, complete: true });

/**
 * What the name alone says (the older entry point, kept for callers that only have the folder):
 * undefined for files that are not candle files
 */
export function inferFromName(name: string, folder: string): NameInfo | undefined {
  const v = understandName(name, [folder]);
  return "info" in v ? v.info : undefined;
}

/** BTC/USDT or BTC-USDT -> BTC/USDT (upper case); undefined when it is not BASE/QUOTE */
export function normaliseSymbol(s: string): string | undefined {
  const m = /^([A-Za-z0-9]+)[/-]([A-Za-z0-9]+)(:[A-Za-z0-9]+)?$/.exec(s.trim());
  return m === null
    ? undefined
    : `${m[1]!.toUpperCase()}/${m[2]!.toUpperCase()}${(m[3] ?? "").toUpperCase()}`;
}
