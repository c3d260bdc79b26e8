/**
 * The coordinator's loop shared by queued sweeps and screens (issue 21): one part of a run (a sweep
 * of one series, one search generation of a screen, its Monte Carlo) split into chunks with
 * deterministic job ids `<run>.p<part>.c<chunk>` (a sweep's single part keeps `<run>.c<chunk>`),
 * queued, polled and stored under UNIQUE(run, part, chunk). No BullMQ flows: a failed child leaves a
 * BullMQ parent waiting forever (taskforcesh/bullmq#3362), so this loop decides itself when a chunk
 * has failed for good, and it stops (never hangs) when no worker is connected or Redis stays away.
 */
import { AppError } from "../errors.ts";
import type { ChunkResultStore, JobQueue, QueueJobState } from "../ports/job-queue.ts";

/** How a coordinator talks to the queue; the same for every part of every run */
export interface QueueRunOptions {
  queue: JobQueue;
  chunks: ChunkResultStore;
  /** deliveries of a chunk before it fails for good (crashes and timeouts included) */
  attempts?: number;
  pollMs?: number;
  /** stop when Redis has been unreachable this long */
  outageMs?: number;
  /** stop when chunks wait and no worker has been connected this long */
  idleMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** one line per notable event (a lost job queued again, Redis away and back) */
  log?: (line: string) => void;
}

/** One part of a queued run */
export interface QueuedPart {
  run: string;
  part: number;
  /** the job id of a chunk */
  idOf: (chunk: number) => string;
  /** what each chunk's job carries (plain JSON), by chunk index */
  jobs: readonly unknown[];
  /** checks a completed job's result against its chunk and returns the bytes to store (throws when they do not match) */
  accept: (chunk: number, result: unknown) => Uint8Array;
  /** puts the blobs the jobs name into Redis (again, after a restart that lost them) */
  publish: () => Promise<void>;
  /** called with the chunk index as each chunk is stored (or found stored) */
  onStored?: (chunk: number) => void;
  /** the words that name the run in messages, e.g. "sweep run sw1234" */
  label: string;
  /** how to finish the run after a stop, e.g. "run the same command again" */
  resume: string;
}

/** What happened to one part */
export interface QueuedPartStats {
  chunks: number;
  /** chunks already stored before this call (a resumed run) */
  resumed: number;
  /** jobs Redis lost (a restart without persistence) and that were queued again */
  requeued: number;
}

/**
 * Runs one part through the queue and returns every chunk's stored bytes, by chunk index. Throws
 * HALTED naming the chunks that failed for good, or when no worker / no Redis for too long; what
 * is stored stays stored, so the same run started again queues only the rest.
 */
export async function runQueuedPart(
  o: QueueRunOptions,
  p: QueuedPart,
  stats?: QueuedPartStats,
): Promise<Uint8Array[]> {
  const now = o.now ?? (() => Date.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = o.pollMs ?? 200;
  const outageMs = o.outageMs ?? 60_000;
  const idleMs = o.idleMs ?? 60_000;
  const attempts = o.attempts ?? 3;
  const n = p.jobs.length;
  const out: (Uint8Array | undefined)[] = new Array(n);
  for (const c of o.chunks.chunks(p.run, p.part)) if (c.chunk < n) out[c.chunk] = c.bytes;
  const st: QueuedPartStats = stats ?? { chunks: 0, resumed: 0, requeued: 0 };
  st.chunks = n;
  st.resumed = out.filter((b) => b !== undefined).length;
  const pending = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (out[i] === undefined) pending.set(p.idOf(i), i);
    else p.onStored?.(i);
  }
  const enqueue = async (ids: readonly string[]): Promise<void> => {
    await p.publish();
    await o.queue.enqueue(
      ids.map((id) => ({ id, data: p.jobs[pending.get(id)!] })),
      { attempts },
    );
  };
  if (pending.size > 0) {
    // a job left failed in Redis by an earlier coordinator that stopped before removing it would be
    // read as failed at once: a resumed run clears those and tries them again
    const ids = [...pending.keys()];
    for (let i = 0; i < ids.length; i += 1000) {
      const states = await o.queue.states(ids.slice(i, i + 1000));
      const stale = [...states].filter(([, s]) => s.state === "failed").map(([id]) => id);
      if (stale.length > 0) await o.queue.remove(stale);
    }
    await enqueue(ids);
  }
  const failed = new Map<number, { reason: string; attempts: number }>();
  let outageSince: number | undefined;
  let workersSeen = now();
  while (pending.size > 0) {
    await sleep(pollMs);
    let states: Map<string, QueueJobState>;
    let workers: number;
    try {
      // at most 1,000 jobs per look: a huge part is polled in slices, oldest first
      states = await o.queue.states([...pending.keys()].slice(0, 1000));
      workers = (await o.queue.workers()).length;
      if (outageSince !== undefined) o.log?.(`queue ${o.queue.where} reachable again`);
      outageSince = undefined;
    } catch (err) {
      if (outageSince === undefined) {
        outageSince = now();
        o.log?.(
          `queue ${o.queue.where} unreachable (${err instanceof Error ? err.message : String(err)}); waiting up to ${outageMs / 1000} s`,
        );
      }
      if (now() - outageSince > outageMs)
        throw new AppError(
          "HALTED",
          `${p.label}: Redis at ${o.queue.where} unreachable for ${Math.round(outageMs / 1000)} s; the chunks computed so far are stored in the home; start Redis and ${p.resume} to finish the rest`,
          { retryable: true, details: { run: p.run } },
        );
      continue;
    }
    if (workers > 0) workersSeen = now();
    const lost: string[] = [];
    const done: string[] = [];
    for (const [id, s] of states) {
      const c = pending.get(id)!;
      if (s.state === "completed") {
        const bytes = p.accept(c, s.result);
        o.chunks.saveChunk(p.run, p.part, c, bytes, s.worker ?? "?");
        out[c] = bytes;
        pending.delete(id);
        done.push(id);
        p.onStored?.(c);
      } else if (s.state === "failed") {
        o.chunks.saveFailure(p.run, p.part, c, s.reason, s.attempts);
        failed.set(c, { reason: s.reason, attempts: s.attempts });
        pending.delete(id);
        done.push(id);
      } else if (s.state === "missing") lost.push(id);
    }
    if (done.length > 0) await o.queue.remove(done).catch(() => undefined);
    if (lost.length > 0) {
      // Redis came back without the jobs (no persistence) or they were removed: the ids are
      // deterministic, so queuing them again is safe even if a copy still exists somewhere
      o.log?.(`${lost.length} queued chunks of ${p.label} are gone from Redis; queuing them again`);
      st.requeued += lost.length;
      try {
        await enqueue(lost);
      } catch {
        // Redis went away again: the next poll handles it
      }
    }
    if (pending.size > 0 && now() - workersSeen > idleMs)
      throw new AppError(
        "HALTED",
        `${p.label}: no kairos worker connected to ${o.queue.where} for ${Math.round(idleMs / 1000)} s with ${pending.size} chunks waiting${failed.size > 0 ? ` and chunks ${[...failed.keys()].join(", ")} failed for good` : ""}; start \`kairos worker --queue ${o.queue.where}\` and ${p.resume} (the stored chunks are kept)`,
        { retryable: true, details: { run: p.run, part: p.part, failed: [...failed.keys()] } },
      );
  }
  if (failed.size > 0) {
    o.chunks.finishRun(p.run, "failed", now());
    const first = [...failed.entries()][0]!;
    throw new AppError(
      "HALTED",
      `${p.label}: chunks ${[...failed.keys()].join(", ")} of ${n}${p.part === 0 ? "" : ` (part ${p.part})`} failed for good (chunk ${first[0]}: ${first[1].reason}, after ${first[1].attempts} attempts); the stored chunks are kept: fix the workers and ${p.resume} to run only the failed ones`,
      { details: { run: p.run, part: p.part, failed: [...failed.keys()] } },
    );
  }
  return out as Uint8Array[];
}
