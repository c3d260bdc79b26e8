import type { KernelRef } from "./thread-worker-pool.ts";

// from the sources (tsx, vitest) the kernels are .ts files; from the build (scripts/build.mjs) the same
// paths under dist/ are .js
const fromSource = import.meta.url.endsWith(".ts");

const at = (path: string, name: string): KernelRef => ({
  module: new URL(fromSource ? path : path.replace(/\.ts$/, ".js"), import.meta.url).href,
  export: name,
});

/** Every pure kernel worker threads can run, by the name its caller passes to `WorkerPool.run` */
export const KERNELS: Readonly<Record<string, KernelRef>> = {
  "sweep.range": at("../../backtest/sweep/worker-kernel.ts", "sweepRangeKernel"),
  "sweep.wave": at("../../backtest/sweep/worker-kernel.ts", "sweepWaveKernel"),
  "sweep.prepare": at("../../backtest/sweep/worker-kernel.ts", "sweepPrepareKernel"),
  "gbdt.histogram": at("../../forecasting/gbdt/parallel.ts", "histogramKernel"),
  "screen.evaluate": at("../../research/screen-kernel.ts", "screenEvaluateKernel"),
  // not pure: delivers alerts (HTTP) on a thread of its own, off the trading loop (adapters/alerts)
  "alerts.deliver": at("../alerts/alert-kernel.ts", "deliverAlertKernel"),
  // not pure: the API's jobs on a thread of their own, off the server's event loop (shells/http/job-host.ts)
  "http.job": at("../../shells/http/job-kernel.ts", "httpJobKernel"),
};
