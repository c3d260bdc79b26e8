import { Worker } from "node:worker_threads";
import { AppError, ERROR_CODES, type ErrorCode } from "../../errors.ts";
import type { WorkerPool, WorkerRunOptions } from "../../ports/worker-pool.ts";

/** Where a kernel lives: a module URL (file://...) and the name of the exported function */
export interface KernelRef {
  module: string;
  export: string;
}

interface ResultMsg {
  type: "result";
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string; stack?: string; code?: string; details?: Record<string, unknown> };
}

interface Slot {
  worker: Worker;
  busy: boolean;
  onMessage?: (m: ResultMsg) => void;
  onError?: (e: Error) => void;
}

const ENTRY = new URL("./worker-entry.mjs", import.meta.url);

/**
 * WorkerPool over node:worker_threads. Each thread loads the registered kernels once (TypeScript
 * through tsx, so it works under the CLI, vitest and benches alike). Tasks are handed out one at a
 * time to whichever thread is free (dynamic balancing); results are stored by task index, so
 * their order never depends on the thread count or timing. Runs are serialised.
 */
export class ThreadWorkerPool implements WorkerPool {
  private nextRun = 1;
  /** the `shared` value the threads hold, kept across runs that pass the same object (sent once) */
  private held: { value: unknown; id: number } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly slots: Slot[],
    readonly threads: number,
  ) {}

  /** Starts `threads` worker threads and waits until each has loaded the kernels */
  static async create(opts: {
    threads: number;
    kernels: Readonly<Record<string, KernelRef>>;
  }): Promise<ThreadWorkerPool> {
    const threads = Math.floor(opts.threads);
    if (!(threads >= 1 && threads <= 256))
      throw new AppError("INVALID_INPUT", `--threads ${opts.threads}: use a whole number from 1 to 256`);
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < threads; i++) {
        const worker = new Worker(ENTRY, { workerData: { kernels: opts.kernels }, execArgv: [] });
        slots.push({ worker, busy: false });
      }
      await Promise.all(
        slots.map(
          (s) =>
            new Promise<void>((resolve, reject) => {
              const onMsg = (m: { type: string }): void => {
                if (m.type === "ready") {
                  s.worker.off("error", reject);
                  resolve();
                }
              };
              s.worker.once("message", onMsg);
              s.worker.once("error", reject);
            }),
        ),
      );
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new AppError("INTERNAL", `worker threads failed to start: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new ThreadWorkerPool(slots, threads);
  }

  run<TIn, TOut, TShared = undefined>(
    kernel: string,
    tasks: readonly TIn[],
    options: WorkerRunOptions<TShared> = {},
  ): Promise<TOut[]> {
    const job = this.queue.then(() => this.runNow<TIn, TOut, TShared>(kernel, tasks, options));
    // a failed run must not block the next one
    this.queue = job.catch(() => undefined);
    return job;
  }

  private runNow<TIn, TOut, TShared>(
    kernel: string,
    tasks: readonly TIn[],
    options: WorkerRunOptions<TShared>,
  ): Promise<TOut[]> {
    if (this.closed) return Promise.reject(new AppError("INTERNAL", "worker pool used after close()"));
    const run = this.nextRun++;
    const results = new Array<TOut>(tasks.length);
    if (tasks.length === 0) return Promise.resolve(results);
    // a run passing the same shared object as the previous one reuses what the threads hold: no
    // second structured clone (~3 ms of serial posting for a sweep's arrays and grid) and the
    // kernels' per-shared state (a sweep's plan) carries over from one phase to the next
    if (this.held === undefined || this.held.value !== options.shared) {
      if (this.held !== undefined)
        for (const s of this.slots) s.worker.postMessage({ type: "drop", sid: this.held.id });
      this.held = { value: options.shared, id: run };
      for (const s of this.slots) s.worker.postMessage({ type: "shared", sid: run, value: options.shared });
    }
    const sid = this.held.id;
    return new Promise<TOut[]>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const cleanup = (): void => {
        for (const s of this.slots) {
          s.worker.off("message", s.onMessage!);
          s.worker.off("error", s.onError!);
          s.busy = false;
        }
      };
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        cleanup();
        reject(err);
      };
      const feed = (s: Slot): void => {
        if (failed || next >= tasks.length) return;
        const id = next++;
        s.busy = true;
        s.worker.postMessage({ type: "task", sid, id, kernel, input: tasks[id] });
      };
      for (const s of this.slots) {
        s.onMessage = (m: ResultMsg): void => {
          if (m.type !== "result" || failed) return;
          s.busy = false;
          if (!m.ok) {
            fail(toError(kernel, m.error));
            return;
          }
          results[m.id] = m.value as TOut;
          done++;
          options.onProgress?.(done, tasks.length);
          if (done === tasks.length) {
            cleanup();
            resolve(results);
          } else feed(s);
        };
        s.onError = (e: Error): void =>
          fail(new AppError("INTERNAL", `worker thread crashed: ${e.message}`, { cause: e }));
        s.worker.on("message", s.onMessage);
        s.worker.on("error", s.onError);
        feed(s);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function toError(kernel: string, e: ResultMsg["error"]): Error {
  const code = (ERROR_CODES as readonly string[]).includes(e?.code ?? "")
    ? (e!.code as ErrorCode)
    : undefined;
  if (code !== undefined) return new AppError(code, e!.message, { details: e!.details ?? {} });
  const err = new AppError("INTERNAL", `worker kernel ${kernel} failed: ${e?.message ?? "unknown error"}`);
  if (e?.stack !== undefined) err.stack = e.stack;
  return err;
}
