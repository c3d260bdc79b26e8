import type { CandleSeries } from "../domain/candle-series.ts";
import { reportDataFromRun } from "../explain/report/from-run.ts";
import { renderReportHtml } from "../explain/report/render-report.ts";
import type { ReportData } from "../explain/report/types.ts";
import type { DataFiles } from "../ports/data-files.ts";
import type { EnsembleConfigInput } from "../research/ensemble/types.ts";
import type { ScreenRun } from "../research/screen.ts";
import { buildEnsembleFromRun, type EnsembleFromRunResult } from "./build-ensemble.ts";

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
  });
  deps.files.writeTextAtomic(x.path, renderReportHtml(data, deps.chartLibrary()));
  return { path: x.path, data, built };
}
