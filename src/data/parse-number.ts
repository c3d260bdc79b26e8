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

function slowNumber(s: string, start: number, end: number): number {
  const t = s.slice(start, end).trim();
  return t === "" ? Number.NaN : Number(t);
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
      d <= 31 &&
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
  const n = parseDecimal(s, start, end);
  if (!Number.isInteger(n)) return Number.NaN;
  return n > 1e14 ? Math.floor(n / 1000) : n;
}

function slowIso(t: string): number {
  // a date without an offset is UTC here (Date.parse would read it as local time)
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(t);
  const v = Date.parse(hasZone || t.length <= 10 ? t : `${t}Z`);
  return Number.isFinite(v) ? v : Number.NaN;
}
