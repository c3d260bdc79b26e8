/**
 * The entry of the API's job thread (registered in adapters/workers/kernels.ts as "http.job", so
 * the build bundles it and worker-entry.mjs loads it). It stays tiny: the operations table and the
 * container load on the first job (./job-thread.ts), never in the sweep and gbdt threads that load
 * every kernel module at start.
 */
import type { JobTask } from "./job-thread.ts";

/** Runs one job of the operations table on this thread (see ./job-host.ts for the other side) */
export async function httpJobKernel(task: JobTask): Promise<unknown> {
  const { runJobTask } = await import("./job-thread.ts");
  return runJobTask(task);
}
