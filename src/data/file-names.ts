import { isTimeframe, type Timeframe } from "../domain/timeframe.ts";

export type CandleFileFormat = "csv" | "freqtrade-json";

/** What a file's name says about its contents; any part may be unknown */
export interface NameInfo {
  format: CandleFileFormat;
  exchange?: string;
  symbol?: string;
  timeframe?: Timeframe;
}

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

const NORMALISED = /^([a-z0-9]+)_([A-Z0-9]+)-([A-Z0-9]+)_(\d+[mhdw])\.csv(\.gz)?$/;
const FREQTRADE =
  /^([A-Z0-9]+)_([A-Z0-9]+)(?:_[A-Z0-9]+)?-(\d+[mhdw])(?:-(?:spot|futures|mark|index))?\.json(\.gz)?$/;
const BINANCE_BULK = /^([A-Z0-9]+)-(\d+[mhdw])-\d{4}-\d{2}(?:-\d{2})?\.(csv|zip)$/;

const tf = (s: string): Timeframe | undefined => (isTimeframe(s) ? s : undefined);

/** Splits a Binance pair such as BTCUSDT into ccxt's BTC/USDT, or undefined when no known quote ends it */
export function splitPair(pair: string): string | undefined {
  const q = QUOTES.find((x) => pair.endsWith(x) && pair.length > x.length);
  return q === undefined ? undefined : `${pair.slice(0, -q.length)}/${q}`;
}

/**
 * Reads exchange, symbol and timeframe from the names kairos recognises, or undefined for any other file:
 * our `binance_BTC-USDT_1h.csv[.gz]`, freqtrade's `BTC_USDT-1h.json[.gz]` (exchange from its
 * folder, as in user_data/data/binance/) and Binance's bulk `BTCUSDT-1h-2024-01.zip|csv`.
 */
export function inferFromName(name: string, folder: string): NameInfo | undefined {
  let m = NORMALISED.exec(name);
  if (m !== null) {
    return withDefined({ format: "csv", exchange: m[1]!, symbol: `${m[2]}/${m[3]}`, timeframe: tf(m[4]!) });
  }
  m = FREQTRADE.exec(name);
  if (m !== null) {
    const exchange = /^[a-z0-9]+$/.test(folder) && folder !== "data" ? folder : undefined;
    return withDefined({
      format: "freqtrade-json",
      exchange,
      symbol: `${m[1]}/${m[2]}`,
      timeframe: tf(m[3]!),
    });
  }
  m = BINANCE_BULK.exec(name);
  if (m !== null) {
    return withDefined({
      format: "csv",
      exchange: "binance",
      symbol: splitPair(m[1]!),
      timeframe: tf(m[2]!),
    });
  }
  if (/\.(csv|csv\.gz|zip)$/i.test(name)) return { format: "csv" };
  if (/\.json(\.gz)?$/i.test(name)) return { format: "freqtrade-json" };
  return undefined;
}

function withDefined(x: {
  format: CandleFileFormat;
  exchange: string | undefined;
  symbol: string | undefined;
  timeframe: Timeframe | undefined;
}): NameInfo {
  const out: NameInfo = { format: x.format };
  if (x.exchange !== undefined) out.exchange = x.exchange;
  if (x.symbol !== undefined) out.symbol = x.symbol;
  if (x.timeframe !== undefined) out.timeframe = x.timeframe;
  return out;
}

/** True for names a folder import picks up on its own (fully self-describing names) */
export const isRecognisedName = (name: string): boolean =>
  NORMALISED.test(name) || FREQTRADE.test(name) || BINANCE_BULK.test(name);

/** BTC/USDT or BTC-USDT -> BTC/USDT (upper case); undefined when it is not BASE/QUOTE */
export function normaliseSymbol(s: string): string | undefined {
  const m = /^([A-Za-z0-9]+)[/-]([A-Za-z0-9]+)(:[A-Za-z0-9]+)?$/.exec(s.trim());
  return m === null
    ? undefined
    : `${m[1]!.toUpperCase()}/${m[2]!.toUpperCase()}${(m[3] ?? "").toUpperCase()}`;
}
