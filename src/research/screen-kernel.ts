import type { CandleSeries } from "../domain/candle-series.ts";
import type { MonteCarloResult } from "./monte-carlo.ts";
import { evaluateLocally, monteCarloLocally } from "./screen.ts";
import { prepareScreenData, type ScreenData } from "./screen-data.ts";
import {
  allocScratch,
  type EvalScratch,
  type ScreenLayout,
  screenLayout,
  type VariantSpec,
  type VariantStats,
} from "./screen-evaluate.ts";
import type { ValidationConfig } from "./validation-config.ts";

/** Name of the worker kernel that evaluates screen variants (registered in the workers adapter) */
export const SCREEN_KERNEL = "screen.evaluate";

/** Sent once per run to each thread: the run's series and settings */
export interface ScreenShared {
  series: readonly CandleSeries[];
  reference?: CandleSeries;
  config: ValidationConfig;
  /** validationSeed(run seed): seeds each variant's random-entry draws */
  seed: number;
}

export interface ScreenTask {
  specs: readonly VariantSpec[];
  /** "evaluate" (default): VariantStats per spec; "monte-carlo": MonteCarloResult per spec */
  kind?: "evaluate" | "monte-carlo";
}

// each thread prepares a run's data once, keyed by the shared object it received for that run
const prepared = new WeakMap<
  ScreenShared,
  { data: ScreenData; layout: ScreenLayout; scratch: EvalScratch }
>();

/** Worker side: the same evaluation as the calling thread, so results do not depend on the thread count */
export function screenEvaluateKernel(
  task: ScreenTask,
  shared: ScreenShared,
): VariantStats[] | MonteCarloResult[] {
  let p = prepared.get(shared);
  if (p === undefined) {
    const data = prepareScreenData(shared.series, shared.reference);
    const layout = screenLayout(data.clock.length, shared.config);
    p = { data, layout, scratch: allocScratch(layout.n) };
    prepared.set(shared, p);
  }
  if (task.kind === "monte-carlo")
    return monteCarloLocally(p.data, p.layout, shared.config, task.specs, p.scratch, shared.seed);
  return evaluateLocally(p.data, p.layout, shared.config, task.specs, p.scratch, shared.seed);
}
