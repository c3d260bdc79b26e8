/**
 * Long work (screen, sweep, download, training, large backtests) as jobs with an id: the caller
 * gets the id at once, follows progress (the use case's own ProgressEvents), may cancel, and
 * reads the stored result later. Jobs run one at a time in start order, so a burst of requests
 * queues instead of taking both CPUs from the trading loop. The body is the caller's: `kairos serve`
 * runs it on a worker thread (shells/http/job-host.ts), never on the server's event loop. A job that was running when the
 * process ended is found 'interrupted' at the next start (its result never half-written).
 */
import { z } from "zod";
import { AppError, isAppError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import { parseInput } from "./contract.ts";
import type { OnProgress, ProgressEvent } from "./progress.ts";

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

export const FINAL_JOB_STATES: readonly JobState[] = ["done", "failed", "cancelled", "interrupted"];

export interface JobProgress {
  task: string;
  done: number;
  total: number;
  unit?: string;
  /** the last note (a retry, a resumed download) */
  note?: string;
}

export interface JobRecord {
  id: string;
  /** the operation that runs it, e.g. "sweep_start" */
  kind: string;
  state: JobState;
  /** who started it: the principal's kind and name */
  by: string;
  /** the input as validated by the use case's contract */
  input: unknown;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  progress: JobProgress | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

/** Where jobs are kept (SQLite in the home) */
export interface JobStore {
  insert(j: JobRecord): void;
  update(id: string, patch: Partial<Omit<JobRecord, "id" | "kind" | "by" | "input" | "createdAt">>): void;
  get(id: string): JobRecord | undefined;
  /** newest first, without results */
  list(limit: number): Omit<JobRecord, "result">[];
  /** queued or running jobs of an earlier process become 'interrupted'; returns how many */
  interruptUnfinished(at: number): number;
}

/** What a job's body gets: progress to report (throws CANCELLED once cancelled) and an abort signal */
export interface JobContext {
  /** the job's id */
  id: string;
  onProgress: OnProgress;
  signal: AbortSignal;
}

export type JobEvent =
  | {
      type: "job.state";
      id: string;
      kind: string;
      state: JobState;
      error?: { code: string; message: string };
    }
  | { type: "job.progress"; id: string; kind: string; progress: JobProgress };

export const JobIdInput = z
  .object({ id: z.string().regex(/^job-[a-z0-9]{12}$/, "a job id like job-0123456789ab") })
  .strict();
export type JobIdInput = z.input<typeof JobIdInput>;

export const JobListInput = z.object({}).strict();

/** How often a running job's progress is written to the store (events go out at most every 100 ms) */
export const JOB_PERSIST_EVERY_MS = 1000;
const PERSIST_EVERY_MS = JOB_PERSIST_EVERY_MS;
const EMIT_EVERY_MS = 100;

interface Running {
  ctl: AbortController;
  lastEmit: number;
  lastPersist: number;
  progress: JobProgress | null;
}

/** A job's progress after event `e`: a count replaces it, a note is added to the last count */
export const nextProgress = (prev: JobProgress | null, e: ProgressEvent): JobProgress =>
  e.kind === "progress"
    ? { task: e.task, done: e.done, total: e.total, ...(e.unit === undefined ? {} : { unit: e.unit }) }
    : { ...(prev ?? { task: e.task, done: 0, total: 0 }), note: e.message };

const cancelled = (id: string): AppError => new AppError("CANCELLED", `job ${id} was cancelled`);

const newJobId = (): string => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return `job-${Array.from(bytes, (b) => (b % 36).toString(36)).join("")}`;
};

export class JobService {
  private readonly running = new Map<string, Running>();
  private readonly queue: { id: string; body: (ctx: JobContext) => Promise<unknown> }[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly waiters = new Map<string, ((j: JobRecord) => void)[]>();
  private active = 0;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly clock: Clock,
    private readonly opts: {
      concurrency?: number;
      log?: (e: unknown) => void;
      /**
       * false: the body's side stores running progress itself (the HTTP face's job thread, whose
       * writes may wait for the database lock where waiting stalls nobody); the final progress is
       * stored here with the result either way
       */
      persistProgress?: boolean;
    } = {},
  ) {}

  /**
   * Marks the jobs an earlier server left queued or running as 'interrupted'. Only the process that
   * runs jobs calls it (`kairos serve`), never a reader such as `kairos mcp`.
   */
  recoverInterrupted(): number {
    return this.store.interruptUnfinished(this.clock.now());
  }

  /** Subscribes to state changes and (throttled) progress of every job */
  subscribe(f: (e: JobEvent) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private emit(e: JobEvent): void {
    for (const f of this.listeners) {
      try {
        f(e);
      } catch (err) {
        this.opts.log?.(err);
      }
    }
  }

  /** Queues `body` as a job of `kind`; returns its record at once (state 'queued') */
  start(kind: string, by: string, input: unknown, body: (ctx: JobContext) => Promise<unknown>): JobRecord {
    if (this.closed)
      throw new AppError("CONFLICT", "the server is stopping: start the job again after it restarts");
    const rec: JobRecord = {
      id: newJobId(),
      kind,
      state: "queued",
      by,
      input: input ?? null,
      createdAt: this.clock.now(),
      startedAt: null,
      endedAt: null,
      progress: null,
      result: null,
      error: null,
    };
    this.store.insert(rec);
    this.queue.push({ id: rec.id, body });
    this.emit({ type: "job.state", id: rec.id, kind, state: "queued" });
    // after the reply to the caller has been written
    setImmediate(() => this.pump());
    return rec;
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 1;
    while (this.active < limit && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const rec = this.store.get(next.id);
      if (rec === undefined || rec.state !== "queued") continue;
      this.active++;
      void this.run(rec, next.body).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async run(rec: JobRecord, body: (ctx: JobContext) => Promise<unknown>): Promise<void> {
    const r: Running = { ctl: new AbortController(), lastEmit: 0, lastPersist: 0, progress: null };
    this.running.set(rec.id, r);
    this.store.update(rec.id, { state: "running", startedAt: this.clock.now() });
    this.emit({ type: "job.state", id: rec.id, kind: rec.kind, state: "running" });
    const onProgress = (e: ProgressEvent): void => {
      // cooperative cancel: the use case stops at its next progress report
      if (r.ctl.signal.aborted) throw cancelled(rec.id);
      r.progress = nextProgress(r.progress, e);
      const now = this.clock.now();
      const last = e.kind === "progress" && e.done >= e.total;
      if (last || now - r.lastEmit >= EMIT_EVERY_MS) {
        r.lastEmit = now;
        this.emit({ type: "job.progress", id: rec.id, kind: rec.kind, progress: r.progress });
      }
      if (this.opts.persistProgress !== false && (last || now - r.lastPersist >= PERSIST_EVERY_MS)) {
        r.lastPersist = now;
        this.store.update(rec.id, { progress: r.progress });
      }
    };
    let state: JobState;
    let result: unknown = null;
    let error: { code: string; message: string } | null = null;
    try {
      // a body that returns finished its work, whatever cancel came meanwhile: what it stored (a
      // model, a screen run) is there, so the job is 'done' with its result; a cancel that won
      // ends the body with CANCELLED before it stores (shells/http/job-thread.ts)
      result = await body({ id: rec.id, onProgress, signal: r.ctl.signal });
      state = "done";
    } catch (e) {
      if (r.ctl.signal.aborted) {
        state = "cancelled";
        error = { code: "CANCELLED", message: `job ${rec.id} was cancelled` };
      } else {
        state = "failed";
        if (!isAppError(e)) this.opts.log?.(e);
        // a foreign error's text may hold paths or secrets: only coded errors keep their message
        error = isAppError(e)
          ? { code: e.code, message: e.message }
          : { code: "INTERNAL", message: "internal error; run the same work from the CLI with --debug" };
      }
      result = null;
    }
    this.running.delete(rec.id);
    // the server stopped while this ran: close() recorded it 'interrupted' and the store may be shut
    if (this.closed) return;
    try {
      this.store.update(rec.id, { state, endedAt: this.clock.now(), progress: r.progress, result, error });
    } catch (e) {
      // a result that cannot be stored (not JSON) fails the job rather than the process
      this.opts.log?.(e);
      state = "failed";
      error = { code: "INTERNAL", message: "the job's result could not be stored" };
      this.store.update(rec.id, { state, endedAt: this.clock.now(), result: null, error });
    }
    this.emit({
      type: "job.state",
      id: rec.id,
      kind: rec.kind,
      state,
      ...(error === null ? {} : { error }),
    });
    const done = this.store.get(rec.id)!;
    for (const w of this.waiters.get(rec.id) ?? []) w(done);
    this.waiters.delete(rec.id);
  }

  /** The job with its progress and, once done, its result */
  get(raw: JobIdInput): JobRecord {
    const { id } = parseInput(JobIdInput, raw);
    const j = this.store.get(id);
    if (j === undefined) throw new AppError("NOT_FOUND", `no job ${id}: see GET /v1/jobs`);
    const live = this.running.get(id);
    return live?.progress == null ? j : { ...j, progress: live.progress };
  }

  /** The newest jobs first, without their results */
  list(limit = 100): Omit<JobRecord, "result">[] {
    return this.store.list(limit).map((j) => {
      const live = this.running.get(j.id);
      return live?.progress == null ? j : { ...j, progress: live.progress };
    });
  }

  /**
   * Cancels a queued job at once, a running one at its next progress report (the body sees its
   * signal aborted; the HTTP face's job threads are terminated when that does not come soon). A
   * job that is already storing its result is not stopped: it ends 'done' with that result. The
   * reply is the job as it is now; its final state follows.
   */
  cancel(raw: JobIdInput): JobRecord {
    const j = this.get(raw);
    if (FINAL_JOB_STATES.includes(j.state))
      throw new AppError("CONFLICT", `job ${j.id} is ${j.state} already; nothing to cancel`);
    if (j.state === "queued") {
      const i = this.queue.findIndex((q) => q.id === j.id);
      if (i >= 0) this.queue.splice(i, 1);
      const now = this.clock.now();
      const error = { code: "CANCELLED", message: `job ${j.id} was cancelled` };
      this.store.update(j.id, { state: "cancelled", endedAt: now, error });
      this.emit({ type: "job.state", id: j.id, kind: j.kind, state: "cancelled", error });
      const done = this.store.get(j.id)!;
      for (const w of this.waiters.get(j.id) ?? []) w(done);
      this.waiters.delete(j.id);
      return done;
    }
    this.running.get(j.id)?.ctl.abort();
    return this.get(raw);
  }

  /** Resolves when the job reaches a final state */
  wait(raw: JobIdInput): Promise<JobRecord> {
    const j = this.get(raw);
    if (FINAL_JOB_STATES.includes(j.state)) return Promise.resolve(j);
    return new Promise((resolve) => {
      const list = this.waiters.get(j.id) ?? [];
      list.push(resolve);
      this.waiters.set(j.id, list);
    });
  }

  /**
   * The server is stopping: queued jobs become 'interrupted', running ones are cancelled and
   * waited for up to `graceMs` (a use case notices only at its next progress report); any still
   * running then is recorded 'interrupted', as the next start would find it.
   */
  async close(graceMs = 2000): Promise<void> {
    for (const q of this.queue.splice(0)) {
      this.store.update(q.id, { state: "interrupted", endedAt: this.clock.now() });
    }
    const pending = [...this.running.keys()].map((id) => this.wait({ id }));
    for (const r of this.running.values()) r.ctl.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    for (const id of this.running.keys())
      this.store.update(id, { state: "interrupted", endedAt: this.clock.now() });
  }
}
