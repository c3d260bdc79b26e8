// Sweeps through BullMQ on a real redis-server with real `kairos worker` processes (issue 21):
// the figures are bit for bit those of the local run however the chunks travelled, a worker killed
// mid-job costs a redelivery and nothing else, a Redis restart without persistence is survived,
// and a worker that crashes on every job stops after its restart budget with the failed chunks named
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullmqJobQueue } from "../../src/adapters/bullmq/bullmq-job-queue.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteChunkStore } from "../../src/adapters/sqlite/sqlite-chunk-store.ts";
import {
  type QueuedSweepStats,
  type QueueSweepOptions,
  queueSweeper,
  type RemoteSweep,
} from "../../src/app/queue-sweep.ts";
import { type RunSweepRequest, runSweep, type SweepReport } from "../../src/app/run-sweep.ts";
import { AppError } from "../../src/errors.ts";
import { DATA_DIR } from "../support/bundled-data.ts";
import { runKairos, spawnKairos, tempHome } from "../support/cli.ts";
import { freePort, RedisServer } from "./redis-server.ts";
import { startHolder, takeRedisAwayMidRun, WorkerProc } from "./worker-proc.ts";

const home = tempHome("kairos-queue-");
let redis: RedisServer;

const workers: WorkerProc[] = [];
const startWorker = (extra: string[] = [], env: Record<string, string> = {}): WorkerProc => {
  const w = new WorkerProc(home, redis.url, extra, env);
  workers.push(w);
  return w;
};

// 1,000 combinations of sma-cross on 43,800 hourly bars
const grid = ["--param", "fast=5..54:1", "--param", "slow=60..250:10"];
const request: RunSweepRequest = {
  family: "sma-cross",
  symbol: "BTC/USDT",
  timeframe: "1h",
  params: ["fast=5..54:1", "slow=60..250:10"],
  fee: "0.1%",
};

/** The local run's report and its raw results array (the reference every queued run must equal) */
let local: { report: SweepReport; out: Float64Array };

/** A queued sweep in this process (real BullMQ, real SQLite), recording the raw array it returned */
async function queued(
  o: Omit<QueueSweepOptions, "queue" | "chunks">,
  during?: (stats: QueuedSweepStats[], chunks: SqliteChunkStore) => Promise<void>,
): Promise<{ report: SweepReport; out: Float64Array; stats: QueuedSweepStats[]; chunks: SqliteChunkStore }> {
  const db = openDatabase(home);
  const queue = await BullmqJobQueue.connect(redis.url);
  const chunks = new SqliteChunkStore(db);
  const stats: QueuedSweepStats[] = [];
  const inner = queueSweeper({ queue, chunks, pollMs: 100, ...o }, stats);
  let out: Float64Array | undefined;
  const remote: RemoteSweep = async (...a) => {
    out = await inner(...a);
    return out;
  };
  try {
    const run = runSweep(request, { store: new SqliteCandleStore(db), remote });
    const [report] = await Promise.all([run, during?.(stats, chunks)]);
    return { report, out: out!, stats, chunks };
  } finally {
    await queue.close();
  }
}

const sameBits = (a: Float64Array, b: Float64Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

beforeAll(async () => {
  redis = await RedisServer.start();
  expect(runKairos(["data", "import", join(DATA_DIR, "binance_BTC-USDT_1h.csv")], { home }).code).toBe(0);
  const db = openDatabase(home);
  let out: Float64Array | undefined;
  // the local reference goes through the same use case, its sweeps on this thread
  const { sweepResults } = await import("../../src/backtest/sweep/driver.ts");
  const { getFamily } = await import("../../src/strategies/registry.ts");
  const report = await runSweep(request, {
    store: new SqliteCandleStore(db),
    remote: async (series, family, params, sim) => {
      out = await sweepResults(series, getFamily(family)!, params, sim, { threads: 1 });
      return out;
    },
  });
  db.close();
  local = { report, out: out! };
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exit));
  await redis?.stop();
});

describe("sweeps through the queue", () => {
  it("refuses a Redis whose maxmemory-policy evicts, with the command that fixes it; an unreachable one in one line", async () => {
    const admin = new Redis(redis.port, "127.0.0.1");
    try {
      await admin.config("SET", "maxmemory-policy", "allkeys-lru");
      await expect(BullmqJobQueue.connect(redis.url)).rejects.toThrow(
        `Redis's maxmemory-policy is allkeys-lru, and an evicting policy can silently drop queued jobs; set it with \`redis-cli -h 127.0.0.1 -p ${redis.port} CONFIG SET maxmemory-policy noeviction\``,
      );
    } finally {
      await admin.config("SET", "maxmemory-policy", "noeviction");
      admin.disconnect();
    }
    const closed = await freePort();
    await expect(BullmqJobQueue.connect(`redis://127.0.0.1:${closed}`)).rejects.toThrow(/cannot reach Redis/);
    await expect(BullmqJobQueue.connect("http://127.0.0.1:1")).rejects.toThrow(/use redis:\/\/HOST:PORT/);
    // a password never reaches a message, parsable URL or not
    for (const url of [`redis://u:s3cret-pw@127.0.0.1:${closed}`, "redis//u:s3cret-pw@x"]) {
      const err = await BullmqJobQueue.connect(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).not.toContain("s3cret-pw");
      expect((err as AppError).message).toContain("***@");
    }
  });

  it("kairos sweep --queue on two workers ranks 1,000 combinations exactly as the local run; run again it resumes from the stored chunks", async () => {
    const w1 = startWorker();
    const w2 = startWorker();
    await Promise.all([w1.waitFor(/worker \S+ on redis/), w2.waitFor(/worker \S+ on redis/)]);
    const args = [
      "--json",
      "sweep",
      "sma-cross",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1h",
      ...grid,
      "--fee",
      "0.1%",
    ];
    const viaQueue = await spawnKairos([...args, "--queue", redis.url, "--chunk-size", "50"], {
      home,
      timeout: 120_000,
    });
    expect(viaQueue.code, viaQueue.stderr).toBe(0);
    const here = await spawnKairos([...args, "--threads", "1"], { home, timeout: 120_000 });
    expect(here.code, here.stderr).toBe(0);
    const q = JSON.parse(viaQueue.stdout) as SweepReport;
    const l = JSON.parse(here.stdout) as SweepReport;
    expect(q.combinations).toBe(1000);
    expect(q.rows).toStrictEqual(l.rows);
    expect(q.buyAndHold).toStrictEqual(l.buyAndHold);
    // both workers took part
    expect(w1.log).toMatch(/job sw\w+\.c\d+ done/);
    expect(w2.log).toMatch(/job sw\w+\.c\d+ done/);
    // `kairos worker status` sees both
    const status = runKairos(["--json", "worker", "status", "--queue", redis.url], { home });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { workers: unknown[] }).workers).toHaveLength(2);
    // the same command again: every chunk is in the home, nothing is queued, the figures are the same
    const doneLines = (w1.log + w2.log).split("\n").filter((s) => s.includes(" done")).length;
    const again = await spawnKairos([...args, "--queue", redis.url, "--chunk-size", "50"], {
      home,
      timeout: 120_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as SweepReport).rows).toStrictEqual(l.rows);
    expect((w1.log + w2.log).split("\n").filter((s) => s.includes(" done")).length).toBe(doneLines);
  }, 240_000);

  it("the in-process reference and a queued run agree bit for bit (every float64 of every combination)", async () => {
    const r = await queued({ chunkSize: 64 });
    expect(r.stats[0]!.chunks).toBe(16);
    expect(sameBits(r.out, local.out)).toBe(true);
    expect(r.report.rows).toStrictEqual(local.report.rows);
    expect(r.chunks.count(r.stats[0]!.run)).toBe(16);
  }, 120_000);

  it("Redis killed and restarted empty mid-run: the lost jobs are queued again and the run completes with the local figures", async () => {
    // a third worker whose job never ends holds the run open until Redis goes, however late the test
    // takes it away (the 50 chunks take ~1 s on two workers: Redis killed 1 s late found the run
    // complete, nothing to queue again); it goes with Redis, and its job is one of those lost
    const holder = await startHolder(home, redis.url);
    try {
      const r = await queued({ chunkSize: 20, outageMs: 60_000 }, async (stats, chunks) => {
        await takeRedisAwayMidRun(redis, holder, stats, chunks, 3);
        await new Promise((res) => setTimeout(res, 1500));
        await redis.launch();
      });
      expect(r.stats[0]!.requeued).toBeGreaterThan(0);
      expect(sameBits(r.out, local.out)).toBe(true);
      expect(r.chunks.count(r.stats[0]!.run)).toBe(50);
    } finally {
      holder.kill("SIGKILL");
      await holder.exit;
    }
  }, 180_000);

  it("SIGTERM stops a worker gracefully; a worker SIGKILLed mid-job: the job runs again on another and is stored once", async () => {
    for (const w of workers.splice(0)) {
      w.kill("SIGTERM");
      expect(await w.exit).toBe(0);
      expect(w.log).toMatch(/stopped/);
    }
    // its jobs never finish (a child that does not answer): the kill lands mid-job however late it comes
    // (a real chunk takes ~0.2 s, less than a loaded test process may take to notice it started)
    const a = startWorker([], { KAIROS_QUEUE_FAULT: "hang" });
    await a.waitFor(/worker \S+ on redis/);
    let killed = "";
    let b: WorkerProc | undefined;
    const r = await queued({ chunkSize: 250 }, async () => {
      killed = (await a.waitFor(/job (sw\w+\.c\d+) started/))[1]!;
      a.kill("SIGKILL");
      b = startWorker();
    });
    expect(await a.exit).toBe(null);
    expect(killed).not.toBe("");
    expect(b!.log).toContain(`job ${killed} done`);
    expect(a.log).not.toContain(`job ${killed} done`);
    expect(sameBits(r.out, local.out)).toBe(true);
    expect(r.chunks.count(r.stats[0]!.run)).toBe(4);
    b!.kill("SIGTERM");
    expect(await b!.exit).toBe(0);
  }, 180_000);

  it("a worker crashing on every job stops after its restart budget, and the run names the chunks that failed for good", async () => {
    const c = startWorker(["--restart-budget", "2"], { KAIROS_QUEUE_FAULT: "crash" });
    await c.waitFor(/worker \S+ on redis/);
    let err: unknown;
    try {
      await queued({ chunkSize: 100, attempts: 1, idleMs: 3000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const message = (err as AppError).message;
    expect(message).toMatch(/chunks \d+, \d+ failed for good/);
    expect(message).toContain("no kairos worker connected");
    expect(await c.exit).not.toBe(0);
    expect(c.log).toContain("restart budget 2");
    // the failures are in the home, by chunk
    const db = openDatabase(home);
    const failures = db.prepare("SELECT chunk, reason FROM queue_failures ORDER BY chunk").all() as {
      chunk: number;
      reason: string;
    }[];
    db.close();
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.reason).toMatch(/exited mid-job/);
  }, 120_000);
});
