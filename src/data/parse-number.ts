// Exact powers of ten: m / 10^k and m * 10^k are correctly rounded when m < 2^53 and k <= 22 (Clinger's fast path)
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const MAX_SAFE = 9007199254740991;

/**
 * Parses the decimal number in s[start, end) without allocating, giving exactly what `Number()`
 * gives; anything outside the fast path (exponents, >15 digits, junk) falls back to `Number()`.
 * An empty field is NaN (Number("") would be 0).
 */
export function parseDecimal(s: string, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let i = start;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  let m = 0;
  let digits = 0;
  let scale = 0;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    m = m * 10 + (c - 48);
    digits++;
  }
  if (i < end && c === 46) {
    for (i++; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      m = m * 10 + (c - 48);
      digits++;
      scale++;
    }
  }
  if (i < end || digits === 0 || m > MAX_SAFE || scale > 22) return slowNumber(s, start, end);
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

// a plain decimal with an optional exponent: Number() alone would also read "", " ", "0x10",
// "0b1", "Infinity" and "1_0"-free oddities as numbers, none of which a candle file means
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Number(t) for a decimal (surrounding spaces allowed), NaN for anything else (empty, hex, words) */
export function strictNumber(t: string): number {
  const x = t.trim();
  return DECIMAL.test(x) ? Number(x) : Number.NaN;
}

function slowNumber(s: string, start: number, end: number): number {
  return strictNumber(s.slice(start, end));
}

/**
 * Integer epoch values are read as milliseconds or, from 1e14 on, microseconds (Binance's bulk
 * files since 2025). Below 1e11 (1973 in ms) a number is epoch seconds and from 1e17 on
 * nanoseconds: taking either for ms or µs would store 1970 or the year 55,000, so they are refused
 */
export const MIN_EPOCH_MS = 1e11;
export const MAX_EPOCH_MS = 1e14;

/** Epoch ms of an integer epoch in ms or µs; NaN for anything else (see epochProblem) */
export function epochMs(n: number): number {
  if (!Number.isInteger(n)) return Number.NaN;
  if (n >= MIN_EPOCH_MS && n < MAX_EPOCH_MS) return n;
  if (n >= MAX_EPOCH_MS && n < MAX_EPOCH_MS * 1000) return Math.floor(n / 1000);
  return Number.NaN;
}

/** Why an epoch number is refused, for the one-line message */
export function epochProblem(n: number): string {
  if (!Number.isFinite(n)) return "not a finite number";
  if (!Number.isInteger(n)) return "epoch times must be whole milliseconds";
  if (n < 0) return "a negative epoch time";
  if (n < 1e8) return "too small for an epoch time in ms (1970)";
  if (n < MIN_EPOCH_MS) return "looks like epoch seconds; kairos reads epoch milliseconds (multiply by 1000)";
  if (n >= 1e17 && n < 1e20)
    return "looks like epoch nanoseconds; kairos reads epoch milliseconds or microseconds (divide by 1,000,000)";
  return "beyond any date a candle can have";
}

/** Days in a month of the proleptic Gregorian calendar (2024-02-30 and 2023-02-29 do not exist) */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil) */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const digitsAt = (s: string, i: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
};

/**
 * Parses a UTC timestamp in s[start, end) to epoch ms: ISO-8601 (`2024-01-01T00:00:00Z`, with a
 * space instead of T, optional fraction, `Z`/`+00:00`/none meaning UTC) or integer epoch ms
 * (microseconds when above 1e14, as Binance's bulk files since 2025). NaN when it is neither.
 */
export function parseTimestamp(s: string, start: number, end: number): number {
  const len = end - start;
  if (len >= 19 && s.charCodeAt(start + 4) === 45) {
    const y = digitsAt(s, start, 4);
    const mo = digitsAt(s, start + 5, 2);
    const d = digitsAt(s, start + 8, 2);
    const sep = s.charCodeAt(start + 10);
    const hh = digitsAt(s, start + 11, 2);
    const mi = digitsAt(s, start + 14, 2);
    const ss = digitsAt(s, start + 17, 2);
    const tail = s.slice(start + 19, end);
    if (
      y >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= daysInMonth(y, mo) &&
      (sep === 84 || sep === 32) &&
      hh >= 0 &&
      hh < 24 &&
      mi >= 0 &&
      mi < 60 &&
      ss >= 0 &&
      ss < 60 &&
      s.charCodeAt(start + 13) === 58 &&
      s.charCodeAt(start + 16) === 58
    ) {
      const base = daysFromCivil(y, mo, d) * DAY_MS + hh * 3_600_000 + mi * 60_000 + ss * 1000;
      if (tail === "Z" || tail === "" || tail === "+00:00") return base;
      return slowIso(s.slice(start, end));
    }
    return slowIso(s.slice(start, end));
  }
  return epochMs(parseDecimal(s, start, end));
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

// the general ISO-8601 form, checked field by field (Date.parse accepts 2024-02-30 as March 1st
// in some engines and reads a time without an offset as local time; here no offset means UTC)
function slowIso(t: string): number {
  const m = ISO.exec(t.trim());
  if (m === null) return Number.NaN;
  const [y, mo, d, hh, mi, ss] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || hh > 23 || mi > 59 || ss > 59)
    return Number.NaN;
  const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let off = 0;
  const z = m[8];
  if (z !== undefined && z !== "Z") {
    const oh = Number(z.slice(1, 3));
    const om = Number(z.slice(-2));
    if (oh > 23 || om > 59) return Number.NaN;
    off = (z[0] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return daysFromCivil(y, mo, d) * DAY_MS + hh * 3_600_000 + mi * 60_000 + ss * 1000 + frac - off;
}
