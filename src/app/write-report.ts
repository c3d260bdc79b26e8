import { z } from "zod";
import { type CandleSeries, sliceSeriesByTime } from "../domain/candle-series.ts";
import { reportDataFromRun } from "../explain/report/from-run.ts";
import { renderReportHtml } from "../explain/report/render-report.ts";
import type { ReportData } from "../explain/report/types.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { DataFiles } from "../ports/data-files.ts";
import { type EnsembleConfigInput, WEIGHTING_SCHEMES } from "../research/ensemble/types.ts";
import type { ScreenRun } from "../research/screen.ts";
import type { ScreenRunStore } from "../research/screen-run-store.ts";
import { buildEnsembleFromRun, type EnsembleFromRunResult } from "./build-ensemble.ts";
import { exchangeField, idField, parseInput } from "./contract.ts";
import { loadScreenSeries, showScreenRun } from "./run-screen.ts";

export interface WriteReportDeps {
  files: Pick<DataFiles, "writeTextAtomic">;
  /** the lightweight-charts standalone build, inlined so the report opens offline */
  chartLibrary: () => string;
}

export interface WriteReportInput {
  runId: string;
  /** when the run was made, as printed in the report */
  createdAt: string;
  exchange: string;
  run: ScreenRun;
  /** the series the run screened */
  series: readonly CandleSeries[];
  reference?: CandleSeries;
  /** where the HTML goes */
  path: string;
  ensemble?: EnsembleConfigInput;
  /** when the report is written (epoch ms): the signals say how old their bar is */
  now?: number;
}

export interface WriteReportResult {
  path: string;
  data: ReportData;
  built: EnsembleFromRunResult;
}

/**
 * Builds the ensemble of a screen run, explains each symbol's latest bar, and writes the
 * self-contained strategist report (one HTML file that opens offline) atomically.
 */
export function writeReport(deps: WriteReportDeps, x: WriteReportInput): WriteReportResult {
  const built = buildEnsembleFromRun({
    run: x.run,
    series: x.series,
    ...(x.reference === undefined ? {} : { reference: x.reference }),
    ...(x.ensemble === undefined ? {} : { config: x.ensemble }),
  });
  const data = reportDataFromRun({
    runId: x.runId,
    createdAt: x.createdAt,
    exchange: x.exchange,
    run: x.run,
    ensembleInput: built.input,
    ensemble: built.ensemble,
    explanations: built.explanations,
    notes: built.notes,
    alternatives: built.alternatives,
    topCurves: built.topCurves,
    ...(x.now === undefined ? {} : { now: x.now }),
  });
  deps.files.writeTextAtomic(x.path, renderReportHtml(data, deps.chartLibrary()));
  return { path: x.path, data, built };
}

export interface RunReportDeps extends WriteReportDeps {
  store: CandleStore;
  runs: ScreenRunStore;
  /** the report says how old the latest bar is at this clock's now */
  clock?: Clock;
}

/** Which stored run to report, where to write it, and how to weight its ensemble */
export const RunReportInput = z.object({
  id: idField(),
  path: z.string().min(1),
  exchange: exchangeField().optional(),
  ensemble: z
    .object({ scheme: z.enum(WEIGHTING_SCHEMES).optional() })
    .passthrough()
    .transform((e) => e as EnsembleConfigInput)
    .optional(),
});
export type RunReportInput = z.input<typeof RunReportInput>;

/**
 * `kairos report <run>`: reopens a stored screen run, reloads its series from the store (cut to the
 * run's own clock, so later candles do not shift it), and writes the strategist report.
 */
export function writeRunReport(deps: RunReportDeps, raw: RunReportInput): WriteReportResult & { id: string } {
  const x = parseInput(RunReportInput, raw);
  const { info, run } = showScreenRun(deps.runs, x.id);
  const loaded = loadScreenSeries(deps.store, {
    symbols: run.symbols,
    timeframe: run.timeframe,
    ...(x.exchange === undefined ? {} : { exchange: x.exchange }),
  });
  const cut = (s: CandleSeries): CandleSeries => sliceSeriesByTime(s, run.clock.from, run.clock.to);
  const series = loaded.series.map(cut);
  const out = writeReport(deps, {
    runId: info.id,
    createdAt: `${new Date(info.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC`,
    exchange: series[0]?.exchange ?? "",
    run,
    series,
    ...(loaded.reference === undefined ? {} : { reference: cut(loaded.reference) }),
    path: x.path,
    ...(x.ensemble === undefined ? {} : { ensemble: x.ensemble }),
    ...(deps.clock === undefined ? {} : { now: deps.clock.now() }),
  });
  return { ...out, id: info.id };
}
