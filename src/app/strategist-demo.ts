import type { ReportData } from "../explain/report/types.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { DataFiles } from "../ports/data-files.ts";
import type { ScreenRunStore } from "../research/screen-run-store.ts";
import type { OnProgress } from "./progress.ts";
import { runScreenUseCase } from "./run-screen.ts";
import { writeRunReport } from "./write-report.ts";

export interface StrategistDemoDeps {
  store: CandleStore;
  runs: ScreenRunStore;
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
  runId: string;
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
  /** progress of each universe's screen, the task named "<universe> <timeframe>" */
  onProgress?: OnProgress,
): Promise<StrategistDemoPart[]> {
  const parts: StrategistDemoPart[] = [];
  for (const u of x.universes) {
    const t0 = deps.clock.now();
    const label = `${u.universe} ${u.timeframe}`;
    onStep(
      `screening ${label}: ${u.variants} variants with walk-forward, CPCV, deflated Sharpe, PBO and Monte Carlo`,
    );
    const { id, run } = await runScreenUseCase(
      {
        store: deps.store,
        runs: deps.runs,
        clock: deps.clock,
        ...(onProgress === undefined ? {} : { onProgress: (e) => onProgress({ ...e, task: label }) }),
      },
      {
        universe: u.universe,
        exchange: x.exchange,
        timeframe: u.timeframe,
        variants: u.variants,
        seed: x.seed,
      },
    );
    onStep(`${label}: ${run.headline} (stored as ${id})`);
    const path = `${x.reportDir}/kairos-${u.universe}-${u.timeframe}.html`;
    const { data } = writeRunReport(deps, { id, path, exchange: x.exchange });
    const seconds = (deps.clock.now() - t0) / 1000;
    onStep(
      `${label}: ensemble built, ${data.explanations.length} signals explained, report written (${seconds.toFixed(1)} s)`,
    );
    parts.push({
      universe: u.universe,
      timeframe: u.timeframe,
      runId: id,
      reportPath: path,
      seconds,
      report: data,
    });
  }
  return parts;
}
