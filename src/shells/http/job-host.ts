/**
 * Runs the API's jobs off the server's event loop: each on a worker thread (one thread per running
 * job, kept for the next one), so a screen, sweep, training or paper replay never stalls health
 * checks, reads and the streams. The thread is the workers' own entry (adapters/workers/
 * worker-entry.mjs) loading ./job-kernel.ts; progress comes back as messages. Cancel sets a shared
 * flag the job reads at its next progress report and, if the job has not stopped `graceMs` later
 * (work that reports no progress, or a long stretch between reports), terminates the thread:
 * cancel always stops the work. SQLite rolls back whatever transaction a terminated thread held.
 */
import { Worker } from "node:worker_threads";
import type { Principal } from "../../app/auth-service.ts";
import type { JobContext } from "../../app/job-service.ts";
import { AppError, ERROR_CODES, type ErrorCode } from "../../errors.ts";
import { JOB_CANCELLED, JOB_COMMITTED, JOB_RUNNING } from "./job-flag.ts";
import type { JobProgressMessage, JobTask } from "./job-thread.ts";

// from the sources (tsx, vitest) the modules are .ts; from the build the same paths under dist/ are .js
// (adapters/workers/kernels.ts registers job-kernel as "http.job" so scripts/build.mjs bundles it)
const fromSource = import.meta.url.endsWith(".ts");
const ENTRY = new URL("../../adapters/workers/worker-entry.mjs", import.meta.url);
const KERNEL = {
  module: new URL(fromSource ? "./job-kernel.ts" : "./job-kernel.js", import.meta.url).href,
  export: "httpJobKernel",
};

interface ResultMessage {
  type: "result";
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name?: string; message?: string; code?: string; details?: Record<string, unknown> };
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  dead: boolean;
}

let taskSeq = 0;
let callSeq = 0;

/** Offloaded calls computing at once; threads beyond jobs' own would only share the same 2 CPUs */
const MAX_CALLS = 2;

export class JobHost {
  private idle: Thread[] = [];
  private readonly busy = new Set<Thread>();
  private closed = false;
  private calling = 0;
  /** offloaded calls answered so far */
  private calls = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly home: string,
    private readonly opts: { graceMs?: number; log?: (e: unknown) => void } = {},
  ) {}

  /** Threads running a job now, and idle ones kept for the next (for tests and the bench) */
  get stats(): { busy: number; idle: number; calls: number } {
    return { busy: this.busy.size, idle: this.idle.length, calls: this.calls };
  }

  private spawn(): Thread {
    const worker = new Worker(ENTRY, { workerData: { kernels: { "http.job": KERNEL } }, execArgv: [] });
    // an idle thread never keeps the process alive (tests that build the router without a server)
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type?: string }): void => {
        if (m.type !== "ready") return;
        worker.off("message", onMsg);
        worker.off("error", reject);
        resolve();
      };
      worker.on("message", onMsg);
      worker.once("error", reject);
    });
    // a failed start is reported by the job that waits for it
    ready.catch(() => undefined);
    const t: Thread = { worker, ready, dead: false };
    worker.once("exit", () => {
      t.dead = true;
    });
    return t;
  }

  /** Runs operation `op` of the table with `raw` input on a thread; resolves to its result */
  async run(
    o: { op: string; id: string; raw: unknown; principal: Principal; storeProgress?: boolean },
    j: JobContext,
  ): Promise<unknown> {
    if (this.closed) throw new AppError("CONFLICT", "the server is stopping");
    const t = this.idle.pop() ?? this.spawn();
    this.busy.add(t);
    let done = false;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let onMessage: ((m: ResultMessage | JobProgressMessage) => void) | undefined;
    let onError: ((e: Error) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    try {
      t.worker.ref();
      await t.ready;
      const tid = ++taskSeq;
      return await new Promise<unknown>((resolve, reject) => {
        const finish = (f: () => void): void => {
          if (done) return;
          done = true;
          f();
        };
        onAbort = () => {
          // the job began storing its result first: too late to cancel, it ends with that result
          if (Atomics.compareExchange(flag, 0, JOB_RUNNING, JOB_CANCELLED) === JOB_COMMITTED) return;
          // from here the job can store nothing, so ending its thread loses no stored result
          t.worker.postMessage({ type: "job-cancel", id: o.id });
          timer = setTimeout(() => {
            // it did not stop by itself: the thread goes, and the work with it
            finish(() => reject(new AppError("CANCELLED", `job ${o.id} was cancelled`)));
            void t.worker.terminate();
          }, this.opts.graceMs ?? 1000);
        };
        if (j.signal.aborted) onAbort();
        else j.signal.addEventListener("abort", onAbort, { once: true });
        onMessage = (m) => {
          if (m.type === "job-progress") {
            if (m.id === o.id && !done) {
              try {
                j.onProgress(m.event);
              } catch {
                // onProgress throws once the job is cancelled; the thread learns it from the flag
              }
            }
            return;
          }
          if (m.type !== "result" || m.id !== tid) return;
          finish(() => (m.ok ? resolve(m.value) : reject(errorOf(m.error))));
        };
        onError = (e) =>
          finish(() => reject(new AppError("INTERNAL", `the job's thread failed: ${e.message}`)));
        onExit = (code) =>
          finish(() => reject(new AppError("INTERNAL", `the job's thread stopped (exit ${code})`)));
        t.worker.on("message", onMessage);
        t.worker.on("error", onError);
        t.worker.on("exit", onExit);
        const task: JobTask = {
          op: o.op,
          id: o.id,
          home: this.home,
          raw: o.raw,
          principal: o.principal,
          storeProgress: o.storeProgress ?? false,
          cancel: flag.buffer as SharedArrayBuffer,
        };
        t.worker.postMessage({ type: "task", sid: 0, id: tid, kernel: "http.job", input: task });
      });
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) j.signal.removeEventListener("abort", onAbort);
      if (onMessage !== undefined) t.worker.off("message", onMessage);
      if (onError !== undefined) t.worker.off("error", onError);
      if (onExit !== undefined) t.worker.off("exit", onExit);
      this.busy.delete(t);
      // a thread that was cancelled, failed or is being closed is not reused
      if (!this.closed && Atomics.load(flag, 0) !== JOB_CANCELLED && !t.dead) {
        t.worker.unref();
        this.idle.push(t);
      } else void t.worker.terminate();
    }
  }

  /**
   * Runs an `offload` operation on a thread and resolves to its result, for a reply given at once;
   * at most MAX_CALLS at a time (the rest wait their turn), so a burst cannot start a thread each
   */
  async call(o: { op: string; raw: unknown; principal: Principal }): Promise<unknown> {
    if (this.calling >= MAX_CALLS) await new Promise<void>((r) => this.waiting.push(r));
    else this.calling++;
    try {
      const ctl = new AbortController();
      const id = `call-${++callSeq}`;
      this.calls++;
      return await this.run({ ...o, id }, { id, signal: ctl.signal, onProgress: () => {} });
    } finally {
      // the turn passes straight to the next caller, or the count drops
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.calling--;
    }
  }

  /** Stops every thread (running jobs were given their chance by JobService.close) */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle = [];
    await Promise.all(all.map((t) => t.worker.terminate()));
  }
}

/** The thread's error as the caller's: coded errors keep code, message and details */
function errorOf(e: ResultMessage["error"]): Error {
  const code = (ERROR_CODES as readonly string[]).includes(e?.code ?? "")
    ? (e!.code as ErrorCode)
    : undefined;
  if (code !== undefined) return new AppError(code, e?.message ?? code, { details: e?.details ?? {} });
  // a foreign error's text may hold paths: JobService logs it and shows the client INTERNAL only
  return new Error(`job thread: ${e?.name ?? "Error"}: ${e?.message ?? "unknown error"}`);
}
