// Long work (screens, paper sessions) runs as an API job: started with 202, followed at /v1/jobs/get
import { type Api, ApiError } from "./api.ts";

export interface Job {
  id: string;
  kind: string;
  state: "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";
  progress: { task: string; done: number; total: number; unit?: string; note?: string } | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

const FINAL = new Set(["done", "failed", "cancelled", "interrupted"]);
/** How often a running job is asked for its progress */
const POLL_MS = 400;

/** Starts a job and follows it until it ends; resolves with its result, rejects with its error */
export async function runJob<T>(
  api: Api,
  op: string,
  input: unknown,
  onProgress: (j: Job) => void,
  signal?: AbortSignal,
): Promise<T> {
  let job = await api.op<Job>(op, input);
  onProgress(job);
  while (!FINAL.has(job.state)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (signal?.aborted === true) throw new ApiError(499, "CANCELLED", "left the page; the job goes on");
    job = await api.op<Job>("jobs_get", { id: job.id });
    onProgress(job);
  }
  if (job.state !== "done")
    throw new ApiError(
      500,
      job.error?.code ?? "INTERNAL",
      job.error?.message ?? `the job ended ${job.state}`,
    );
  return job.result as T;
}

/** "screen 40 / 100 variants" */
export function progressText(j: Job): string {
  const p = j.progress;
  if (p === null) return j.state;
  const of = p.total > 0 ? `${p.done} / ${p.total}${p.unit === undefined ? "" : ` ${p.unit}`}` : "";
  return `${j.state}: ${p.task} ${of}${p.note === undefined ? "" : ` (${p.note})`}`.trim();
}
