// Issue 21, everything against peers measured in the same run, on a local redis-server with real
// `kairos worker` processes; medians of --repeats runs (progress on stderr, JSON lines on stdout):
//  - blob:   the published candles at gzip levels 1, 3, 6, 9 (bytes, encode and decode ms), and the
//            cost of a level for W workers on a 1 Gbit/s link (encode once + W downloads + decode)
//  - redis:  redis-benchmark against the same Redis (the ceiling of one Redis, in commands/s)
//  - screen: a 10,000-variant screen (ai-tokens, 1h, default validation, seed 7) in process on 1 and
//            2 threads, through the queue with 1, 2 and 4 workers (each result checked equal to the
//            local run), then the per-job overhead (1 worker, chunk sizes 2,000..20) and Redis
//            commands per job
//  - sweep:  a 10,000-combination sma-cross sweep (BTC/USDT 1h) the same way
// Usage: npm run bench -- queue [--case blob|redis|screen|sweep] [--variants 10000] [--combos 10000]
//        [--repeats 3] [--chunk 250]
// Build first (`npm run build`): the workers then start from dist/ as an installed kairos does.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Redis } from "ioredis";
import { BullmqJobQueue } from "../src/adapters/bullmq/bullmq-job-queue.ts";
import { openDatabase } from "../src/adapters/sqlite/database.ts";
import { SqliteChunkStore } from "../src/adapters/sqlite/sqlite-chunk-store.ts";
import { KERNELS } from "../src/adapters/workers/kernels.ts";
import { ThreadWorkerPool } from "../src/adapters/workers/thread-worker-pool.ts";
import { type QueuedScreenStats, queueScreener } from "../src/app/queue-screen.ts";
import { decodeSeries, encodeSeries, queueSweeper, SERIES_GZIP_LEVEL } from "../src/app/queue-sweep.ts";
import { poolHooks } from "../src/app/run-screen.ts";
import { sweepResults } from "../src/backtest/sweep/driver.ts";
import { expandGrid, parseParamAxis } from "../src/backtest/sweep/grid.ts";
import { simConfigOf } from "../src/backtest/sweep/sweep.ts";
import { defaultExecution } from "../src/backtest/types.ts";
import type { CandleSeries } from "../src/domain/candle-series.ts";
import { runScreen, type ScreenRun } from "../src/research/screen.ts";
import { UNIVERSES } from "../src/research/screen-catalog.ts";
import { SCREEN_KERNEL } from "../src/research/screen-kernel.ts";
import { defaultValidationConfig } from "../src/research/validation-config.ts";
import { smaCross } from "../src/strategies/sma-cross/strategy.ts";
import { RedisServer } from "../test/queue/redis-server.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";
import { ROOT } from "../test/support/cli.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const only = ((): string | undefined => {
  const i = args.indexOf("--case");
  return i >= 0 ? args[i + 1] : undefined;
})();
const want = (c: string): boolean => only === undefined || only === c;
const repeats = arg("repeats", 3);
const log = (s: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
};
const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(
    `${JSON.stringify({ bench: "queue", ...o, load1: Number(loadavg()[0]!.toFixed(2)) })}\n`,
  );
};
const r3 = (x: number): number => Number(x.toFixed(3));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const timed = async <T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> => {
  const t = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t) / 1000, value };
};
/** least squares seconds = fixed + perJob * jobs */
const fitLine = (pts: readonly [number, number][]): { slope: number; intercept: number } => {
  const k = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / k;
  const my = pts.reduce((a, [, y]) => a + y, 0) / k;
  const slope =
    pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return { slope, intercept: my - slope * mx };
};

emit({ case: "machine", cpus: availableParallelism(), node: process.version });

// --- blob: which gzip level for the published candles ---------------------------------------------
if (want("blob")) {
  const LINK_BYTES_PER_S = 125e6; // 1 Gbit/s, the link of the Redis every worker downloads from
  const cases: [string, CandleSeries][] = [
    ["BTC/USDT 1h", loadBundledSeries("binance", "BTC/USDT", "1h")],
    ["BTC/USDT 5m", loadBundledSeries("binance", "BTC/USDT", "5m")],
    ["TAO/USDT 1h", loadBundledSeries("binance", "TAO/USDT", "1h")],
    ["BTC/USDT 1d", loadBundledSeries("binance", "BTC/USDT", "1d")],
  ];
  for (const [name, s] of cases) {
    const raw = 48 * s.ts.length;
    for (const level of [1, 3, 6, 9] as const) {
      encodeSeries(s, level); // warm the JIT
      const enc: number[] = [];
      const dec: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const gz = encodeSeries(s, level);
        const t1 = performance.now();
        decodeSeries(gz);
        const t2 = performance.now();
        enc.push(t1 - t0);
        dec.push(t2 - t1);
        bytes = gz.length;
      }
      const e = median(enc);
      const d = median(dec);
      // the run's cost of this level: encoded once, downloaded once per worker through one link, decoded on each worker in parallel
      const costMs = (w: number): number =>
        Number((e + (w * bytes * 1000) / LINK_BYTES_PER_S + d).toFixed(1));
      emit({
        case: "series-blob",
        series: name,
        bars: s.ts.length,
        level,
        chosen: level === SERIES_GZIP_LEVEL,
        rawBytes: raw,
        gzipBytes: bytes,
        ratio: Number((raw / bytes).toFixed(3)),
        encodeMs: Number(e.toFixed(1)),
        decodeMs: Number(d.toFixed(1)),
        costMsAt1GbitFor: { w1: costMs(1), w10: costMs(10), w100: costMs(100), w1000: costMs(1000) },
      });
    }
  }
}

const needRedis = want("redis") || want("screen") || want("sweep");
const redis = needRedis ? await RedisServer.start() : undefined;
const procs: ChildProcess[] = [];
const homes: string[] = [];
const tempHome = (): string => {
  const h = mkdtempSync(join(tmpdir(), "kairos-bench-queue-"));
  homes.push(h);
  return h;
};

async function startWorkers(n: number, home: string): Promise<void> {
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn(
      process.execPath,
      [join(ROOT, "bin/kairos.js"), "--home", home, "worker", "--queue", redis!.url],
      { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, KAIROS_HOME: "" } },
    );
    procs.push(p);
    ready.push(
      new Promise((resolve, reject) => {
        let out = "";
        p.stderr!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes(" on redis")) resolve();
        });
        p.once("exit", (code) => reject(new Error(`worker exited ${code}: ${out}`)));
      }),
    );
  }
  await Promise.all(ready);
}
async function stopWorkers(): Promise<void> {
  const ps = procs.splice(0);
  const exits = ps.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r))));
  for (const p of ps) p.kill("SIGTERM");
  await Promise.all(exits);
}

try {
  const stats = redis === undefined ? undefined : new Redis(redis.port, "127.0.0.1");
  const commands = async (): Promise<number> =>
    Number(/total_commands_processed:(\d+)/.exec(await stats!.info("stats"))?.[1] ?? 0);

  // --- redis: the ceiling of one Redis on this machine, same run ------------------------------------
  if (want("redis")) {
    const out = execFileSync(
      "redis-benchmark",
      ["-p", String(redis!.port), "-q", "-n", "50000", "-c", "20", "-t", "set,get,hset,lpush,rpop"],
      { encoding: "utf8" },
    );
    // -q prints one "NAME: N requests per second" line per test after \r-separated progress
    const rates = Object.fromEntries(
      out
        .split(/[\r\n]+/)
        .map((l) => /^([A-Z]+)[^:]*: ([\d.]+) requests per second/.exec(l.trim()))
        .filter((m) => m !== null)
        .map((m) => [m[1]!, Number(m[2])]),
    );
    emit({ case: "redis-benchmark", clients: 20, unit: "commands/s", ...rates });
  }

  // --- screen: 10,000 variants ------------------------------------------------------------------------
  if (want("screen")) {
    const variants = arg("variants", 10_000);
    const chunk = arg("chunk", 250);
    const overheadSizes = (
      ((): string | undefined => {
        const i = args.indexOf("--overhead-sizes");
        return i >= 0 ? args[i + 1] : undefined;
      })() ?? "2000,500,100,20"
    )
      .split(",")
      .map(Number);
    const series = UNIVERSES["ai-tokens"]!.map((s) => loadBundledSeries("binance", s, "1h"));
    const reference = loadBundledSeries("binance", "BTC/USDT", "1h");
    const config = defaultValidationConfig();
    const seed = 7;
    const base = { series, reference, variants, seed, search: "auto" as const, config };
    log(`screen: ${variants} variants over ${series.length} symbols (1h); ${repeats} repeats per case`);
    let localRun: ScreenRun | undefined;
    const local: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const r = await timed(() => runScreen(base));
      localRun ??= r.value;
      local.push(r.seconds);
      log(`  in-process 1 thread: ${r.seconds.toFixed(2)} s`);
    }
    const localS = median(local);
    emit({
      case: "screen-in-process",
      variants,
      threads: 1,
      seconds: r3(localS),
      runs: local.map(r3),
      search: localRun!.search.method,
    });
    {
      const pool = await ThreadWorkerPool.create({
        threads: 2,
        kernels: { [SCREEN_KERNEL]: KERNELS[SCREEN_KERNEL]! },
      });
      const xs: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const r = await timed(() =>
          runScreen({ ...base, ...poolHooks(pool, series, reference, config, seed) }),
        );
        if (!isDeepStrictEqual(r.value, localRun))
          throw new Error("the 2-thread screen differs from the local run");
        xs.push(r.seconds);
        log(`  in-process 2 threads: ${r.seconds.toFixed(2)} s`);
      }
      await pool.close();
      emit({ case: "screen-in-process", variants, threads: 2, seconds: r3(median(xs)), runs: xs.map(r3) });
    }
    const queue = await BullmqJobQueue.connect(redis!.url);
    /** one queued screen, in a fresh home (nothing stored yet), checked equal to the local run */
    const queuedScreen = async (
      chunkSize: number,
    ): Promise<{ seconds: number; jobs: number; cmds: number; st: QueuedScreenStats }> => {
      const home = tempHome();
      const db = openDatabase(home);
      const st: QueuedScreenStats[] = [];
      const c0 = await commands();
      const r = await timed(async () => {
        const remote = await queueScreener(
          { queue, chunks: new SqliteChunkStore(db), chunkSize },
          st,
        )({
          series,
          reference,
          config,
          seed,
          request: { symbols: series.map((s) => s.symbol), timeframe: "1h", variants, seed, search: "auto" },
        });
        return runScreen({ ...base, evaluate: remote.evaluate, monteCarlo: remote.monteCarlo });
      });
      const cmds = (await commands()) - c0;
      db.close();
      if (!isDeepStrictEqual(r.value, localRun))
        throw new Error("the queued screen differs from the local run");
      return { seconds: r.seconds, jobs: st[0]!.chunks, cmds, st: st[0]! };
    };
    const pts: [number, number][] = [];
    for (const n of [1, 2, 4]) {
      await startWorkers(n, tempHome());
      // no warm-up run: the workers load their modules before taking jobs, and the median of the
      // repeats absorbs the first run's JIT warm-up, as it does for the in-process runs
      const xs: number[] = [];
      let last: Awaited<ReturnType<typeof queuedScreen>> | undefined;
      for (let i = 0; i < repeats; i++) {
        last = await queuedScreen(chunk);
        xs.push(last.seconds);
        log(`  queue, ${n} worker(s): ${last.seconds.toFixed(2)} s (${last.jobs} jobs)`);
      }
      emit({
        case: "screen-queue",
        variants,
        workers: n,
        chunkSize: chunk,
        jobs: last!.jobs,
        parts: last!.st.parts,
        seconds: r3(median(xs)),
        runs: xs.map(r3),
        vsInProcess1: Number((median(xs) / localS).toFixed(2)),
        redisCommandsPerJob: Math.round(last!.cmds / last!.jobs),
        blobBytes: last!.st.blobBytes,
        rawBytes: last!.st.rawBytes,
      });
      if (n === 1) {
        // per-job overhead: the same warm worker, the same screen in ever smaller jobs
        for (const size of overheadSizes) {
          const r = await queuedScreen(size);
          pts.push([r.jobs, r.seconds]);
          log(`  overhead, chunk ${size}: ${r.seconds.toFixed(2)} s (${r.jobs} jobs)`);
          emit({
            case: "screen-overhead",
            variants,
            workers: 1,
            chunkSize: size,
            jobs: r.jobs,
            seconds: r3(r.seconds),
            overheadPct: Number((((r.seconds - localS) / localS) * 100).toFixed(1)),
            redisCommandsPerJob: Math.round(r.cmds / r.jobs),
          });
        }
      }
      await stopWorkers();
    }
    const fit = fitLine(pts);
    const perVariantS = localS / variants;
    emit({
      case: "screen-overhead-fit",
      variants,
      perJobMs: Number((fit.slope * 1000).toFixed(2)),
      fixedPerRunS: r3(fit.intercept - localS),
      computeS: r3(localS),
      computeMsPerVariant: Number((perVariantS * 1000).toFixed(3)),
      // the smallest job whose queue cost stays under 5% of its compute
      chunkAt5PctVariants: Math.ceil(fit.slope / (0.05 * perVariantS)),
    });
    await queue.close();
  }

  // --- sweep: 10,000 combinations ----------------------------------------------------------------------
  if (want("sweep")) {
    const combos = arg("combos", 10_000);
    const chunk = 500;
    const series = loadBundledSeries("binance", "BTC/USDT", "1h");
    const slowTo = 110 + 10 * (Math.ceil(combos / 100) - 1);
    const params = expandGrid(smaCross, [
      parseParamAxis("fast=5..104:1"),
      parseParamAxis(`slow=110..${slowTo}:10`),
    ]).slice(0, combos);
    const sim = simConfigOf(defaultExecution({ fee: 0.001 }), "1h");
    log(`sweep: ${params.length} sma-cross combinations on ${series.close.length} bars`);
    await sweepResults(series, smaCross, params, sim, { threads: 1 }); // warm, as the workers will be
    const local: number[] = [];
    let ref: Float64Array | undefined;
    for (let i = 0; i < repeats; i++) {
      const r = await timed(() => sweepResults(series, smaCross, params, sim, { threads: 1 }));
      ref ??= r.value;
      local.push(r.seconds);
    }
    const localS = median(local);
    emit({
      case: "sweep-in-process",
      combos: params.length,
      threads: 1,
      seconds: r3(localS),
      runs: local.map(r3),
    });
    {
      const pool = await ThreadWorkerPool.create({ threads: 2, kernels: KERNELS });
      const xs: number[] = [];
      for (let i = 0; i < repeats; i++)
        xs.push((await timed(() => sweepResults(series, smaCross, params, sim, { pool }))).seconds);
      await pool.close();
      emit({
        case: "sweep-in-process",
        combos: params.length,
        threads: 2,
        seconds: r3(median(xs)),
        runs: xs.map(r3),
      });
    }
    const queue = await BullmqJobQueue.connect(redis!.url);
    const queuedSweep = async (size: number): Promise<{ seconds: number; jobs: number; cmds: number }> => {
      const home = tempHome();
      const db = openDatabase(home);
      const st: { chunks: number }[] = [];
      const c0 = await commands();
      const r = await timed(() =>
        queueSweeper({ queue, chunks: new SqliteChunkStore(db), chunkSize: size }, st as never)(
          series,
          "sma-cross",
          params,
          sim,
        ),
      );
      const cmds = (await commands()) - c0;
      db.close();
      if (!Buffer.from(r.value.buffer).equals(Buffer.from(ref!.buffer)))
        throw new Error("queued sweep results differ from the local run");
      return { seconds: r.seconds, jobs: st[0]!.chunks, cmds };
    };
    for (const n of [1, 2, 4]) {
      await startWorkers(n, tempHome());
      await queuedSweep(params.length);
      const xs: number[] = [];
      let last: { jobs: number; cmds: number } | undefined;
      for (let i = 0; i < repeats; i++) {
        const r = await queuedSweep(chunk);
        xs.push(r.seconds);
        last = r;
      }
      emit({
        case: "sweep-queue",
        combos: params.length,
        workers: n,
        chunkSize: chunk,
        jobs: last!.jobs,
        seconds: r3(median(xs)),
        runs: xs.map(r3),
        vsInProcess1: Number((median(xs) / localS).toFixed(2)),
        redisCommandsPerJob: Math.round(last!.cmds / last!.jobs),
      });
      await stopWorkers();
    }
    await startWorkers(1, tempHome());
    await queuedSweep(params.length);
    const pts: [number, number][] = [];
    for (const size of [2500, 1000, 250, 100, 25]) {
      const r = await queuedSweep(size);
      pts.push([r.jobs, r.seconds]);
      emit({
        case: "sweep-overhead",
        workers: 1,
        chunkSize: size,
        jobs: r.jobs,
        seconds: r3(r.seconds),
        overheadPct: Number((((r.seconds - localS) / localS) * 100).toFixed(1)),
        redisCommandsPerJob: Math.round(r.cmds / r.jobs),
      });
    }
    await stopWorkers();
    const fit = fitLine(pts);
    emit({
      case: "sweep-overhead-fit",
      perJobMs: Number((fit.slope * 1000).toFixed(2)),
      fixedPerRunS: r3(fit.intercept - localS),
      computeS: r3(localS),
      chunkAt5PctCombos: Math.ceil((fit.slope * params.length) / (0.05 * localS)),
    });
    await queue.close();
  }
  stats?.disconnect();
} finally {
  await stopWorkers();
  await redis?.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}
