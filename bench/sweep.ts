// The canonical sweep of issue 5: SMA cross fast 5..50:1 x slow 10..200:10 (fast < slow, 815 combos),
// long-only all-in, next-open fills, 0.1% fee, over 100,000 1h bars (bundled BTC/USDT 1h continued by
// repeating its returns), on 1 thread and on all threads, next to the C reference built here.
// Usage: npm run bench -- sweep [--reps 15] [--bars 100000] [--threads 2]
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { KERNELS } from "../src/adapters/workers/kernels.ts";
import { ThreadWorkerPool } from "../src/adapters/workers/thread-worker-pool.ts";
import { sweepResults } from "../src/backtest/sweep/driver.ts";
import { extendByReturns } from "../src/backtest/sweep/extend-series.ts";
import { expandGrid, parseParamAxis } from "../src/backtest/sweep/grid.ts";
import { RESULT_STRIDE, simConfigOf } from "../src/backtest/sweep/sweep.ts";
import { defaultExecution } from "../src/backtest/types.ts";
import { smaCross } from "../src/strategies/sma-cross/strategy.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";
import { sweepCReference } from "../test/support/sweep-c-reference.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const reps = Math.max(5, arg("reps", 15));
const bars = arg("bars", 100_000);
const maxThreads = arg("threads", Math.max(2, availableParallelism()));
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

const series = extendByReturns(loadBundledSeries("binance", "BTC/USDT", "1h"), bars);
const params = expandGrid(smaCross, [parseParamAxis("fast=5..50:1"), parseParamAxis("slow=10..200:10")]);
const m = params.length;
const sim = simConfigOf(defaultExecution({ fee: 0.001 }), "1h");

// the C reference reads the same bars (float64) and writes its per-combination results
const dir = mkdtempSync(join(tmpdir(), "kairos-sweep-"));
const cRef = sweepCReference(dir, series, "-O3");

interface Timed {
  /** wall-clock ns per bar-combination */
  ns: number;
  /** CPU ns per bar-combination, all threads of the process */
  cpu: number;
  results: Float64Array;
}

function runC(threads: number): Timed {
  const { report: r, results } = cRef.run(threads, sim.fee, sim.slippage);
  if (r.combos !== m) throw new Error(`C swept ${r.combos} combinations, we sweep ${m}`);
  return { ns: r.ns_per_bar_combo, cpu: (r.cpu_seconds * 1e9) / (bars * m), results };
}

// the previous repetition's garbage is collected before each timed run, as the C process frees its
// memory at exit, outside its timer
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const pool = await ThreadWorkerPool.create({ threads: maxThreads, kernels: KERNELS });
async function runOurs(threads: number): Promise<Timed> {
  gc();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await sweepResults(
    series,
    smaCross,
    params,
    sim,
    threads === 1 ? { threads: 1 } : { pool },
  );
  const ms = performance.now() - t0;
  const u = process.cpuUsage(u0);
  return { ns: (ms * 1e6) / (bars * m), cpu: ((u.user + u.system) * 1e3) / (bars * m), results };
}

let maxDiff = 0;
const compare = (ours: Float64Array, c: Float64Array): void => {
  for (let j = 0; j < m; j++)
    for (let k = 0; k < 3; k++) {
      const d = Math.abs(ours[j * RESULT_STRIDE + k]! - c[j * 3 + k]!);
      if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    }
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

try {
  log(
    `sweep bench: ${m} combinations x ${bars} bars, ${reps} interleaved repetitions, ${maxThreads} threads`,
  );
  // one untimed round each: JIT warm-up for us, page cache for C
  await runOurs(1);
  await runOurs(maxThreads);
  runC(1);
  const times = { c1: [] as number[], o1: [] as number[], cN: [] as number[], oN: [] as number[] };
  const cpus = { c1: [] as number[], o1: [] as number[], cN: [] as number[], oN: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const c1 = runC(1);
    const o1 = await runOurs(1);
    const cN = runC(maxThreads);
    const oN = await runOurs(maxThreads);
    compare(o1.results, c1.results);
    compare(oN.results, cN.results);
    compare(oN.results, c1.results);
    times.c1.push(c1.ns);
    times.o1.push(o1.ns);
    times.cN.push(cN.ns);
    times.oN.push(oN.ns);
    cpus.c1.push(c1.cpu);
    cpus.o1.push(o1.cpu);
    cpus.cN.push(cN.cpu);
    cpus.oN.push(oN.cpu);
    log(
      `rep ${r + 1}: ns/bar-combo wall (cpu) 1 thread ours ${o1.ns.toFixed(3)} (${o1.cpu.toFixed(3)}) C ${c1.ns.toFixed(3)} (${c1.cpu.toFixed(3)}); ${maxThreads} threads ours ${oN.ns.toFixed(3)} (${oN.cpu.toFixed(3)}) C ${cN.ns.toFixed(3)} (${cN.cpu.toFixed(3)})`,
    );
  }
  const c1 = median(times.c1);
  const o1 = median(times.o1);
  const cN = median(times.cN);
  const oN = median(times.oN);
  const load = Math.round(loadavg()[0]! * 100) / 100;
  const base = {
    bench: "sweep",
    case: `sma-cross-${m}`,
    unit: "ns/bar-combo",
    bars,
    combos: m,
    reps,
    load_avg: load,
  };
  const ref = { vectorbt: 136, numba: 3.9 };
  process.stdout.write(
    `${JSON.stringify({ ...base, threads: 1, value: round(o1), peers: { c: round(c1), ...ref }, vs_c: round(c1 / o1), cpu: round(median(cpus.o1)), peer_cpu: { c: round(median(cpus.c1)) }, max_abs_diff_vs_c: maxDiff })}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      ...base,
      threads: maxThreads,
      value: round(oN),
      peers: { c: round(cN) },
      cpu: round(median(cpus.oN)),
      peer_cpu: { c: round(median(cpus.cN)) },
      speedup: round(o1 / oN),
      peer_speedup: round(c1 / cN),
      speedup_vs_c_speedup: round(o1 / oN / (c1 / cN)),
      max_abs_diff_vs_c: maxDiff,
    })}\n`,
  );
  if (!(maxDiff <= 1e-9)) {
    log(`FAIL: results differ from the C reference by ${maxDiff} (> 1e-9)`);
    process.exitCode = 1;
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
