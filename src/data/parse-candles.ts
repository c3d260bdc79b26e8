import { invalidInput } from "../errors.ts";
import { parseDecimal, parseTimestamp } from "./parse-number.ts";

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
  return {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    line: new Uint32Array(n),
  };
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
  let pos = 0;
  let headerSeen = false;
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
        if (maxCol >= starts.length)
          throw invalidInput(`${source}:${lineNo}: too many columns in the header`);
        continue;
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
