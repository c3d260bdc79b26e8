import type { CandleStore } from "../ports/candle-store.ts";
import type { DataFiles } from "../ports/data-files.ts";
import type { FundingStore } from "../ports/funding-store.ts";
import { type ImportReport, importCandles } from "./import-candles.ts";
import { listSeries, type SeriesSummary } from "./list-series.ts";

export interface DemoDeps {
  store: CandleStore;
  files: DataFiles;
  funding?: FundingStore;
}

export interface DemoInput {
  home: string;
  /** the bundled data folder */
  dataDir: string;
}

/** What the demo did, step by step; later steps (indicators, research, signals) add their own fields */
export interface DemoReport {
  home: string;
  imported: ImportReport;
  series: SeriesSummary[];
  /** one line per step, for the human rendering */
  steps: string[];
}

/**
 * The main job on bundled data: for now it imports data/ into the home and reports what it holds
 * (symbols, ranges, gaps). Each step appends to `steps` so later features extend it in place.
 */
export function runDemo(
  deps: DemoDeps,
  input: DemoInput,
  onStep: (line: string) => void = () => {},
): DemoReport {
  const steps: string[] = [];
  const step = (line: string): void => {
    steps.push(line);
    onStep(line);
  };
  const imported = importCandles({ store: deps.store, files: deps.files }, { path: input.dataDir });
  const sum = (k: "rows" | "inserted" | "unchanged" | "replaced"): number =>
    imported.files.reduce((a, f) => a + f[k], 0);
  const n = (x: number): string => x.toLocaleString("en-US");
  // a re-run into a kept home stores nothing new, and says so rather than counting the file rows
  const inserted = sum("inserted");
  const unchanged = sum("unchanged");
  step(
    `imported ${imported.files.length} bundled files (${n(sum("rows"))} candles) into ${input.home}: ${n(inserted)} new candle${inserted === 1 ? "" : "s"}${unchanged > 0 ? `, ${n(unchanged)} already stored` : ""}`,
  );
  const { series } = listSeries({ store: deps.store });
  const symbols = [...new Set(series.map((s) => s.symbol))];
  step(`the store holds ${series.length} series for ${symbols.length} symbols: ${symbols.join(", ")}`);
  return { home: input.home, imported, series, steps };
}
