import { hostname } from "node:os";
import { type Job, WaitingError, Worker } from "bullmq";
import { BLOB_PREFIX, connectRedis, parseRedisUrl, QUEUE_NAME } from "./connection.ts";
import { ProcessSandbox, SandboxFailure, type SandboxSpawn } from "./sandbox.ts";

export interface QueueWorkerOptions {
  url: string;
  /** jobs at once, each in its own child process */
  concurrency: number;
  /** a job running longer is killed and counts as a failed attempt */
  timeoutMs: number;
  /** sandbox failures (crashes, timeouts) in a row after which this worker stops */
  restartBudget: number;
  /** how long a job stays ours without a lock renewal; a SIGKILLed worker's job runs again after it */
  lockMs: number;
  sandbox: SandboxSpawn;
  log: (line: string) => void;
  /** resolves when the worker should stop (SIGTERM): current jobs finish first */
  stop: Promise<void>;
  /** resolves when the worker should stop now (a second SIGTERM): current jobs are released */
  stopNow: Promise<void>;
}

/** How long a stopping worker waits for BullMQ to confirm, after its own jobs are done */
const CLOSE_GRACE_MS = 5000;

/** Blobs the worker process keeps (compressed, as published) */
const PARENT_BLOBS = 32;

/**
 * Runs a kairos worker until told to stop or until its restart budget is spent. Returns the exit
 * code: 0 after a stop, 3 when the budget ran out (a broken worker stops instead of failing a
 * queue's worth of jobs, as one failed sandbox start once failed 41,776 BullMQ jobs in 38 minutes).
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<number> {
  const target = parseRedisUrl(o.url);
  const redis = await connectRedis(target, { worker: true });
  const name = `${hostname()}.${process.pid}`;
  const slots = Array.from({ length: o.concurrency }, () => new ProcessSandbox(o.sandbox));
  await Promise.all(slots.map((s) => s.warm()));
  const blobs = new Map<string, Uint8Array>();
  const fetchBlob = async (hash: string): Promise<Uint8Array> => {
    const cached = blobs.get(hash);
    if (cached !== undefined) return cached;
    const b = await redis.getBuffer(BLOB_PREFIX + hash);
    if (b === null)
      throw new Error(
        `blob ${hash.slice(0, 12)} is not in Redis (expired, or Redis restarted); the coordinator publishes it again`,
      );
    const bytes = new Uint8Array(b);
    blobs.set(hash, bytes);
    if (blobs.size > PARENT_BLOBS) blobs.delete(blobs.keys().next().value as string);
    return bytes;
  };
  let failuresInARow = 0;
  let exitCode = 0;
  let budgetSpent: (() => void) | undefined;
  const spent = new Promise<void>((r) => {
    budgetSpent = r;
  });
  // set as soon as the worker means to stop: BullMQ may still hand it a job (it fetches the next one
  // while finishing the last), which then goes straight back to the queue for another worker,
  // without counting as an attempt, instead of waiting in a dead worker's hands for its lock to lapse
  let stopping = false;
  void o.stop.then(() => {
    stopping = true;
  });
  void o.stopNow.then(() => {
    stopping = true;
  });
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job, token?: string) => {
      if (stopping) {
        await job.moveToWait(token);
        o.log(`job ${job.id} released (this worker is stopping)`);
        throw new WaitingError();
      }
      const slot = slots.find((s) => !s.busy);
      if (slot === undefined) throw new Error("no free worker process (concurrency exceeded)");
      slot.busy = true;
      o.log(`job ${job.id} started (attempt ${job.attemptsMade + 1})`);
      try {
        const data = job.data as { blobs?: string[] };
        const value = await slot.run(job.data, data.blobs ?? [], fetchBlob, o.timeoutMs);
        failuresInARow = 0;
        o.log(`job ${job.id} done`);
        return value;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        o.log(`job ${job.id} failed: ${message}`);
        if (err instanceof SandboxFailure && ++failuresInARow >= o.restartBudget) {
          exitCode = 3;
          stopping = true;
          o.log(
            `stopping: ${failuresInARow} worker processes crashed or timed out in a row (restart budget ${o.restartBudget}); last: ${message}. Fix the cause and start the worker again`,
          );
          budgetSpent?.();
        }
        throw err;
      } finally {
        slot.busy = false;
      }
    },
    {
      connection: redis,
      concurrency: o.concurrency,
      name,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      // a job whose worker vanished twice is not tried a third time by stall recovery
      maxStalledCount: 2,
    },
  );
  let redisDown = false;
  worker.on("error", (err) => {
    if (!redisDown) o.log(`queue connection lost (${err.message}); retrying`);
    redisDown = true;
  });
  worker.on("ready", () => {
    if (redisDown) o.log("queue connection back");
    redisDown = false;
  });
  await worker.waitUntilReady();
  o.log(`worker ${name} on ${target.where}, concurrency ${o.concurrency}, timeout ${o.timeoutMs / 1000} s`);
  const how = await Promise.race([
    o.stop.then(() => "stop" as const),
    o.stopNow.then(() => "now" as const),
    spent.then(() => "budget" as const),
  ]);
  if (how === "stop") {
    o.log("stopping: finishing current jobs (send SIGTERM again to release them now)");
    // BullMQ's close() can wait forever on a connection that a Redis restart broke; once our own
    // jobs are finished, it gets a bounded grace, then the worker leaves anyway (a result it could
    // not write is computed again elsewhere after the lock lapses: at least once, counted once)
    const jobsDone = (async () => {
      while (slots.some((s) => s.busy)) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, CLOSE_GRACE_MS));
      return "grace" as const;
    })();
    const closed = await Promise.race([
      worker.close().then(() => "closed" as const),
      o.stopNow.then(() => worker.close(true)).then(() => "closed" as const),
      jobsDone,
    ]);
    if (closed === "grace") {
      o.log(
        `the queue did not confirm the stop within ${CLOSE_GRACE_MS / 1000} s of the last job (connection lost?); leaving anyway`,
      );
      await Promise.race([worker.disconnect(), new Promise((r) => setTimeout(r, 1000))]).catch(
        () => undefined,
      );
    }
  } else await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, CLOSE_GRACE_MS))]);
  for (const s of slots) s.kill();
  redis.disconnect();
  o.log(`worker ${name} stopped`);
  return exitCode;
}
