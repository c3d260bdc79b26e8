import { allocColumns } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import { excerpt } from "./excerpt.ts";
import {
  daysFromCivil,
  daysInMonth,
  epochMs,
  epochProblem,
  parseDecimal,
  parseTimestamp,
  strictNumber,
} from "./parse-number.ts";

/** Candles as parsed from a file, before validation: columns plus the source line of every row */
export interface RawCandles {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** 1-based line (CSV) or 1-based element index (JSON) of each row, for error messages */
  readonly line: Uint32Array;
}

/** The header names (lower case) each column is found by, in RawCandles' column order; shared with columnar tables */
export const COLUMN_NAMES: readonly (readonly string[])[] = [
  ["timestamp", "time", "date", "datetime", "open_time", "opentime", "ts"],
  ["open"],
  ["high"],
  ["low"],
  ["close"],
  ["volume", "vol"],
];
export const FIELD = ["timestamp", "open", "high", "low", "close", "volume"] as const;

function alloc(n: number): RawCandles {
  return { ...allocColumns(n), line: new Uint32Array(n) };
}

function truncate(r: RawCandles, n: number): RawCandles {
  return {
    ts: r.ts.subarray(0, n),
    open: r.open.subarray(0, n),
    high: r.high.subarray(0, n),
    low: r.low.subarray(0, n),
    close: r.close.subarray(0, n),
    volume: r.volume.subarray(0, n),
    line: r.line.subarray(0, n),
  };
}

/**
 * Parses OHLCV CSV text. With a header (our normalised format, freqtrade/ccxt exports):
 * ```
 * timestamp,open,high,low,close,volume
 * 2020-09-20T00:00:00Z,11080.64,11080.64,11042.7,11056,1168.906046
 * ```
 * Without one, Binance's bulk kline layout (open time in ms or µs, then OHLCV, then extra columns):
 * ```
 * 1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108,1704070799999,53957248.97,47134,...
 * ```
 * Throws INVALID_INPUT naming `source:line` and the field on the first unparseable value.
 */
export function parseCandleCsv(text: string, source: string): RawCandles {
  let newlines = 0;
  for (let p = text.indexOf("\n"); p !== -1; p = text.indexOf("\n", p + 1)) newlines++;
  const out = alloc(newlines + 1);
  const cols = new Int32Array([0, 1, 2, 3, 4, 5]);
  let maxCol = 5;
  const starts = new Int32Array(64);
  const ends = new Int32Array(64);
  let n = 0;
  let lineNo = 0;
  // a UTF-8 byte-order mark (spreadsheet exports) is not part of the header
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let headerSeen = false;
  let identity = true;
  const len = text.length;
  while (pos < len) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = len;
    let end = eol;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    lineNo++;
    const lineStart = pos;
    pos = eol + 1;
    if (end === lineStart) continue;
    if (!headerSeen && n === 0) {
      headerSeen = true;
      const c0 = text.charCodeAt(lineStart);
      const isHeader = !(c0 >= 48 && c0 <= 57) && c0 !== 34;
      if (isHeader) {
        const names = text
          .slice(lineStart, end)
          .split(",")
          .map((h) => h.trim().toLowerCase().replace(/"/g, ""));
        for (let k = 0; k < 6; k++) {
          const idx = names.findIndex((h) => COLUMN_NAMES[k]!.includes(h));
          if (idx < 0) {
            throw invalidInput(
              `${source}:${lineNo}: header has no "${FIELD[k]}" column (found: ${excerpt(names.join(", "), 80)}); expected timestamp,open,high,low,close,volume`,
            );
          }
          cols[k] = idx;
        }
        maxCol = Math.max(...cols);
        identity = cols.every((c, k) => c === k);
        if (maxCol >= starts.length)
          throw invalidInput(`${source}:${lineNo}: too many columns in the header`);
        continue;
      }
    }
    if (identity && fastRow(text, lineStart, end, out, n)) {
      out.line[n] = lineNo;
      n++;
      continue;
    }
    // split into fields up to the last column we need
    let f = 0;
    let fs = lineStart;
    for (let i = lineStart; i <= end && f <= maxCol; i++) {
      if (i === end || text.charCodeAt(i) === 44) {
        starts[f] = fs;
        ends[f] = i;
        f++;
        fs = i + 1;
      }
    }
    if (f <= maxCol) {
      throw invalidInput(
        `${source}:${lineNo}: expected at least ${maxCol + 1} comma-separated columns, found ${f}`,
      );
    }
    const ts = parseTimestamp(text, starts[cols[0]!]!, ends[cols[0]!]!);
    if (Number.isNaN(ts)) throw badField(source, lineNo, 0, text.slice(starts[cols[0]!]!, ends[cols[0]!]!));
    out.ts[n] = ts;
    for (let k = 1; k < 6; k++) {
      const c = cols[k]!;
      const v = parseDecimal(text, starts[c]!, ends[c]!);
      if (Number.isNaN(v)) throw badField(source, lineNo, k, text.slice(starts[c]!, ends[c]!));
      switch (k) {
        case 1:
          out.open[n] = v;
          break;
        case 2:
          out.high[n] = v;
          break;
        case 3:
          out.low[n] = v;
          break;
        case 4:
          out.close[n] = v;
          break;
        default:
          out.volume[n] = v;
      }
    }
    out.line[n] = lineNo;
    n++;
  }
  return truncate(out, n);
}

const columnsOf = (r: RawCandles): Float64Array[] => [r.ts, r.open, r.high, r.low, r.close, r.volume];

const COMMA = 44;
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
// where the last scan stopped: module state keeps the hot loop allocation-free
let scanEnd = 0;

// a plain decimal at i (exactly Number() of it: m / 10^k is correctly rounded for m < 2^53, k <= 22);
// NaN for anything else, which sends the line to the general path
function scanDecimal(s: string, i: number): number {
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) {
    neg = true;
    c = s.charCodeAt(++i);
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      scale++;
      c = s.charCodeAt(++i);
    }
  }
  scanEnd = i;
  if (digits === 0 || m > 9007199254740991 || scale > 22) return Number.NaN;
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

// two digits at i, or -1000 when either is not a digit
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1000;
}
let lastDay = -1;
let lastDayKey = -1;

// 2024-01-01T00:00:00Z at i; NaN when it is not exactly that shape
function scanIsoTimestamp(s: string, i: number): number {
  if (
    s.charCodeAt(i + 4) !== 45 ||
    s.charCodeAt(i + 7) !== 45 ||
    s.charCodeAt(i + 13) !== 58 ||
    s.charCodeAt(i + 16) !== 58
  ) {
    return Number.NaN;
  }
  const y = d2(s, i) * 100 + d2(s, i + 2);
  const mo = d2(s, i + 5);
  const d = d2(s, i + 8);
  const hh = d2(s, i + 11);
  const mi = d2(s, i + 14);
  const ss = d2(s, i + 17);
  if (
    !(
      y >= 0 &&
      y <= 9999 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= 31 &&
      hh >= 0 &&
      hh <= 23 &&
      mi >= 0 &&
      mi <= 59 &&
      ss >= 0 &&
      ss <= 59
    )
  ) {
    return Number.NaN;
  }
  const sep = s.charCodeAt(i + 10);
  if (sep !== 84 && sep !== 32) return Number.NaN;
  let e = i + 19;
  if (s.charCodeAt(e) === 90) e++;
  scanEnd = e;
  // consecutive rows mostly share a day: skip the calendar arithmetic then
  const key = y * 10000 + mo * 100 + d;
  if (key !== lastDayKey) {
    // checked once per day met: 2024-02-30 is refused, not read as March 1st
    if (d > daysInMonth(y, mo)) return Number.NaN;
    lastDayKey = key;
    lastDay = daysFromCivil(y, mo, d) * 86_400_000;
  }
  return lastDay + hh * 3_600_000 + mi * 60_000 + ss * 1000;
}

// the common layout (timestamp,open,high,low,close,volume[,...]) parsed in one pass without
// splitting; false sends the line to the general path, which also names any error
function fastRow(s: string, start: number, end: number, out: RawCandles, n: number): boolean {
  let t = scanIsoTimestamp(s, start);
  if (Number.isNaN(t)) {
    t = epochMs(scanDecimal(s, start));
    if (Number.isNaN(t)) return false;
  }
  let p = scanEnd;
  if (s.charCodeAt(p) !== COMMA) return false;
  const o = scanDecimal(s, p + 1);
  p = scanEnd;
  if (Number.isNaN(o) || s.charCodeAt(p) !== COMMA) return false;
  const h = scanDecimal(s, p + 1);
  p = scanEnd;
  if (Number.isNaN(h) || s.charCodeAt(p) !== COMMA) return false;
  const l = scanDecimal(s, p + 1);
  p = scanEnd;
  if (Number.isNaN(l) || s.charCodeAt(p) !== COMMA) return false;
  const c = scanDecimal(s, p + 1);
  p = scanEnd;
  if (Number.isNaN(c) || s.charCodeAt(p) !== COMMA) return false;
  const v = scanDecimal(s, p + 1);
  p = scanEnd;
  if (Number.isNaN(v) || (p !== end && s.charCodeAt(p) !== COMMA)) return false;
  out.ts[n] = t;
  out.open[n] = o;
  out.high[n] = h;
  out.low[n] = l;
  out.close[n] = c;
  out.volume[n] = v;
  return true;
}

function badField(source: string, line: number, k: number, raw: string) {
  let what = `number in "${FIELD[k]}"`;
  if (k === 0) {
    const n = strictNumber(raw);
    what = Number.isNaN(n)
      ? "timestamp (use ISO-8601 UTC with a real date, or epoch ms)"
      : `timestamp (${epochProblem(n)})`;
  }
  return invalidInput(`${source}:${line}: bad ${what}: "${excerpt(raw)}"`);
}

/**
 * Parses freqtrade's JSON candle files, an array of rows with epoch ms first:
 * ```
 * [[1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108],...]
 * ```
 * `line` holds the 1-based row index, since JSON rows are not lines.
 */
export function parseFreqtradeJson(text: string, source: string): RawCandles {
  return parseFreqtradeJsonBytes(new TextEncoder().encode(text), source);
}

const WS = new Uint8Array(256);
for (const c of [9, 10, 13, 32]) WS[c] = 1;

/**
 * The same from bytes, in one pass straight into columns. A scanner of exactly this shape (an
 * array of arrays of scalars) rather than JSON.parse: nesting is refused at depth 3 (100,000
 * levels of `[` made JSON.parse overflow the stack), memory is the columns (not millions of JS
 * arrays), and a value is a number or a decimal string: never "", " " or "0x10" read as a number.
 */
export function parseFreqtradeJsonBytes(b: Uint8Array, source: string): RawCandles {
  const len = b.length;
  let p = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const near = (): string =>
    p >= len
      ? "the end of the file"
      : `byte ${p + 1} ("${excerpt(new TextDecoder().decode(b.subarray(p, p + 20)), 20)}")`;
  const shape = (why: string) =>
    invalidInput(
      `${source}: not valid JSON candles (${why} at ${near()}); expected a JSON array of [ts,open,high,low,close,volume] rows`,
    );
  while (p < len && WS[b[p]!] === 1) p++;
  if (b[p] !== 91) throw shape("not a JSON array");
  p++;
  let cap = 1024;
  let out = alloc(cap);
  let n = 0;
  let C = columnsOf(out);
  while (p < len && WS[b[p]!] === 1) p++;
  if (b[p] === 93) p++;
  else {
    for (;;) {
      while (p < len && WS[b[p]!] === 1) p++;
      if (b[p] !== 91) throw shape(`row ${n + 1} is not an array`);
      p++;
      if (n === cap) {
        cap *= 2;
        const grown = alloc(cap);
        columnsOf(grown).forEach((c, k) => {
          c.set(C[k]!);
        });
        grown.line.set(out.line);
        out = grown;
        C = columnsOf(out);
      }
      let k = 0;
      while (p < len && WS[b[p]!] === 1) p++;
      if (b[p] !== 93) {
        for (;;) {
          while (p < len && WS[b[p]!] === 1) p++;
          let x = scalar(b, p, len);
          const end = scalarEnd;
          if (end < 0) {
            if (b[p] === 91 || b[p] === 123) throw shape(`row ${n + 1} holds a nested value`);
            throw shape(`row ${n + 1}: a value that is not JSON`);
          }
          if (k < 6) {
            if (k === 0) {
              const ms = epochMs(x);
              if (Number.isNaN(ms)) {
                const why = Number.isNaN(x) ? "not a number" : epochProblem(x);
                throw invalidInput(`${source}: row ${n + 1}: bad timestamp ${rawAt(b, p, end)} (${why})`);
              }
              x = ms;
            } else if (Number.isNaN(x)) {
              throw invalidInput(
                `${source}: row ${n + 1}: bad ${FIELD[k]}: ${rawAt(b, p, end)} is not a number`,
              );
            }
            C[k]![n] = x;
          }
          k++;
          p = end;
          while (p < len && WS[b[p]!] === 1) p++;
          if (b[p] === 44) {
            p++;
            continue;
          }
          if (b[p] === 93) break;
          throw shape(`row ${n + 1}: expected "," or "]"`);
        }
      }
      p++;
      if (k < 6)
        throw invalidInput(
          `${source}: row ${n + 1}: expected [ts,open,high,low,close,volume], got ${k} values`,
        );
      out.line[n] = n + 1;
      n++;
      while (p < len && WS[b[p]!] === 1) p++;
      if (b[p] === 44) {
        p++;
        continue;
      }
      if (b[p] === 93) {
        p++;
        break;
      }
      throw shape(`after row ${n}: expected "," or "]"`);
    }
  }
  while (p < len && WS[b[p]!] === 1) p++;
  if (p < len) throw shape("data after the array");
  return truncate(out, n);
}

let scalarEnd = 0;
const rawAt = (b: Uint8Array, p: number, end: number): string =>
  excerpt(new TextDecoder().decode(b.subarray(p, Math.min(end < 0 ? b.length : end, p + 200))));

// one JSON scalar at p: its value as a candle number (NaN for null, booleans, non-decimal strings)
// and where it ends; end -1 when no scalar starts at p
function scalar(b: Uint8Array, p: number, len: number): number {
  const c = b[p];
  if (c === 34) {
    let e = p + 1;
    while (e < len && b[e] !== 34 && b[e] !== 92) e++;
    if (e >= len) {
      scalarEnd = -1;
      return Number.NaN;
    }
    if (b[e] === 92) {
      // an escape: skip to the real end; no decimal needs one, so the value is not a number
      while (e < len && b[e] !== 34) e += b[e] === 92 ? 2 : 1;
      scalarEnd = e < len ? e + 1 : -1;
      return Number.NaN;
    }
    scalarEnd = e + 1;
    return strictNumber(new TextDecoder().decode(b.subarray(p + 1, e)));
  }
  if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) {
    // the common plain decimal in one pass (exactly Number() of it, see scanDecimal)
    let e = p;
    const neg = c === 45;
    if (neg) e++;
    const first = e;
    let m = 0;
    let scale = 0;
    let d = b[e];
    while (d !== undefined && d >= 48 && d <= 57) {
      m = m * 10 + (d - 48);
      d = b[++e];
    }
    const intDigits = e - first;
    if (d === 46) {
      d = b[++e];
      while (d !== undefined && d >= 48 && d <= 57) {
        m = m * 10 + (d - 48);
        scale++;
        d = b[++e];
      }
    }
    const leadingZero = intDigits > 1 && b[first] === 48;
    if (
      intDigits > 0 &&
      !leadingZero &&
      b[e - 1] !== 46 &&
      d !== 101 &&
      d !== 69 &&
      m <= 9007199254740991 &&
      scale <= 22
    ) {
      const v = scale === 0 ? m : m / POW10[scale]!;
      scalarEnd = e;
      return neg ? -v : v;
    }
    // exponents, long mantissas and anything malformed: JSON's own number grammar, then Number()
    e = p;
    while (e < len) {
      const x = b[e]!;
      if ((x >= 48 && x <= 57) || x === 45 || x === 43 || x === 46 || x === 101 || x === 69) e++;
      else break;
    }
    const t = new TextDecoder().decode(b.subarray(p, e));
    scalarEnd = e;
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t)) return Number.NaN;
    return Number(t);
  }
  for (const word of ["null", "true", "false"]) {
    let ok = p + word.length <= len;
    for (let i = 0; ok && i < word.length; i++) ok = b[p + i] === word.charCodeAt(i);
    if (ok) {
      scalarEnd = p + word.length;
      return Number.NaN;
    }
  }
  scalarEnd = -1;
  return Number.NaN;
}
