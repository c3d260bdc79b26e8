import { normaliseSymbol } from "../data/file-names.ts";
import { parseTimeframe } from "../domain/timeframe.ts";
import { AppError, invalidInput } from "../errors.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";

/** A series named on the command line: exchange optional, symbol BTC/USDT or BTC-USDT */
export interface SeriesRef {
  exchange?: string;
  symbol: string;
  timeframe: string;
}

/**
 * Turns a reference into a stored series key. Without an exchange, the one exchange that holds the
 * symbol and timeframe is taken; several give INVALID_INPUT listing them, none gives NOT_FOUND.
 */
export function resolveSeries(store: CandleStore, ref: SeriesRef): SeriesKey {
  const symbol = normaliseSymbol(ref.symbol);
  if (symbol === undefined)
    throw invalidInput(`--symbol "${ref.symbol}": write it as BASE/QUOTE, e.g. BTC/USDT`);
  const timeframe = parseTimeframe(ref.timeframe);
  if (ref.exchange !== undefined) return { exchange: ref.exchange.toLowerCase(), symbol, timeframe };
  const holders = store.list().filter((s) => s.symbol === symbol && s.timeframe === timeframe);
  if (holders.length === 1) return { exchange: holders[0]!.exchange, symbol, timeframe };
  if (holders.length > 1) {
    throw invalidInput(
      `${symbol} ${timeframe} is stored for several exchanges (${holders.map((h) => h.exchange).join(", ")}); pass --exchange`,
    );
  }
  const other = store.list().filter((s) => s.symbol === symbol);
  const hint =
    other.length > 0
      ? `stored timeframes: ${other.map((s) => `${s.exchange} ${s.timeframe}`).join(", ")}`
      : "import it with `kairos data import` or `kairos data download`";
  throw new AppError("NOT_FOUND", `no ${symbol} ${timeframe} candles in the store; ${hint}`);
}

/** Parses --from/--to (ISO UTC dates or times, or epoch ms) to epoch ms */
export function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const ms = /^\d{12,}$/.test(v)
    ? Number(v)
    : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || v.length <= 10 ? v : `${v}Z`);
  if (!Number.isFinite(ms))
    throw invalidInput(`${flag} "${value}": use an ISO date or time in UTC, e.g. 2024-01-31`);
  return ms;
}

/** --from/--to as a store read range, leaving out the ends that are not given */
export function parseRange(input: { from?: string | undefined; to?: string | undefined }): {
  from?: number;
  to?: number;
} {
  const from = parseTime(input.from, "--from");
  const to = parseTime(input.to, "--to");
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}
