import { createHash } from "node:crypto";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type {
  EnqueueOptions,
  JobQueue,
  QueueActiveJob,
  QueueJob,
  QueueJobState,
  QueueWorkerInfo,
} from "../../ports/job-queue.ts";
import { BLOB_PREFIX, BLOB_TTL_S, connectRedis, parseRedisUrl, QUEUE_NAME } from "./connection.ts";

/**
 * The coordinator's side of the queue on BullMQ. Jobs are added with their deterministic id as
 * BullMQ's jobId, so adding a job twice adds it once; no parent/child flows (a failed child leaves
 * a BullMQ parent waiting forever, taskforcesh/bullmq#3362): the coordinator polls each job's state
 * and decides itself when a chunk has failed for good.
 */
export class BullmqJobQueue implements JobQueue {
  private constructor(
    readonly where: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
  ) {}

  static async connect(url: string): Promise<BullmqJobQueue> {
    const target = parseRedisUrl(url);
    const redis = await connectRedis(target, { worker: false });
    const queue = new Queue(QUEUE_NAME, { connection: redis });
    queue.on("error", () => undefined);
    return new BullmqJobQueue(target.where, redis, queue);
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = createHash("sha256").update(bytes).digest("hex");
    const key = BLOB_PREFIX + hash;
    // EXPIRE answers 0 when the key is missing: then (only then) the bytes are sent
    if ((await this.redis.expire(key, BLOB_TTL_S)) === 0)
      await this.redis.set(
        key,
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        "EX",
        BLOB_TTL_S,
      );
    return hash;
  }

  async getBlob(hash: string): Promise<Uint8Array | undefined> {
    const b = await this.redis.getBuffer(BLOB_PREFIX + hash);
    return b === null ? undefined : new Uint8Array(b);
  }

  async deleteBlobs(hashes: readonly string[]): Promise<void> {
    if (hashes.length > 0) await this.redis.del(...hashes.map((h) => BLOB_PREFIX + h));
  }

  async enqueue(jobs: readonly QueueJob[], opts: EnqueueOptions): Promise<void> {
    for (let i = 0; i < jobs.length; i += 500)
      await this.queue.addBulk(
        jobs.slice(i, i + 500).map((j) => ({
          name: "task",
          data: j.data,
          opts: {
            jobId: j.id,
            attempts: opts.attempts,
            backoff: { type: "fixed", delay: 200 },
            // the coordinator removes a job once its result is stored; these bound what a
            // coordinator that never came back leaves behind
            removeOnComplete: { age: 86_400 },
            removeOnFail: { age: 86_400 },
          },
        })),
      );
  }

  async states(ids: readonly string[]): Promise<Map<string, QueueJobState>> {
    const out = new Map<string, QueueJobState>();
    const jobs = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    // a job that failed an attempt keeps that attempt's failedReason when a retry completes it, so a
    // finished job with a reason is ambiguous: only then is its state asked for (one more command)
    const finalStates = await Promise.all(
      jobs.map((job) =>
        job?.finishedOn !== undefined && job.failedReason !== undefined && job.failedReason !== ""
          ? job.getState()
          : undefined,
      ),
    );
    for (const [i, job] of jobs.entries()) {
      const id = ids[i]!;
      if (job === undefined || job === null) out.set(id, { state: "missing" });
      else if (
        job.finishedOn !== undefined &&
        (job.failedReason === undefined || job.failedReason === "" || finalStates[i] === "completed")
      )
        out.set(id, {
          state: "completed",
          attempts: job.attemptsMade,
          result: job.returnvalue,
          ...(job.processedBy === undefined ? {} : { worker: job.processedBy }),
        });
      else if (job.finishedOn !== undefined)
        out.set(id, { state: "failed", attempts: job.attemptsMade, reason: job.failedReason, final: true });
      else if (job.processedOn !== undefined && job.failedReason === undefined)
        out.set(id, { state: "active", attempts: job.attemptsMade });
      else out.set(id, { state: "waiting", attempts: job.attemptsMade });
    }
    return out;
  }

  async remove(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.queue.remove(id)));
  }

  async workers(): Promise<QueueWorkerInfo[]> {
    const list = await this.queue.getWorkers();
    return list.map((w) => ({
      name: w.rawname?.replace(/^bull:[^:]+:w:/, "") ?? w.name ?? "?",
      addr: w.addr ?? "?",
      age: Number(w.age ?? 0),
    }));
  }

  async active(): Promise<QueueActiveJob[]> {
    const jobs = await this.queue.getActive();
    return jobs.map((j) => ({
      id: j.id ?? "?",
      worker: j.processedBy ?? "?",
      startedAt: j.processedOn ?? 0,
      attempts: j.attemptsMade,
    }));
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
