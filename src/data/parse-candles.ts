import { allocColumns } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import { daysFromCivil, parseDecimal, parseTimestamp } from "./parse-number.ts";

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

const COLUMN_NAMES: readonly (readonly string[])[] = [
  ["timestamp", "time", "date", "datetime", "open_time", "opentime", "ts"],
  ["open"],
  ["high"],
  ["low"],
  ["close"],
  ["volume", "vol"],
];
const FIELD = ["timestamp", "open", "high", "low", "close", "volume"] as const;

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
              `${source}:${lineNo}: header has no "${FIELD[k]}" column (found: ${names.join(", ")}); expected timestamp,open,high,low,close,volume`,
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
    t = scanDecimal(s, start);
    if (Number.isNaN(t) || !Number.isInteger(t)) return false;
    if (t > 1e14) t = Math.floor(t / 1000);
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
  const what = k === 0 ? "timestamp (use ISO-8601 UTC or epoch ms)" : `number in "${FIELD[k]}"`;
  return invalidInput(`${source}:${line}: bad ${what}: "${raw.slice(0, 40)}"`);
}

/**
 * Parses freqtrade's JSON candle files, an array of rows with epoch ms first:
 * ```
 * [[1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108],...]
 * ```
 * `line` holds the 1-based row index, since JSON rows are not lines.
 */
export function parseFreqtradeJson(text: string, source: string): RawCandles {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (err) {
    throw invalidInput(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(rows))
    throw invalidInput(`${source}: expected a JSON array of [ts,open,high,low,close,volume] rows`);
  const out = alloc(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (!Array.isArray(r) || r.length < 6) {
      throw invalidInput(
        `${source}: row ${i + 1}: expected [ts,open,high,low,close,volume], got ${JSON.stringify(r)?.slice(0, 60)}`,
      );
    }
    for (let k = 0; k < 6; k++) {
      const raw: unknown = r[k];
      const v = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
      if (Number.isNaN(v))
        throw invalidInput(`${source}: row ${i + 1}: bad ${FIELD[k]}: ${JSON.stringify(raw)}`);
      columnsOf(out)[k]![i] = k === 0 && v > 1e14 ? Math.floor(v / 1000) : v;
    }
    out.line[i] = i + 1;
  }
  return out;
}
