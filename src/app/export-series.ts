import { z } from "zod";
import type { CandleSeries } from "../domain/candle-series.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { DataFiles } from "../ports/data-files.ts";
import { parseInput, rangeRefinement } from "./contract.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

export type ExportFormat = "csv" | "json";

export const ExportSeriesInput = SeriesRefInput.extend({
  ...rangeShape,
  format: z.enum(["csv", "json"]).optional(),
  /** file to write (atomically); omitted: the text is returned for stdout */
  out: z.string().min(1).optional(),
}).superRefine(rangeRefinement);
export type ExportSeriesInput = z.input<typeof ExportSeriesInput>;

/** Our normalised CSV (the bundled format) or freqtrade JSON, so an export re-imports unchanged */
export function formatSeries(s: CandleSeries, format: ExportFormat): string {
  const n = s.ts.length;
  const parts: string[] = [];
  if (format === "csv") {
    parts.push("timestamp,open,high,low,close,volume\n");
    for (let i = 0; i < n; i++) {
      parts.push(
        `${new Date(s.ts[i]!).toISOString().replace(".000Z", "Z")},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}\n`,
      );
    }
    return parts.join("");
  }
  for (let i = 0; i < n; i++)
    parts.push(`[${s.ts[i]},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}]`);
  return `[${parts.join(",")}]\n`;
}

/** Writes a stored series (or [from, to) of it) as CSV or freqtrade JSON */
export function exportSeries(
  deps: { store: CandleStore; files: DataFiles },
  raw: ExportSeriesInput,
): { rows: number; text?: string; out?: string } {
  const input = parseInput(ExportSeriesInput, raw);
  const format: ExportFormat = input.format ?? (input.out?.endsWith(".json") ? "json" : "csv");
  const key = resolveSeries(deps.store, input);
  const s = deps.store.read(key, {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  });
  const text = formatSeries(s, format);
  if (input.out === undefined) return { rows: s.ts.length, text };
  deps.files.writeTextAtomic(input.out, text);
  return { rows: s.ts.length, out: input.out };
}
