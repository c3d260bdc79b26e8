// Indicator speed: SMA(20), EMA(20), RSI(14), MACD(12,26,9), Bollinger(20,2), ATR(14), Stochastic(14,3,3),
// ADX(14) over 1,000,000 bars (bundled BTC/USDT 1h continued by repeating its returns), ours with
// caller-provided outputs against a plain C loop (bench/ref/indicators.c, gcc -O3) and the npm peers.
// Usage: npm run bench -- indicators [--bars 1000000] [--reps 7] [--peer-reps 1] [--procs 3] [--warm 200]
//   [--only macd-12-26-9,adx-14] [--no-peers]   (a subset of cases; ours and C only)
// Ours and the C loop are timed in --procs fresh child processes (each alternating ours with C, best
// of --reps), best over the children: the C side already runs in a fresh process per timing, and one
// V8 process's JIT code placement can swing a kernel by up to 2x, so ours gets fresh processes too.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { extendByReturns } from "../src/backtest/sweep/extend-series.ts";
import {
  adx,
  allocBollinger,
  atr,
  bollinger,
  ema,
  macd,
  rsi,
  sma,
  stochastic,
} from "../src/indicators/index.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = arg("bars", 1_000_000);
const REPS = arg("reps", 7);
const PEER_REPS = arg("peer-reps", 1);
const PROCS = arg("procs", 3);
const WARM = arg("warm", 200);
/** set in the child processes that time ours and the C loop; they print the timings as one JSON line */
const CHILD = args.includes("--child");
const onlyAt = args.indexOf("--only");
const ONLY = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").split(",")) : undefined;
const NO_PEERS = args.includes("--no-peers");
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

const s = extendByReturns(loadBundledSeries("binance", "BTC/USDT", "1h"), N);
const { open, high, low, close, volume } = s;
const o = Array.from({ length: 5 }, () => new Float64Array(N));

/**
 * Best process CPU time (user + system, µs) of `reps` runs, in ns per bar: the machine is shared,
 * and CPU time leaves out the time other processes hold the cores (the C loop times the same way)
 */
function time(reps: number, fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.cpuUsage();
    fn();
    const u = process.cpuUsage(t0);
    const dt = u.user + u.system;
    if (dt < best) best = dt;
  }
  return (best * 1e3) / N;
}

// --- the C loop, built here; run per case, interleaved with ours (see below), so both see the same machine
const dir = mkdtempSync(join(tmpdir(), "kairos-ind-bench-"));
const bin = join(dir, "indicators");
const barsFile = join(dir, "bars.f64");
let haveC = true;
try {
  execFileSync("gcc", ["-O3", "-o", bin, join(here, "ref", "indicators.c"), "-lm"]);
  const all = new Float64Array(5 * N);
  [open, high, low, close, volume].forEach((a, j) => {
    all.set(a, j * N);
  });
  writeFileSync(barsFile, new Uint8Array(all.buffer));
} catch (e) {
  haveC = false;
  log(`C reference skipped (gcc failed): ${(e as Error).message}`);
}
/** ns/bar of the C loop for case index k (best of its own `reps`) */
function cTime(k: number, reps: number): number {
  const text = execFileSync(bin, [barsFile, String(N), String(reps), String(k)], { encoding: "utf8" });
  return Number(text.trim().split(" ")[1]);
}

// --- peers: each takes its own input shape, converted before timing
// filled after our timings, so building them (and collecting them) cannot run on our clock
let closeArr: number[] = [];
let highArr: number[] = [];
let lowArr: number[] = [];
let candles: { high: number; low: number; close: number }[] = [];
// the peer libraries load only in the parent process: loaded in the children that time ours, their
// heaps kept V8's background GC threads busy, which process CPU time counts (ours read ~20% slower)
const TI = CHILD ? null : require("technicalindicators");
const IT = CHILD ? null : require("indicatorts");
const IX = CHILD ? null : new (require("@ixjb94/indicators").IndicatorsSync)();
const ts = CHILD ? null : await import("trading-signals");
let tulind:
  | {
      indicators: Record<
        string,
        { indicator(i: unknown[], o: number[], cb: (e: unknown, r: unknown) => void): void }
      >;
    }
  | undefined;
if (!CHILD) {
  try {
    tulind = require("tulind");
  } catch (e) {
    log(`tulind unavailable: ${(e as Error).message}`);
  }
}
const tul = (name: string, inputs: () => unknown[], opts: number[]) => () => {
  const ind = tulind?.indicators[name];
  ind?.indicator(inputs(), opts, (err: unknown) => {
    if (err) throw err;
  });
};
/** Feeds every bar to a trading-signals indicator */
const feed = (mk: () => { update(x: never, replace: boolean): unknown }, bars: () => unknown[]) => () => {
  const ind = mk();
  for (const b of bars()) ind.update(b as never, false);
};

interface Src {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}
const full: Src = { high, low, close };
/** a short prefix for warm-up calls */
const short: Src = {
  high: high.subarray(0, 2000),
  low: low.subarray(0, 2000),
  close: close.subarray(0, 2000),
};

interface Case {
  name: string;
  ours: (x?: Src) => unknown;
  peers: Record<string, (() => unknown) | undefined>;
}

const bb = allocBollinger(N);
const CASES: Case[] = [
  {
    name: "sma-20",
    ours: (x = full) => sma(x.close, 20, o[0]),
    peers: {
      technicalindicators: () => TI.SMA.calculate({ period: 20, values: closeArr }),
      "trading-signals": feed(
        () => new ts!.SMA(20),
        () => closeArr,
      ),
      indicatorts: () => IT.sma(closeArr, { period: 20 }),
      "@ixjb94/indicators": () => IX.sma(closeArr, 20),
      tulind: tul("sma", () => [closeArr], [20]),
    },
  },
  {
    name: "ema-20",
    ours: (x = full) => ema(x.close, 20, o[0]),
    peers: {
      technicalindicators: () => TI.EMA.calculate({ period: 20, values: closeArr }),
      "trading-signals": feed(
        () => new ts!.EMA(20),
        () => closeArr,
      ),
      indicatorts: () => IT.ema(closeArr, { period: 20 }),
      "@ixjb94/indicators": () => IX.ema(closeArr, 20),
      tulind: tul("ema", () => [closeArr], [20]),
    },
  },
  {
    name: "rsi-14",
    ours: (x = full) => rsi(x.close, 14, o[0]),
    peers: {
      technicalindicators: () => TI.RSI.calculate({ period: 14, values: closeArr }),
      "trading-signals": feed(
        () => new ts!.RSI(14),
        () => closeArr,
      ),
      indicatorts: () => IT.rsi(closeArr, { period: 14 }),
      "@ixjb94/indicators": () => IX.rsi(closeArr, 14),
      tulind: tul("rsi", () => [closeArr], [14]),
    },
  },
  {
    name: "macd-12-26-9",
    ours: (x = full) => macd(x.close, 12, 26, 9, { macd: o[0]!, signal: o[1]!, hist: o[2]! }),
    peers: {
      technicalindicators: () =>
        TI.MACD.calculate({
          values: closeArr,
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
      "trading-signals": feed(
        () => new ts!.MACD(new ts!.EMA(12), new ts!.EMA(26), new ts!.EMA(9)),
        () => closeArr,
      ),
      indicatorts: () => IT.macd(closeArr, { fast: 12, slow: 26, signal: 9 }),
      "@ixjb94/indicators": () => IX.macd(closeArr, 12, 26, 9),
      tulind: tul("macd", () => [closeArr], [12, 26, 9]),
    },
  },
  {
    name: "bollinger-20-2",
    ours: (x = full) => bollinger(x.close, 20, 2, bb),
    peers: {
      technicalindicators: () => TI.BollingerBands.calculate({ period: 20, stdDev: 2, values: closeArr }),
      "trading-signals": feed(
        () => new ts!.BollingerBands(20, 2),
        () => closeArr,
      ),
      indicatorts: () => IT.bb(closeArr, { period: 20 }),
      "@ixjb94/indicators": () => IX.bbands(closeArr, 20, 2),
      tulind: tul("bbands", () => [closeArr], [20, 2]),
    },
  },
  {
    name: "atr-14",
    ours: (x = full) => atr(x.high, x.low, x.close, 14, o[0]),
    peers: {
      technicalindicators: () =>
        TI.ATR.calculate({ high: highArr, low: lowArr, close: closeArr, period: 14 }),
      "trading-signals": feed(
        () => new ts!.ATR(14),
        () => candles,
      ),
      indicatorts: () => IT.atr(highArr, lowArr, closeArr, { period: 14 }),
      "@ixjb94/indicators": () => IX.atr(highArr, lowArr, closeArr, 14),
      tulind: tul("atr", () => [highArr, lowArr, closeArr], [14]),
    },
  },
  {
    name: "stochastic-14-3-3",
    ours: (x = full) => stochastic(x.high, x.low, x.close, 14, 3, 3, { k: o[0]!, d: o[1]! }),
    peers: {
      // technicalindicators' Stochastic has no %K slowing: %K(14) and %D(3), the nearest it offers
      technicalindicators: () =>
        TI.Stochastic.calculate({ high: highArr, low: lowArr, close: closeArr, period: 14, signalPeriod: 3 }),
      "trading-signals": feed(
        () => new ts!.StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }),
        () => candles,
      ),
      // indicatorts' stoch has no %K slowing either: %K(14), %D(3)
      indicatorts: () => IT.stoch(highArr, lowArr, closeArr, { kPeriod: 14, dPeriod: 3 }),
      "@ixjb94/indicators": () => IX.stoch(highArr, lowArr, closeArr, 14, 3, 3),
      tulind: tul("stoch", () => [highArr, lowArr, closeArr], [14, 3, 3]),
    },
  },
  {
    name: "adx-14",
    ours: (x = full) => adx(x.high, x.low, x.close, 14, { adx: o[0]!, plusDi: o[1]!, minusDi: o[2]! }),
    peers: {
      technicalindicators: () =>
        TI.ADX.calculate({ high: highArr, low: lowArr, close: closeArr, period: 14 }),
      "trading-signals": feed(
        () => new ts!.ADX(14),
        () => candles,
      ),
      // indicatorts has no ADX
      indicatorts: undefined,
      "@ixjb94/indicators": () => IX.adx(highArr, lowArr, 14),
      tulind: tul("adx", () => [highArr, lowArr, closeArr], [14]),
    },
  },
];

/** Best-of-REPS ns/bar of ours and of the C loop per case, alternating the two, in this process */
function measure(): { ours: number[]; c: number[] } {
  // ours first, before any peer has made garbage (its collection would run on background threads and
  // count in this process's CPU time); ours and the C loop alternate, best of REPS each
  const oursNs: number[] = [];
  const cNs: number[] = [];
  for (const [k, c] of CASES.entries()) {
    if (ONLY !== undefined && !ONLY.has(c.name)) {
      oursNs.push(Number.NaN);
      cNs.push(Number.NaN);
      continue;
    }
    // warm-up on a short prefix first, as a sweep's many calls would: V8 allocates a function's type
    // feedback only during its first call, so a kernel first called on a million bars is compiled
    // with none for the code before its loop and deoptimises there; its later code then depends on
    // when the concurrent compiles land, which swung a kernel by up to 2-3x from process to process
    for (let w = 0; w < WARM; w++) c.ours(short);
    c.ours();
    let value = Number.POSITIVE_INFINITY;
    let cBest = Number.POSITIVE_INFINITY;
    for (let r = 0; r < REPS; r++) {
      // an untimed run first, as the C loop does: the C process has just evicted our arrays from cache
      c.ours();
      value = Math.min(value, time(1, c.ours));
      if (haveC) cBest = Math.min(cBest, cTime(k, 1));
    }
    oursNs.push(value);
    cNs.push(cBest);
  }
  return { ours: oursNs, c: cNs };
}

if (CHILD) {
  process.stdout.write(`${JSON.stringify(measure())}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
log(
  `indicators bench: ${N.toLocaleString("en-US")} bars, ours and C best of ${REPS} in each of ${PROCS} fresh processes (peers: best of ${PEER_REPS})`,
);
const oursNs = CASES.map(() => Number.POSITIVE_INFINITY);
const cNs = CASES.map(() => Number.POSITIVE_INFINITY);
for (let p = 0; p < PROCS; p++) {
  const text = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...args, "--child"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(text.trim().split("\n").pop() ?? "{}") as { ours: number[]; c: number[] };
  log(
    `  process ${p + 1}: ours ${r.ours.map((v) => v?.toFixed(2) ?? "-").join(" ")} | C ${r.c.map((v) => v?.toFixed(2) ?? "-").join(" ")}`,
  );
  r.ours.forEach((v, k) => {
    oursNs[k] = Math.min(oursNs[k]!, v ?? Number.NaN);
  });
  r.c.forEach((v, k) => {
    cNs[k] = Math.min(cNs[k]!, v ?? Number.NaN);
  });
}
closeArr = Array.from(close);
highArr = Array.from(high);
lowArr = Array.from(low);
candles = Array.from(close, (c, i) => ({ high: high[i]!, low: low[i]!, close: c }));
for (const [k, c] of CASES.entries()) {
  if (ONLY !== undefined && !ONLY.has(c.name)) continue;
  const value = oursNs[k]!;
  const cBest = cNs[k]!;
  const peers: Record<string, number | null> = {};
  if (haveC) peers.c = Number(cBest.toFixed(3));
  for (const [name, fn] of Object.entries(c.peers)) {
    if (NO_PEERS) break;
    if (fn === undefined || (name === "tulind" && tulind === undefined)) {
      peers[name] = null;
      continue;
    }
    try {
      fn();
      peers[name] = Number(time(PEER_REPS, fn).toFixed(2));
    } catch (e) {
      log(`${c.name}: ${name} failed: ${(e as Error).message}`);
      peers[name] = null;
    }
  }
  const npm = Object.entries(peers).filter(([k, v]) => k !== "c" && v !== null) as [string, number][];
  const fastestNpm = Math.min(...npm.map(([, v]) => v));
  const line = {
    bench: "indicators",
    case: c.name,
    unit: "ns/bar",
    threads: 1,
    bars: N,
    value: Number(value.toFixed(3)),
    peers,
    vs_c: typeof peers.c === "number" ? Number((value / peers.c).toFixed(2)) : null,
    speedup_vs_technicalindicators: peers.technicalindicators
      ? Number((peers.technicalindicators / value).toFixed(1))
      : null,
    speedup_vs_fastest_npm: Number((fastestNpm / value).toFixed(1)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
rmSync(dir, { recursive: true, force: true });
