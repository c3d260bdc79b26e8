import { AppError } from "../errors.ts";

/** Timeframes kairos understands, in ccxt notation */
export const TIMEFRAMES = [
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "1w",
] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const isTimeframe = (s: string): s is Timeframe => (TIMEFRAMES as readonly string[]).includes(s);

/** Parses a timeframe such as "1h", naming the valid ones when it is not one */
export function parseTimeframe(s: string): Timeframe {
  if (isTimeframe(s)) return s;
  throw new AppError("INVALID_INPUT", `unknown timeframe "${s}": use one of ${TIMEFRAMES.join(", ")}`);
}

/** Length of one bar in milliseconds */
export function timeframeMs(tf: Timeframe): number {
  const unit = tf.slice(-1);
  return Number(tf.slice(0, -1)) * (UNIT_MS[unit] ?? Number.NaN);
}

/** Bars per 365-day year, the annualisation factor of DESIGN.md (365 for 1d, 8,760 for 1h) */
export function barsPerYear(tf: Timeframe): number {
  return (365 * 86_400_000) / timeframeMs(tf);
}
