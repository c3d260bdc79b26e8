import { invalidInput } from "../errors.ts";
import type { RawCandles } from "./parse-candles.ts";

/** A run of missing candles: `from` is the first missing open time, `count` how many are missing */
export interface Gap {
  from: number;
  to: number;
  count: number;
}

/** The range of a JavaScript Date: a stored timestamp outside it breaks every reader (RangeError) */
export const MAX_DATE_MS = 8.64e15;

const iso = (ts: number): string =>
  Number.isFinite(ts) && Math.abs(ts) <= MAX_DATE_MS ? new Date(ts).toISOString() : String(ts);

/**
 * Checks every row (finite numbers, low <= open/close <= high, volume >= 0, strictly increasing
 * timestamps aligned to the timeframe) and throws INVALID_INPUT naming `source`, the line and the
 * problem on the first bad row, so a bad file is rejected whole.
 */
export function validateCandles(r: RawCandles, tfMs: number, source: string): void {
  const n = r.ts.length;
  const { ts, open, high, low, close, volume, line } = r;
  const off = alignOffset(tfMs);
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    // one cheap combined test first; the slow path below finds the exact problem to name
    if (
      t >= -MAX_DATE_MS &&
      t <= MAX_DATE_MS &&
      o - o + h - h + l - l + c - c + v - v === 0 &&
      l <= o &&
      l <= c &&
      o <= h &&
      c <= h &&
      v >= 0 &&
      // a row one step after an aligned row is aligned and increasing: skips the slow float modulo
      ((i > 0 && t - ts[i - 1]! === tfMs) || ((t - off) % tfMs === 0 && (i === 0 || t > ts[i - 1]!)))
    ) {
      continue;
    }
    const where = `${source}:${line[i]}`;
    if (!Number.isFinite(t)) throw invalidInput(`${where}: timestamp is not a finite number`);
    if (Math.abs(t) > MAX_DATE_MS)
      throw invalidInput(`${where}: timestamp ${t} is beyond the dates JavaScript can represent`);
    const bad = (["open", "high", "low", "close", "volume"] as const).find(
      (_, k) => !Number.isFinite([o, h, l, c, v][k]!),
    );
    if (bad !== undefined) throw invalidInput(`${where}: ${bad} is not a finite number`);
    if (v < 0) throw invalidInput(`${where}: volume ${v} is negative`);
    if (!(l <= o && l <= c)) throw invalidInput(`${where}: low ${l} is above open ${o} or close ${c}`);
    if (!(o <= h && c <= h)) throw invalidInput(`${where}: high ${h} is below open ${o} or close ${c}`);
    if ((t - off) % tfMs !== 0) {
      throw invalidInput(
        `${where}: timestamp ${iso(t)} is not aligned to the ${tfMs / 60_000}-minute timeframe (wrong --timeframe?)`,
      );
    }
    const prev = ts[i - 1]!;
    if (t === prev) throw invalidInput(`${where}: duplicate timestamp ${iso(t)}`);
    throw invalidInput(
      `${where}: timestamp ${iso(t)} is before the previous row's ${iso(prev)} (rows must be sorted)`,
    );
  }
}

/**
 * Which rows a repair keeps: each row that validateCandles would accept on its own (finite, in the
 * date range, low <= open/close <= high, volume >= 0, aligned) and that comes strictly after the
 * last kept row. 1 = keep, 0 = drop.
 */
export function keepMask(r: Omit<RawCandles, "line">, tfMs: number): Uint8Array {
  const n = r.ts.length;
  const keep = new Uint8Array(n);
  const off = alignOffset(tfMs);
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = r.ts[i]!;
    const o = r.open[i]!;
    const h = r.high[i]!;
    const l = r.low[i]!;
    const c = r.close[i]!;
    const v = r.volume[i]!;
    const ok =
      t >= -MAX_DATE_MS &&
      t <= MAX_DATE_MS &&
      [o, h, l, c, v].every(Number.isFinite) &&
      l <= o &&
      l <= c &&
      o <= h &&
      c <= h &&
      v >= 0 &&
      (t - off) % tfMs === 0 &&
      t > last;
    if (ok) {
      keep[i] = 1;
      last = t;
    }
  }
  return keep;
}

// weekly candles open on Mondays (1970-01-05), not on the epoch's Thursday
export const alignOffset = (tfMs: number): number => (tfMs === 604_800_000 ? 345_600_000 : 0);

/** Gaps in a sorted, aligned timestamp column: reported, never filled */
export function findGaps(ts: Float64Array, tfMs: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d > tfMs) gaps.push({ from: ts[i - 1]! + tfMs, to: ts[i]!, count: d / tfMs - 1 });
  }
  return gaps;
}
