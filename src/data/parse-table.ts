import { invalidInput } from "../errors.ts";
import type { DataTable } from "../ports/data-files.ts";
import { excerpt } from "./excerpt.ts";
import { COLUMN_NAMES, FIELD, type RawCandles } from "./parse-candles.ts";
import { epochMs, epochProblem, MAX_EPOCH_MS, MIN_EPOCH_MS } from "./parse-number.ts";

/**
 * Candles from a columnar file's table (freqtrade's feather and parquet: `date` as a UTC
 * timestamp, then open/high/low/close/volume). A timestamp column is taken as epoch ms; a plain
 * integer one follows the epoch rules of the text formats (ms or µs; seconds and ns refused).
 * Nulls stay NaN, which validation names. `line` is the 1-based row.
 */
export function candlesFromTable(t: DataTable, source: string): RawCandles {
  const pick = (k: number) => {
    const c = t.columns.find((x) => COLUMN_NAMES[k]!.includes(x.name.toLowerCase()));
    if (c === undefined) {
      const found = [...t.columns.map((x) => x.name), ...t.otherColumns].join(", ");
      const other = t.otherColumns.find((x) => COLUMN_NAMES[k]!.includes(x.toLowerCase()));
      throw invalidInput(
        other !== undefined
          ? `${source}: column "${excerpt(other)}" is not numeric; ${FIELD[k]} must be a number column`
          : `${source}: no "${FIELD[k]}" column (found: ${excerpt(found, 80)}); expected date,open,high,low,close,volume`,
      );
    }
    return c;
  };
  const time = pick(0);
  const n = t.rows;
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = time.values[i]!;
    if (time.isTime) {
      if (!(x >= MIN_EPOCH_MS && x < MAX_EPOCH_MS)) {
        const when = Number.isNaN(x)
          ? "missing (null)"
          : `${new Date(Math.max(-8.64e15, Math.min(8.64e15, x))).toISOString()} is outside 1973-5138`;
        throw invalidInput(`${source}: row ${i + 1}: timestamp ${when}`);
      }
      ts[i] = x;
    } else {
      const ms = epochMs(x);
      if (Number.isNaN(ms))
        throw invalidInput(`${source}: row ${i + 1}: bad timestamp ${x} (${epochProblem(x)})`);
      ts[i] = ms;
    }
  }
  const [open, high, low, close, volume] = [1, 2, 3, 4, 5].map((k) => pick(k).values);
  return {
    ts,
    open: open!,
    high: high!,
    low: low!,
    close: close!,
    volume: volume!,
    line: Uint32Array.from({ length: n }, (_, i) => i + 1),
  };
}
