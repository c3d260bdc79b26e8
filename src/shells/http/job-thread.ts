/**
 * A job's body on the job thread: the operation's `run` with a container of its own on the same
 * home (its own SQLite connections; WAL lets the server read while it writes). Progress goes to
 * the server as messages, throttled; cancel arrives as a flag in shared memory, read on every
 * progress report, because a use case that never yields (a paper replay awaits only microtasks)
 * would never see a message. Work that reports no progress is stopped by the host terminating
 * the thread.
 */
import { parentPort } from "node:worker_threads";
import type { Principal } from "../../app/auth-service.ts";
import { JOB_PERSIST_EVERY_MS, type JobProgress, JobService, nextProgress } from "../../app/job-service.ts";
import type { ProgressEvent } from "../../app/progress.ts";
import { type Container, createContainer } from "../../composition-root.ts";
import { AppError } from "../../errors.ts";
import { JOB_CANCELLED, JOB_COMMITTED, JOB_RUNNING, STORING_NOTE } from "./job-flag.ts";
import { OPERATIONS } from "./operations.ts";

export interface JobTask {
  /** the operation's id in OPERATIONS (a `job: true` or `offload: true` entry) */
  op: string;
  /** the job's id, for progress messages */
  id: string;
  home: string;
  raw: unknown;
  principal: Principal;
  /** a job (not an offloaded call): store its running progress in the job store */
  storeProgress: boolean;
  /** Int32Array view: [0] becomes 1 when the job is cancelled */
  cancel: SharedArrayBuffer;
}

/** What the thread sends besides the result (worker-entry.mjs sends that) */
export interface JobProgressMessage {
  type: "job-progress";
  id: string;
  event: ProgressEvent;
}

/** Progress messages at most this often (the server throttles its events and writes further) */
const POST_EVERY_MS = 50;

const containers = new Map<string, { c: Container; jobs: JobService }>();

export async function runJobTask(t: JobTask): Promise<unknown> {
  const op = OPERATIONS.find((o) => o.id === t.op && (o.job === true || o.offload === true));
  if (op === undefined) throw new AppError("INTERNAL", `no job operation ${t.op}`);
  let held = containers.get(t.home);
  if (held === undefined) {
    const c = createContainer({ home: t.home });
    held = { c, jobs: new JobService(c.jobStore, c.clock) };
    containers.set(t.home, held);
  }
  const flag = new Int32Array(t.cancel);
  const ctl = new AbortController();
  const cancelled = (): AppError => new AppError("CANCELLED", `job ${t.id} was cancelled`);
  // the server's message reaches a job that awaits I/O (a download); the flag reaches every other
  const onMessage = (m: unknown): void => {
    if ((m as { type?: string; id?: string }).type === "job-cancel" && (m as { id: string }).id === t.id)
      ctl.abort();
  };
  parentPort?.on("message", onMessage);
  let last = 0;
  let pending: ProgressEvent | undefined;
  const post = (event: ProgressEvent): void => {
    parentPort?.postMessage({ type: "job-progress", id: t.id, event } satisfies JobProgressMessage);
  };
  let progress: JobProgress | null = null;
  let lastStored = 0;
  /**
   * Claims the flag to store the result (`store`: in a store of the home, reported as a note, so
   * a job's followers learn a cancel now comes too late); CANCELLED, nothing stored, when the
   * cancel came first
   */
  const commit = (store: boolean): void => {
    const was = Atomics.compareExchange(flag, 0, JOB_RUNNING, JOB_COMMITTED);
    if (was === JOB_CANCELLED) {
      ctl.abort();
      throw cancelled();
    }
    if (store && was === JOB_RUNNING && t.storeProgress)
      post({ kind: "note", task: "job", message: STORING_NOTE });
  };
  const onProgress = (e: ProgressEvent): void => {
    if (Atomics.load(flag, 0) === JOB_CANCELLED) {
      ctl.abort();
      throw cancelled();
    }
    // running progress is stored from here, so the server's loop never waits for the write lock
    // a paper session's commits hold (JobService is told persistProgress: false)
    progress = nextProgress(progress, e);
    if (t.storeProgress && performance.now() - lastStored >= JOB_PERSIST_EVERY_MS) {
      lastStored = performance.now();
      held.c.jobStore.update(t.id, { progress });
    }
    const now = performance.now();
    if (now - last >= POST_EVERY_MS || (e.kind === "progress" && e.done >= e.total)) {
      last = now;
      pending = undefined;
      post(e);
    } else pending = e;
  };
  try {
    const out = await op.run(
      { c: committing(held.c, () => commit(true)), principal: t.principal, jobs: held.jobs },
      t.raw,
      {
        id: t.id,
        onProgress,
        signal: ctl.signal,
      },
    );
    if (pending !== undefined) post(pending);
    // the result itself is stored by the server's JobService: claimed here like the stores above
    commit(false);
    return out ?? null;
  } finally {
    parentPort?.off("message", onMessage);
  }
}

/**
 * The container a job runs with: the stores a job's result goes into (the model registry, the
 * screen runs) claim the cancel flag before they write, so a cancelled job stores nothing there
 */
function committing(c: Container, commit: () => void): Container {
  const models = c.models;
  const runs = c.screenRuns;
  return Object.create(c, {
    models: {
      value: {
        save: (...a: Parameters<typeof models.save>) => {
          commit();
          return models.save(...a);
        },
        load: (id: string) => models.load(id),
        list: () => models.list(),
      } satisfies typeof models,
    },
    screenRuns: {
      value: {
        save: (...a: Parameters<typeof runs.save>) => {
          commit();
          runs.save(...a);
        },
        load: (id: string) => runs.load(id),
        list: () => runs.list(),
      } satisfies typeof runs,
    },
  }) as Container;
}
