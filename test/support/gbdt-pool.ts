// The worker_threads WorkerPool with the gbdt histogram kernel registered, for the bench and tests
import { ThreadWorkerPool } from "../../src/adapters/workers/thread-worker-pool.ts";
import { HISTOGRAM_KERNEL } from "../../src/forecasting/gbdt/parallel.ts";
import type { WorkerPool } from "../../src/ports/worker-pool.ts";

export async function createGbdtPool(threads: number): Promise<WorkerPool> {
  return ThreadWorkerPool.create({
    threads,
    kernels: {
      [HISTOGRAM_KERNEL]: {
        module: new URL("../../src/forecasting/gbdt/parallel.ts", import.meta.url).href,
        export: "histogramKernel",
      },
    },
  });
}
