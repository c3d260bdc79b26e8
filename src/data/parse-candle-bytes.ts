import { parseCandleCsv, type RawCandles } from "./parse-candles.ts";
import { daysFromCivil, daysInMonth, epochMs } from "./parse-number.ts";

// Exact powers of ten: m / 10^k is correctly rounded for m < 2^53 and k <= 22, so this equals Number()
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const LF = 10;
const CR = 13;
const COMMA = 44;

// where the last scan stopped: module state keeps the hot loop allocation-free
let at = 0;
let lastDayKey = -1;
let lastDayMs = 0;

function decimal(b: Uint8Array, i: number): number {
  let c = b[i]!;
  let neg = false;
  if (c === 45) {
    neg = true;
    c = b[++i]!;
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    digits++;
    c = b[++i]!;
  }
  if (c === 46) {
    c = b[++i]!;
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      scale++;
      c = b[++i]!;
    }
  }
  at = i;
  if (digits === 0 || m > 9007199254740991 || scale > 22) return Number.NaN;
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

function d2(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1000;
}

// 2024-01-01T00:00:00Z (or a space for T, or no Z) or integer epoch ms/µs; NaN otherwise
function timestamp(b: Uint8Array, i: number): number {
  if (b[i + 4] === 45) {
    if (b[i + 7] !== 45 || b[i + 13] !== 58 || b[i + 16] !== 58 || (b[i + 10] !== 84 && b[i + 10] !== 32)) {
      return Number.NaN;
    }
    const y = d2(b, i) * 100 + d2(b, i + 2);
    const mo = d2(b, i + 5);
    const d = d2(b, i + 8);
    const hh = d2(b, i + 11);
    const mi = d2(b, i + 14);
    const ss = d2(b, i + 17);
    if (
      !(
        y >= 0 &&
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
    at = b[i + 19] === 90 ? i + 20 : i + 19;
    // consecutive rows mostly share a day: skip the calendar arithmetic then
    const key = y * 10000 + mo * 100 + d;
    if (key !== lastDayKey) {
      // checked once per day met: 2024-02-30 is refused, not read as March 1st
      if (d > daysInMonth(y, mo)) return Number.NaN;
      lastDayKey = key;
      lastDayMs = daysFromCivil(y, mo, d) * 86_400_000;
    }
    return lastDayMs + hh * 3_600_000 + mi * 60_000 + ss * 1000;
  }
  return epochMs(decimal(b, i));
}

/**
 * The same result as `parseCandleCsv` on the decoded text, straight from the file's bytes: one
 * pass with no string per line. Rows in the common layout (timestamp,open,high,low,close,volume,
 * then anything) take the fast path; any other file (a reordered header, blank lines, quotes,
 * exponents, an error to name) is handed whole to the text parser, which gives the same answer.
 */
export function parseCandleCsvBytes(b: Uint8Array, source: string): RawCandles {
  const slow = (): RawCandles => parseCandleCsv(new TextDecoder().decode(b), source);
  let start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let lineNo = 1;
  const c0 = b[start];
  if (c0 === undefined) return slow();
  if (!(c0 >= 48 && c0 <= 57)) {
    // a header: only the standard one keeps the fast path
    const eol = b.indexOf(LF, start);
    const header = new TextDecoder()
      .decode(b.subarray(start, eol === -1 ? b.length : eol))
      .trim()
      .toLowerCase();
    if (
      !/^(timestamp|time|date|datetime|open_time|opentime|ts),open,high,low,close,(volume|vol)(,|$)/.test(
        header,
      )
    )
      return slow();
    if (eol === -1) return slow();
    start = eol + 1;
    lineNo = 2;
  }
  let rows = 0;
  for (let p = b.indexOf(LF, start); p !== -1; p = b.indexOf(LF, p + 1)) rows++;
  if (b[b.length - 1] !== LF) rows++;
  const out: RawCandles = {
    ts: new Float64Array(rows),
    open: new Float64Array(rows),
    high: new Float64Array(rows),
    low: new Float64Array(rows),
    close: new Float64Array(rows),
    volume: new Float64Array(rows),
    line: new Uint32Array(rows),
  };
  const len = b.length;
  let p = start;
  let n = 0;
  while (p < len) {
    const t = timestamp(b, p);
    if (Number.isNaN(t) || b[at] !== COMMA) return slow();
    const o = decimal(b, at + 1);
    if (Number.isNaN(o) || b[at] !== COMMA) return slow();
    const h = decimal(b, at + 1);
    if (Number.isNaN(h) || b[at] !== COMMA) return slow();
    const l = decimal(b, at + 1);
    if (Number.isNaN(l) || b[at] !== COMMA) return slow();
    const c = decimal(b, at + 1);
    if (Number.isNaN(c) || b[at] !== COMMA) return slow();
    const v = decimal(b, at + 1);
    if (Number.isNaN(v)) return slow();
    let e = at;
    if (b[e] === COMMA) {
      e = b.indexOf(LF, e);
      if (e === -1) e = len;
    } else if (b[e] === CR) e++;
    if (e < len && b[e] !== LF) return slow();
    out.ts[n] = t;
    out.open[n] = o;
    out.high[n] = h;
    out.low[n] = l;
    out.close[n] = c;
    out.volume[n] = v;
    out.line[n] = lineNo++;
    n++;
    p = e + 1;
  }
  if (n !== rows) return slow();
  return out;
}
