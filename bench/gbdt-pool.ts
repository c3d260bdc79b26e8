// The WorkerPool the 2-thread bench uses; undefined until the worker_threads adapter exists
import type { WorkerPool } from "../src/ports/worker-pool.ts";

export async function createWorkerPoolForBench(_threads: number): Promise<WorkerPool | undefined> {
  return undefined;
}
