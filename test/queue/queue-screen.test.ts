// Screens through BullMQ on Debian's redis-server with real `kairos worker` processes (issue 21): a
// 1,000-variant screen (an evolutionary search: five generations and a Monte Carlo part, each queued
// in chunks) gives the local run's leaderboard, verdicts, deflated Sharpe and PBO, bit for bit; a
// worker SIGKILLed mid-screen costs a redelivery and nothing else; Redis restarted empty mid-screen
// is survived; a worker crashing on every job stops after its restart budget, the run names the
// chunks that failed, and `kairos screen resume RUN` finishes it with the same figures
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullmqJobQueue } from "../../src/adapters/bullmq/bullmq-job-queue.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteChunkStore } from "../../src/adapters/sqlite/sqlite-chunk-store.ts";
import { SqliteScreenRunStore } from "../../src/adapters/sqlite/sqlite-screen-run-store.ts";
import {
  fromExactJson,
  type QueuedScreenStats,
  type QueueScreenOptions,
  queueScreener,
  toExactJson,
} from "../../src/app/queue-screen.ts";
import { type RunScreenRequest, runScreenUseCase } from "../../src/app/run-screen.ts";
import { AppError } from "../../src/errors.ts";
import type { ScreenRun } from "../../src/research/screen.ts";
import { DATA_DIR } from "../support/bundled-data.ts";
import { runKairos, spawnKairos, tempHome } from "../support/cli.ts";
import { RedisServer } from "./redis-server.ts";
import { startHolder, takeRedisAwayMidRun, WorkerProc } from "./worker-proc.ts";

const home = tempHome("kairos-queue-screen-");
let redis: RedisServer;
const workers: WorkerProc[] = [];
const startWorker = (extra: string[] = [], env: Record<string, string> = {}): WorkerProc => {
  const w = new WorkerProc(home, redis.url, extra, env);
  workers.push(w);
  return w;
};
/** The job processes (`kairos worker --child`) under a worker's process, the launcher's relaunch included */
function sandboxesOf(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number): void => {
    let kids: number[] = [];
    try {
      kids = readFileSync(`/proc/${p}/task/${p}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return;
    }
    for (const k of kids) {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${k}/cmdline`, "utf8");
      } catch {}
      if (cmd.split("\0").includes("--child")) out.push(k);
      else walk(k);
    }
  };
  walk(pid);
  return out;
}
const stopAll = async (): Promise<void> => {
  const ws = workers.splice(0);
  for (const w of ws) w.kill("SIGTERM");
  await Promise.all(ws.map((w) => w.exit));
};

const request: RunScreenRequest = {
  symbols: "BTC/USDT,ETH/USDT",
  timeframe: "1d",
  variants: 1000,
  seed: 7,
};
const cliArgs = ["screen", "--symbols", "BTC/USDT,ETH/USDT", "--timeframe", "1d", "--variants", "1000"];
const clock = { now: () => Date.now() };

/** The local run (this thread), the reference every queued run must equal */
let local: ScreenRun;
/** `kairos --json screen ... --threads 1`'s figures, the CLI's reference */
let localCli: unknown;

/** A queued screen in this process (real BullMQ, real SQLite), with what it did */
async function queued(
  o: Omit<QueueScreenOptions, "queue" | "chunks">,
  during?: (stats: QueuedScreenStats[], chunks: SqliteChunkStore) => Promise<void>,
): Promise<{ run: ScreenRun; stats: QueuedScreenStats[]; chunks: SqliteChunkStore }> {
  const db = openDatabase(home);
  const queue = await BullmqJobQueue.connect(redis.url);
  const chunks = new SqliteChunkStore(db);
  const stats: QueuedScreenStats[] = [];
  try {
    const screen = runScreenUseCase(
      {
        store: new SqliteCandleStore(db),
        runs: new SqliteScreenRunStore(db),
        clock,
        remote: queueScreener({ queue, chunks, pollMs: 50, ...o }, stats),
      },
      request,
    );
    const [out] = await Promise.all([screen, during?.(stats, chunks)]);
    return { run: out.run, stats, chunks };
  } finally {
    await queue.close();
  }
}

/** The parts of a screen's JSON that must not depend on where it ran (the id and time do) */
const figures = (stdout: string): unknown => {
  const { id: _id, createdAt: _at, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
};

beforeAll(async () => {
  redis = await RedisServer.start();
  for (const f of ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"])
    expect(runKairos(["data", "import", join(DATA_DIR, f)], { home }).code).toBe(0);
  const db = openDatabase(home);
  try {
    local = (
      await runScreenUseCase(
        { store: new SqliteCandleStore(db), runs: new SqliteScreenRunStore(db), clock },
        request,
      )
    ).run;
  } finally {
    db.close();
  }
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exit));
  await redis?.stop();
});

describe("screens through the queue", () => {
  it("exact JSON brings back NaN, the infinities, -0, float64 arrays and undefined properties as they were", () => {
    const v = {
      a: [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 5e-324, 2 ** 53 + 2],
      f: Float64Array.from([0.1, Number.NaN, -0, -1e308]),
      u: undefined,
      n: { s: "x", b: true, z: null },
    };
    const back = fromExactJson(JSON.parse(JSON.stringify(toExactJson(v)))) as typeof v;
    expect(back).toStrictEqual(v);
    expect(Object.is(back.a[4], -0)).toBe(true);
    expect(Object.hasOwn(back, "u")).toBe(true);
    expect(Buffer.from(back.f.buffer).equals(Buffer.from(v.f.buffer))).toBe(true);
  });

  it("kairos screen --queue on two workers: 1,000 variants, the local run's leaderboard, verdicts, deflated Sharpe and PBO", async () => {
    const w1 = startWorker();
    const w2 = startWorker();
    await Promise.all([w1.waitFor(/worker \S+ on redis/), w2.waitFor(/worker \S+ on redis/)]);
    const viaQueue = await spawnKairos(
      ["--json", ...cliArgs, "--no-report", "--queue", redis.url, "--chunk-size", "40"],
      { home, timeout: 180_000 },
    );
    expect(viaQueue.code, viaQueue.stderr).toBe(0);
    const run = /queued screen run (sc[0-9a-f]{16})/.exec(viaQueue.stderr)?.[1];
    expect(run, viaQueue.stderr).toBeDefined();
    const here = await spawnKairos(["--json", ...cliArgs, "--no-report", "--threads", "1"], {
      home,
      timeout: 180_000,
    });
    expect(here.code, here.stderr).toBe(0);
    localCli = figures(here.stdout);
    const q = figures(viaQueue.stdout) as { trials: number; search: { method: string } };
    expect(q.trials).toBe(1000);
    // the evolutionary search: its generations are parts of the queued run
    expect(q.search.method).toBe("evolutionary");
    expect(q).toStrictEqual(figures(here.stdout));
    // both workers took screen chunks
    expect(w1.log).toMatch(/job sc\w+\.p\d+\.c\d+ done/);
    expect(w2.log).toMatch(/job sc\w+\.p\d+\.c\d+ done/);
    // a finished run resumed says where it is stored and computes nothing
    const doneLines = (w1.log + w2.log).split("\n").filter((s) => s.includes(" done")).length;
    const again = await spawnKairos(["--json", "screen", "resume", run!, "--queue", redis.url], {
      home,
      timeout: 60_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`queued run ${run} had finished: it is stored as s-`));
    expect(figures(again.stdout)).toStrictEqual(figures(here.stdout));
    expect((w1.log + w2.log).split("\n").filter((s) => s.includes(" done")).length).toBe(doneLines);
  }, 300_000);

  it("in process, every figure of the queued run is the local one bit for bit (deep equality, -0 and NaN included)", async () => {
    const r = await queued({ chunkSize: 64 });
    // 400 + 5 x 120 evaluated in 7 + 5 x 2 chunks, and the Monte Carlo of the top 50 in 10 chunks of 5
    expect(r.stats[0]!.parts).toBe(7);
    expect(r.stats[0]!.chunks).toBe(7 + 10 + 10);
    expect(r.run).toStrictEqual(local);
    expect(r.chunks.count(r.stats[0]!.run)).toBe(27);
  }, 180_000);

  it("a worker SIGKILLed mid-screen: its job runs again on another worker, each chunk is stored once, the figures are the local ones", async () => {
    await stopAll();
    // a healthy worker does the screen's first two jobs and is then told to stop; the next job goes to
    // a worker whose child never answers (KAIROS_QUEUE_FAULT=hang), so the SIGKILL lands mid-job, past
    // the first part's first chunks, however late it is sent (a real job of 100 variants ends ~0.15 s
    // after it starts, sooner than a loaded test process may notice the start)
    const first = startWorker();
    await first.waitFor(/worker \S+ on redis/);
    let killed = "";
    let a: WorkerProc | undefined;
    let b: WorkerProc | undefined;
    const r = await queued({ chunkSize: 100 }, async () => {
      await first.waitFor(/ done\n[\s\S]* done\n/);
      first.kill("SIGTERM");
      expect(await first.exit).toBe(0);
      a = startWorker([], { KAIROS_QUEUE_FAULT: "hang" });
      killed = (await a.waitFor(/job (sc\w+\.p\d+\.c\d+) started/))[1]!;
      a.kill("SIGKILL");
      b = startWorker();
    });
    expect(await a!.exit).toBe(null);
    expect(first.log).not.toContain(`job ${killed} started`);
    expect(b!.log).toContain(`job ${killed} done`);
    expect(a!.log).not.toContain(`job ${killed} done`);
    expect(r.run).toStrictEqual(local);
    expect(r.run.trials).toBe(1000);
    const db = openDatabase(home);
    const [part, chunk] = /\.p(\d+)\.c(\d+)$/.exec(killed)!.slice(1).map(Number);
    const rows = db
      .prepare("SELECT COUNT(*) AS n FROM queue_chunks WHERE run_id = ? AND part = ? AND chunk = ?")
      .get(r.stats[0]!.run, part, chunk) as { n: number };
    db.close();
    expect(rows.n).toBe(1);
    // 400 + 5 x 120 variants in chunks of 100 (4 + 5 x 2), the Monte Carlo in 10
    expect(r.chunks.count(r.stats[0]!.run)).toBe(24);
  }, 180_000);

  it("Redis killed and restarted empty mid-screen: the lost jobs and blobs are published again and the figures are the local ones", async () => {
    // a worker whose job never ends holds the screen open until Redis goes, however late the test
    // takes it away; it goes with Redis, and its job is one of those lost
    const holder = await startHolder(home, redis.url);
    try {
      const r = await queued({ chunkSize: 20, outageMs: 60_000 }, async (stats, chunks) => {
        await takeRedisAwayMidRun(redis, holder, stats, chunks, 3);
        await new Promise((res) => setTimeout(res, 1500));
        await redis.launch();
      });
      expect(r.stats[0]!.requeued).toBeGreaterThan(0);
      expect(r.run).toStrictEqual(local);
    } finally {
      holder.kill("SIGKILL");
      await holder.exit;
    }
  }, 180_000);

  it("Redis away longer than the coordinator waits: the run stops with one line saying what to do, never a result", async () => {
    // a worker whose job never ends holds the screen open until Redis goes, however late the test
    // takes it away (a screen that completed first would end with a result)
    const holder = await startHolder(home, redis.url);
    let err: unknown;
    try {
      await queued({ chunkSize: 21, outageMs: 1000 }, async (stats, chunks) => {
        await takeRedisAwayMidRun(redis, holder, stats, chunks, 2);
      });
    } catch (e) {
      err = e;
    } finally {
      holder.kill("SIGKILL");
      await holder.exit;
      await redis.launch();
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("HALTED");
    expect((err as AppError).message).toMatch(
      /^screen run sc[0-9a-f]{16}: Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for 1 s; the chunks computed so far are stored in the home; start Redis and run `kairos screen resume sc[0-9a-f]{16}` to finish the rest$/,
    );
  }, 180_000);

  it("SIGTERM mid-job: the worker finishes the job it holds, then exits 0; another finishes the screen with the local figures", async () => {
    await stopAll();
    const a = startWorker();
    await a.waitFor(/worker \S+ on redis/);
    // its job process (started with the worker) is paused until the worker has taken the signal: the
    // signal lands while the job runs, however late it is sent (the first part's one job of 400
    // variants ends ~1 s after it starts, within what a loaded test process may take to notice)
    const jobProcs = sandboxesOf(a.proc.pid!);
    expect(jobProcs.length).toBeGreaterThan(0);
    for (const pid of jobProcs) process.kill(pid, "SIGSTOP");
    let held = "";
    try {
      const r = await queued({ chunkSize: 400 }, async () => {
        held = (await a.waitFor(/job (sc\w+\.p\d+\.c\d+) started/))[1]!;
        a.kill("SIGTERM");
        await a.waitFor(/stopping: finishing current jobs/);
        for (const pid of jobProcs) process.kill(pid, "SIGCONT");
        expect(await a.exit).toBe(0);
        startWorker();
      });
      const stopping = a.log.indexOf("stopping: finishing current jobs");
      expect(stopping).toBeGreaterThan(0);
      expect(a.log.indexOf(`job ${held} done`)).toBeGreaterThan(stopping);
      expect(workers.at(-1)!.log).not.toContain(`job ${held} started`);
      expect(r.run).toStrictEqual(local);
    } finally {
      // a failed wait leaves no paused process behind (it may have ended meanwhile)
      for (const pid of jobProcs)
        try {
          process.kill(pid, "SIGCONT");
        } catch {}
    }
  }, 180_000);

  it("a job past --timeout: its process is killed, the attempt fails, and the job runs again on another worker", async () => {
    await stopAll();
    const h = startWorker(["--timeout", "1", "--restart-budget", "1"], { KAIROS_QUEUE_FAULT: "hang" });
    await h.waitFor(/worker \S+ on redis/);
    let timedOut = "";
    const r = await queued({ chunkSize: 101, attempts: 2 }, async () => {
      timedOut = (
        await h.waitFor(/job (sc\w+\.p\d+\.c\d+) failed: job timed out after 1 s \(worker process killed\)/)
      )[1]!;
      expect(await h.exit).not.toBe(0);
      startWorker();
    });
    expect(workers.at(-1)!.log).toContain(`job ${timedOut} done`);
    expect(r.run).toStrictEqual(local);
  }, 180_000);

  it("a worker crashing on every job stops after its restart budget; the run names its failed chunks; `kairos screen resume` finishes it with the local figures", async () => {
    await stopAll();
    const c = startWorker(["--restart-budget", "2"], { KAIROS_QUEUE_FAULT: "crash" });
    await c.waitFor(/worker \S+ on redis/);
    let err: unknown;
    try {
      await queued({ chunkSize: 30, attempts: 1, idleMs: 3000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const message = (err as AppError).message;
    const run = /screen run (sc[0-9a-f]{16})/.exec(message)?.[1];
    expect(message).toMatch(/chunks \d+, \d+ failed for good/);
    expect(message).toContain(`kairos screen resume ${run}`);
    expect(await c.exit).not.toBe(0);
    expect(c.log).toContain("restart budget 2");
    const db = openDatabase(home);
    const failures = db
      .prepare("SELECT part, chunk, reason FROM queue_failures WHERE run_id = ? ORDER BY chunk")
      .all(run) as { part: number; chunk: number; reason: string }[];
    db.close();
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.reason).toMatch(/exited mid-job/);
    // healthy workers, then resume by id: the screen finishes with the local figures
    workers.splice(0);
    const w = startWorker();
    await w.waitFor(/worker \S+ on redis/);
    const resumed = await spawnKairos(["--json", "screen", "resume", run!], { home, timeout: 180_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(localCli).toBeDefined();
    expect(figures(resumed.stdout)).toStrictEqual(localCli);
    // an unknown run: one line naming it
    const unknown = runKairos(["screen", "resume", "sc0000000000000000"], { home });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no queued screen run "sc0000000000000000" in this home/);
  }, 300_000);
});
