// Process setup for kairos's long-running commands (trade start/resume, bot start/resume, serve, worker,
// mcp, sim, alerts listen): they run with glibc's malloc limited to 2 arenas.
//
// Why: the 24 h trading soak (`npm run bench -- trading-soak`) grew RSS +6.5% after warm-up with the
// V8 heap flat (+2.5% after GC), file-backed pages flat and the anonymous memory +17 MB. glibc gives
// each thread that mallocs its own arena (up to 8 x cores: V8's GC and compiler threads, libuv's pool
// for fs/zlib/crypto, better-sqlite3 and ws on the main thread) and memory freed inside an arena is kept
// and fragments; MALLOC_ARENA_MAX=2 measured +1.3% against +3.0% over 12 simulated hours. glibc reads
// the setting once, when the process starts, so it cannot be applied from inside node (node has no
// mallopt): bin/kairos.js starts node again with it when it is not already set (see `relaunch`).
//
// Plain JavaScript (not TypeScript): bin/kairos.js imports it before tsx or the build is loaded, and
// bench/trading-soak.ts gives its trading process the same environment through `longRunningEnv`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { constants } from "node:os";

/** the allocator settings a long-running command gets (when none of them is set already) */
export const ALLOCATOR_ENV = Object.freeze({ MALLOC_ARENA_MAX: "2" });

/** the environment variable that tells the relaunched process which descriptor is its launcher's pipe */
export const LAUNCHER_FD_ENV = "KAIROS_LAUNCHER_FD";

// global options that take a value (src/shells/cli/program.ts): their value is not the command
const VALUE_OPTIONS = new Set(["--home"]);

const LONG_RUNNING = {
  trade: new Set(["start", "resume"]),
  bot: new Set(["start", "resume"]),
  alerts: new Set(["listen"]),
  serve: null,
  worker: null,
  mcp: null,
  sim: null,
};

/** the first two words of a command line that are not options: ["trade", "start"], ["serve"] */
function commandWords(args) {
  const words = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const a = args[i];
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}

/** the commands that have long-running forms (bin/kairos.js loads this module only for these) */
export const LONG_RUNNING_COMMANDS = Object.freeze(Object.keys(LONG_RUNNING).sort());

/** True for the commands that run until stopped */
export function isLongRunning(args) {
  const [cmd, sub] = commandWords(args);
  if (cmd === undefined || !Object.hasOwn(LONG_RUNNING, cmd)) return false;
  const subs = LONG_RUNNING[cmd];
  if (subs === null) {
    // `worker status` asks and ends; `worker --child` runs inside a worker that already has the setting
    return !(cmd === "worker" && (sub === "status" || args.includes("--child")));
  }
  return sub !== undefined && subs.has(sub);
}

/**
 * `env` with the allocator settings of a long-running process, or undefined when any of them is set
 * already (a person's own choice, or a process that was relaunched with them)
 */
export function longRunningEnv(env) {
  if (Object.keys(ALLOCATOR_ENV).some((k) => env[k] !== undefined)) return undefined;
  return { ...env, ...ALLOCATOR_ENV };
}

/** True when this process is in the foreground process group of its terminal (Ctrl-C reaches the whole group) */
function inTerminalForeground() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // after "pid (comm) ": state ppid pgrp session tty_nr tpgid
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgrp = Number(f[2]);
    const tpgid = Number(f[5]);
    return tpgid > 0 && tpgid === pgrp;
  } catch {
    return false;
  }
}

/**
 * Runs this same script again as a child with `env`, and becomes its shadow: stdin/stdout/stderr are
 * the child's, SIGTERM and SIGHUP are passed on, SIGINT and SIGQUIT too unless this process is in its
 * terminal's foreground (the terminal sends Ctrl-C to the whole process group, the child included, and
 * a second SIGINT means "stop now" to `serve` and `worker`), and the child's exit code or signal
 * becomes this process's. A pipe on descriptor 3 ties the child to this process: if this one dies
 * without passing anything on (SIGKILL), the child reads end-of-file and kills itself the same way
 * (`watchLauncher`), so `kill -9` of the pid a supervisor knows still ends the command at once.
 * Never returns.
 */
export function relaunch(script, args, env) {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ["inherit", "inherit", "inherit", "pipe"],
    env: { ...env, [LAUNCHER_FD_ENV]: "3" },
  });
  const terminalSignals = new Set(["SIGINT", "SIGQUIT"]);
  const forward = (signal) => {
    if (terminalSignals.has(signal) && inTerminalForeground()) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"];
  for (const s of signals) process.on(s, forward);
  child.on("error", (err) => {
    process.stderr.write(`kairos: cannot start node again with MALLOC_ARENA_MAX: ${err.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal === null) process.exit(code ?? 1);
    // die of the same signal, so a shell or supervisor sees what it would have seen without the relaunch
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000).unref();
  });
  return new Promise(() => undefined);
}

/**
 * In a relaunched process: dies with SIGKILL as soon as the launcher is gone (its end of the pipe on
 * descriptor 3 closes however it died). The descriptor's variable is removed so that processes this one
 * starts (the worker's job processes) do not watch a descriptor that is not theirs.
 */
export function watchLauncher() {
  const fd = process.env[LAUNCHER_FD_ENV];
  if (fd === undefined) return;
  delete process.env[LAUNCHER_FD_ENV];
  let pipe;
  try {
    pipe = new Socket({ fd: Number(fd), readable: true, writable: false });
  } catch {
    return;
  }
  const orphaned = () => process.kill(process.pid, "SIGKILL");
  pipe.on("end", orphaned);
  pipe.on("close", orphaned);
  pipe.on("error", orphaned);
  pipe.resume();
  pipe.unref();
}
