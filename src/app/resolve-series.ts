import { z } from "zod";
import { AppError, invalidInput } from "../errors.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import {
  checkRange,
  exchangeField,
  isoTimeField,
  parseInput,
  symbolField,
  timeframeField,
  timeOf,
} from "./contract.ts";

/** A series named by the user: exchange optional, symbol BTC/USDT or BTC-USDT */
export const SeriesRefInput = z.object({
  exchange: exchangeField().optional(),
  symbol: symbolField(),
  timeframe: timeframeField(),
});
/** Optional [from, to) in ISO 8601 UTC, `to` after `from` */
export const rangeShape = {
  from: isoTimeField().optional(),
  to: isoTimeField().optional(),
};

export interface SeriesRef {
  exchange?: string | undefined;
  symbol: string;
  timeframe: string;
}

/**
 * Turns a reference into a stored series key. Without an exchange, the one exchange that holds the
 * symbol and timeframe is taken; several give INVALID_INPUT listing them, none gives NOT_FOUND.
 */
export function resolveSeries(store: CandleStore, ref: SeriesRef): SeriesKey {
  const { symbol, timeframe, exchange } = parseInput(SeriesRefInput, ref);
  if (exchange !== undefined) return { exchange, symbol, timeframe };
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

/** Parses a --from/--to/--since/--at time (ISO 8601 UTC only, see parseUtcTime) to epoch ms */
export function parseTime(value: string | undefined, field: string): number | undefined {
  return timeOf(value, field.replace(/^-+/, ""));
}

/** --from/--to as a store read range, leaving out the ends that are not given; a reversed range is refused */
export function parseRange(input: { from?: string | undefined; to?: string | undefined }): {
  from?: number;
  to?: number;
} {
  const from = parseTime(input.from, "from");
  const to = parseTime(input.to, "to");
  checkRange(from, to);
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}
