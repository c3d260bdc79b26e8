// Issue 21: a 10,000-combination sweep (sma-cross fast 5..104:1 x slow 110..1100:10, 0.1% fee, bundled
// BTC/USDT 1h, 43,800 bars) through BullMQ on a local redis-server with 1, 2 and 4 `kairos worker`
// processes, against the in-process thread pool (1 and 2 threads) in the same run; then the per-job
// overhead (1 worker, chunk sizes 25..2,500 against the same work on this thread), Redis commands per
// job (INFO stats delta), and the candle blob (raw vs gzip bytes, encode and decode ms).
// Usage: npm run bench -- queue [--combos 10000] [--chunk 500]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { BullmqJobQueue } from "../src/adapters/bullmq/bullmq-job-queue.ts";
import { openDatabase } from "../src/adapters/sqlite/database.ts";
import { SqliteChunkStore } from "../src/adapters/sqlite/sqlite-chunk-store.ts";
import { KERNELS } from "../src/adapters/workers/kernels.ts";
import { ThreadWorkerPool } from "../src/adapters/workers/thread-worker-pool.ts";
import { decodeSeries, encodeSeries, queueSweeper } from "../src/app/queue-sweep.ts";
import { sweepResults } from "../src/backtest/sweep/driver.ts";
import { expandGrid, parseParamAxis } from "../src/backtest/sweep/grid.ts";
import { simConfigOf } from "../src/backtest/sweep/sweep.ts";
import { defaultExecution } from "../src/backtest/types.ts";
import { smaCross } from "../src/strategies/sma-cross/strategy.ts";
import { RedisServer } from "../test/queue/redis-server.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";
import { ROOT } from "../test/support/cli.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const combos = arg("combos", 10_000);
const chunk = arg("chunk", 500);
const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(
    `${JSON.stringify({ bench: "queue", ...o, load1: Number(loadavg()[0]!.toFixed(2)) })}\n`,
  );
};

const series = loadBundledSeries("binance", "BTC/USDT", "1h");
const slowTo = 110 + 10 * (Math.ceil(combos / 100) - 1);
const params = expandGrid(smaCross, [
  parseParamAxis("fast=5..104:1"),
  parseParamAxis(`slow=110..${slowTo}:10`),
]).slice(0, combos);
const sim = simConfigOf(defaultExecution({ fee: 0.001 }), "1h");
const home = mkdtempSync(join(tmpdir(), "kairos-bench-queue-"));
const redis = await RedisServer.start();
const db = openDatabase(home);
const chunks = new SqliteChunkStore(db);
const queue = await BullmqJobQueue.connect(redis.url);
const stats = new Redis(redis.port, "127.0.0.1");
const commands = async (): Promise<number> =>
  Number(/total_commands_processed:(\d+)/.exec(await stats.info("stats"))?.[1] ?? 0);

// the candle blob: what a worker on another machine downloads once per run
{
  const t0 = performance.now();
  const gz = encodeSeries(series);
  const t1 = performance.now();
  decodeSeries(gz);
  const t2 = performance.now();
  emit({
    case: "series-blob",
    bars: series.close.length,
    rawBytes: 48 * series.close.length,
    gzipBytes: gz.length,
    ratio: Number(((48 * series.close.length) / gz.length).toFixed(2)),
    encodeMs: Number((t1 - t0).toFixed(1)),
    decodeMs: Number((t2 - t1).toFixed(1)),
  });
}

// the reference: this thread, then the in-process pool
// warm (the JIT, the indicator buffer pool) as the worker processes will be, then timed
await sweepResults(series, smaCross, params, sim, { threads: 1 });
const t0 = performance.now();
const ref = await sweepResults(series, smaCross, params, sim, { threads: 1 });
const localS = (performance.now() - t0) / 1000;
emit({ case: "in-process", threads: 1, combos: params.length, seconds: Number(localS.toFixed(3)) });
{
  const pool = await ThreadWorkerPool.create({ threads: 2, kernels: KERNELS });
  const t = performance.now();
  await sweepResults(series, smaCross, params, sim, { pool });
  emit({
    case: "in-process",
    threads: 2,
    combos: params.length,
    seconds: Number(((performance.now() - t) / 1000).toFixed(3)),
  });
  await pool.close();
}

const procs: ChildProcess[] = [];
async function startWorkers(n: number): Promise<void> {
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn(process.execPath, [join(ROOT, "bin/kairos.js"), "worker", "--queue", redis.url], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, KAIROS_HOME: home },
    });
    procs.push(p);
    ready.push(
      new Promise((resolve) => {
        let log = "";
        p.stderr!.on("data", (d: Buffer) => {
          log += d.toString();
          if (log.includes(" on redis")) resolve();
        });
      }),
    );
  }
  await Promise.all(ready);
}
async function stopWorkers(): Promise<void> {
  const exits = procs.splice(0).map((p) => new Promise((r) => p.once("exit", r)));
  for (const p of procs.concat()) p.kill("SIGTERM");
  await Promise.all(exits);
}

/** one queued run (a fresh run id: the chunk size and a salt in the grid order differ per case) */
async function queued(size: number): Promise<{ seconds: number; jobs: number; cmds: number }> {
  const c0 = await commands();
  const t = performance.now();
  const st: { chunks: number }[] = [];
  const out = await queueSweeper({ queue, chunks, chunkSize: size, pollMs: 20 }, st as never)(
    series,
    "sma-cross",
    params,
    sim,
  );
  const seconds = (performance.now() - t) / 1000;
  if (!Buffer.from(out.buffer).equals(Buffer.from(ref.buffer)))
    throw new Error("queued results differ from the local run");
  return { seconds, jobs: st[0]!.chunks, cmds: (await commands()) - c0 };
}

try {
  for (const n of [1, 2, 4]) {
    await startWorkers(n);
    // a first run warms the workers' child processes (module load), as a long-lived worker would be
    await queued(params.length);
    const r = await queued(chunk + n);
    emit({
      case: "queue",
      workers: n,
      combos: params.length,
      chunkSize: chunk + n,
      jobs: r.jobs,
      seconds: Number(r.seconds.toFixed(3)),
      vsInProcess1: Number((r.seconds / localS).toFixed(2)),
      redisCommandsPerJob: Math.round(r.cmds / r.jobs),
    });
    for (const p of procs) p.kill("SIGTERM");
    await stopWorkers();
  }
  // per-job overhead: one warm worker, the same work in ever smaller jobs
  await startWorkers(1);
  await queued(params.length + 1);
  const fit: [number, number][] = [];
  for (const size of [2500, 1000, 250, 100, 25]) {
    const r = await queued(size);
    fit.push([r.jobs, r.seconds]);
    emit({
      case: "overhead",
      workers: 1,
      chunkSize: size,
      jobs: r.jobs,
      seconds: Number(r.seconds.toFixed(3)),
      overheadPct: Number((((r.seconds - localS) / localS) * 100).toFixed(1)),
      perJobMs: Number((((r.seconds - localS) * 1000) / r.jobs).toFixed(2)),
      redisCommandsPerJob: Math.round(r.cmds / r.jobs),
    });
  }
  // seconds = fixed + perJob * jobs, least squares: the fixed part is the run's (publish, fetch,
  // decode, prepare the grid), the slope is what one more job costs
  const k = fit.length;
  const mx = fit.reduce((a, [x]) => a + x, 0) / k;
  const my = fit.reduce((a, [, y]) => a + y, 0) / k;
  const slope =
    fit.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / fit.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  emit({
    case: "overhead-fit",
    perJobMs: Number((slope * 1000).toFixed(2)),
    fixedPerRunS: Number((my - slope * mx - localS).toFixed(3)),
    computeS: Number(localS.toFixed(3)),
    // the smallest job that keeps the per-job cost under 5% of its compute
    chunkAt5PctCombos: Math.ceil((slope * params.length) / (0.05 * localS)),
  });
} finally {
  for (const p of procs) p.kill("SIGTERM");
  await stopWorkers();
  stats.disconnect();
  await queue.close();
  db.close();
  await redis.stop();
  rmSync(home, { recursive: true, force: true });
  emit({ case: "machine", cpus: availableParallelism() });
}
