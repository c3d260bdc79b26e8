import type { CandleSeries } from "../domain/candle-series.ts";
import { parseTimeframe } from "../domain/timeframe.ts";
import type { ReportData } from "../explain/report/types.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { DataFiles } from "../ports/data-files.ts";
import { runScreen } from "../research/screen.ts";
import { UNIVERSES } from "../research/screen-catalog.ts";
import { defaultValidationConfig } from "../research/validation-config.ts";
import { writeReport } from "./write-report.ts";

export interface StrategistDemoDeps {
  store: CandleStore;
  files: Pick<DataFiles, "writeTextAtomic">;
  chartLibrary: () => string;
  clock: Clock;
}

/** One universe the demo screens */
export interface DemoUniverse {
  universe: string;
  timeframe: string;
  variants: number;
}

export interface StrategistDemoInput {
  exchange: string;
  universes: readonly DemoUniverse[];
  seed: number;
  /** folder the reports are written to */
  reportDir: string;
}

export interface StrategistDemoPart {
  universe: string;
  timeframe: string;
  reportPath: string;
  seconds: number;
  report: ReportData;
}

/**
 * The strategist half of the demo: screen each universe with the full default validation, build
 * the ensemble from the run, explain each symbol's latest closed bar, and write one report each.
 */
export async function runStrategistDemo(
  deps: StrategistDemoDeps,
  x: StrategistDemoInput,
  onStep: (line: string) => void = () => {},
  onProgress?: (label: string, done: number, total: number) => void,
): Promise<StrategistDemoPart[]> {
  const parts: StrategistDemoPart[] = [];
  for (const u of x.universes) {
    const t0 = deps.clock.now();
    const tf = parseTimeframe(u.timeframe);
    const symbols = UNIVERSES[u.universe] ?? [];
    const read = (symbol: string): CandleSeries =>
      deps.store.read({ exchange: x.exchange, symbol, timeframe: tf });
    const series = symbols.map(read);
    const reference = read("BTC/USDT");
    const label = `${u.universe} ${u.timeframe}`;
    onStep(
      `screening ${label}: ${u.variants} variants over ${series.length} symbols with walk-forward, CPCV, deflated Sharpe, PBO and Monte Carlo`,
    );
    const run = await runScreen({
      series,
      reference,
      variants: u.variants,
      seed: x.seed,
      search: "auto",
      config: defaultValidationConfig(),
      onProgress: (done, total) => onProgress?.(label, done, total),
    });
    onStep(`${label}: ${run.headline}`);
    const path = `${x.reportDir}/kairos-${u.universe}-${u.timeframe}.html`;
    const created = new Date(deps.clock.now()).toISOString().slice(0, 16).replace("T", " ");
    const { data } = writeReport(
      { files: deps.files, chartLibrary: deps.chartLibrary },
      {
        runId: `demo-${u.universe}-${u.timeframe}`,
        createdAt: `${created} UTC`,
        exchange: x.exchange,
        run,
        series,
        reference,
        path,
      },
    );
    const seconds = (deps.clock.now() - t0) / 1000;
    onStep(
      `${label}: ensemble built, ${data.explanations.length} signals explained, report written in ${seconds.toFixed(1)} s`,
    );
    parts.push({ universe: u.universe, timeframe: u.timeframe, reportPath: path, seconds, report: data });
  }
  return parts;
}
