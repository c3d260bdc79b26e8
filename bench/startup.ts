// `npm run bench -- startup [runs]`: how long a kairos command takes from `node bin/kairos.js` to exit,
// next to `node -e 0` (the floor: starting Node itself) measured in the same run, interleaved run by run
// so the machine's load hits all alike. Prints one JSON line per case: median and fastest wall time, and
// the median CPU time of the child (user + system, from /proc, 10 ms resolution).
// The compiled CLI (dist/, built first) is what users run; the TypeScript sources through tsx are the
// fallback bin/kairos.js takes when dist/ is stale, and what every command cost before the build.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(root, "bin/kairos.js");
const RUNS = Number(process.argv[2] ?? 15);
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const emit = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => Math.round(x * 10) / 10;

/** CPU time of this process's waited-for children so far (ms), or NaN without /proc */
function childrenCpuMs(): number {
  try {
    // proc(5): after "(comm) " come fields 3, 4, ...; cutime and cstime are fields 16 and 17 (clock ticks,
    // 100 per second on Linux)
    const rest = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(rest[16 - 3]) + Number(rest[17 - 3])) * 10;
  } catch {
    return Number.NaN;
  }
}

interface Case {
  name: string;
  mode: "node" | "dist" | "source";
  args: string[];
  env?: Record<string, string>;
  /** the bound for this command (ms), if any */
  limitMs?: number;
  runs: number;
}

function once(c: Case): { wall: number; cpu: number } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, {
    env: { ...process.env, KAIROS_HOME: "", ...c.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}:\n${r.stderr.trim()}`);
  return { wall, cpu: childrenCpuMs() - cpu0 };
}

// 1. the build users run (what `npm ci` / `prepare` leave in dist/)
log("building dist/ ...");
execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });

// 2. the demo home, made once by `kairos demo` and kept in bench/.cache (git-ignored)
const home = join(root, "bench/.cache/startup-demo-home");
if (!existsSync(home)) {
  log(`making the demo home ${home} (kairos demo, once) ...`);
  const tmp = `${home}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync(process.execPath, [BIN, "demo", "--home", tmp], {
    env: { ...process.env, KAIROS_FROM_SOURCE: "0" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // only a finished demo becomes the cached home
  renameSync(tmp, home);
}

const dist = { KAIROS_FROM_SOURCE: "0" };
const source = { KAIROS_FROM_SOURCE: "1" };
const sourceRuns = Math.max(3, Math.ceil(RUNS / 3));
const cases: Case[] = [
  { name: "node -e 0", mode: "node", args: ["-e", "0"], runs: RUNS },
  { name: "kairos --version", mode: "dist", args: [BIN, "--version"], env: dist, limitMs: 300, runs: RUNS },
  {
    name: "kairos data list (demo home)",
    mode: "dist",
    args: [BIN, "--home", home, "data", "list"],
    env: dist,
    limitMs: 800,
    runs: RUNS,
  },
  { name: "kairos --version", mode: "source", args: [BIN, "--version"], env: source, runs: sourceRuns },
  {
    name: "kairos data list (demo home)",
    mode: "source",
    args: [BIN, "--home", home, "data", "list"],
    env: source,
    runs: sourceRuns,
  },
];

// warm the file cache once, then interleave: run r of every case before run r + 1 of any
for (const c of cases) once(c);
const wall = cases.map(() => [] as number[]);
const cpu = cases.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++)
  cases.forEach((c, i) => {
    if (r >= c.runs) return;
    const m = once(c);
    wall[i]!.push(m.wall);
    cpu[i]!.push(m.cpu);
  });

const nodeMedian = median(wall[0]!);
cases.forEach((c, i) => {
  const med = median(wall[i]!);
  emit({
    bench: "startup",
    case: c.name,
    mode: c.mode,
    runs: wall[i]!.length,
    median_ms: round(med),
    min_ms: round(Math.min(...wall[i]!)),
    cpu_median_ms: round(median(cpu[i]!)),
    node_e0_median_ms: round(nodeMedian),
    over_node_ms: round(med - nodeMedian),
    ...(c.limitMs === undefined ? {} : { limit_ms: c.limitMs, within: med <= c.limitMs }),
  });
});
