// The C reference of the canonical sweep (bench/ref/sweep.c): built, fed and run the same way by
// the agreement test and the benchmark
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CandleSeries } from "../../src/domain/candle-series.ts";

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), "../../bench/ref/sweep.c");

/** What the C program prints on one line */
export interface SweepCReport {
  threads: number;
  combos: number;
  bars: number;
  seconds: number;
  cpu_seconds: number;
  ns_per_bar_combo: number;
}

/**
 * Builds the C sweep into `dir` (gcc `-O2` or `-O3`, no FMA contraction so its arithmetic matches
 * ours) and writes the series' open/high/low/close as its input; `run` sweeps the 815 combinations
 * and returns its report and 3 results (total return, Sharpe, max drawdown) per combination
 */
export function sweepCReference(
  dir: string,
  series: CandleSeries,
  opt: "-O2" | "-O3",
): { run(threads: number, fee: number, slippage: number): { report: SweepCReport; results: Float64Array } } {
  const exe = join(dir, "sweep");
  try {
    execFileSync("gcc", [opt, "-ffp-contract=off", "-pthread", "-o", exe, SOURCE, "-lm"], { stdio: "pipe" });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    // a missing compiler is an unprepared machine, not a pass: say which package to install
    if (err.code === "ENOENT") throw new Error("the C sweep reference needs gcc: apt-get install -y gcc");
    throw new Error(`gcc could not build bench/ref/sweep.c: ${err.stderr?.toString().trim() ?? err.message}`);
  }
  const bars = series.close.length;
  const input = new Float64Array(1 + 4 * bars);
  new BigInt64Array(input.buffer, 0, 1)[0] = BigInt(bars);
  input.set(series.open, 1);
  input.set(series.high, 1 + bars);
  input.set(series.low, 1 + 2 * bars);
  input.set(series.close, 1 + 3 * bars);
  const inPath = join(dir, "in.bin");
  writeFileSync(inPath, input);
  return {
    run(threads, fee, slippage) {
      const out = join(dir, `out-${threads}.bin`);
      const line = execFileSync(exe, [inPath, String(threads), out, String(fee), String(slippage)]);
      const buf = readFileSync(out);
      return {
        report: JSON.parse(line.toString()) as SweepCReport,
        results: new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8),
      };
    },
  };
}
