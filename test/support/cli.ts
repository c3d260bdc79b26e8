// Runs the kairos CLI for tests: as a child process (`node bin/kairos.js`) or in-process, with a temp --home
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, vi } from "vitest";
import { runCli } from "../../src/shells/cli/main.ts";
import { commandOfArgv, flagFor } from "../../src/shells/cli/options.ts";
import { buildProgram } from "../../src/shells/cli/program.ts";
import { renderError } from "../../src/shells/cli/render-error.ts";
import { DATA_DIR } from "./bundled-data.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/kairos.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KairosOptions {
  /** passed as `--home` before the arguments */
  home?: string;
  /** added to the environment (KAIROS_HOME is cleared so a developer's own home is never used) */
  env?: Record<string, string>;
  /** milliseconds before the child is killed */
  timeout?: number;
}

const argv = (args: readonly string[], home: string | undefined): string[] =>
  home === undefined ? [...args] : ["--home", home, ...args];

const childEnv = (env: Record<string, string> | undefined): NodeJS.ProcessEnv => ({
  ...process.env,
  KAIROS_HOME: "",
  ...env,
});

/** `node bin/kairos.js ...args` as a child process, waiting for it to exit */
export function runKairos(args: readonly string[], opts: KairosOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...argv(args, opts.home)], {
    encoding: "utf8",
    env: childEnv(opts.env),
    maxBuffer: 64 << 20,
    ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/kairos.js ...args` without blocking the test; `whileRunning` gets the pid (to send signals) */
export function spawnKairos(
  args: readonly string[],
  opts: KairosOptions & { whileRunning?: (pid: number) => Promise<void> } = {},
): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...argv(args, opts.home)], {
      env: childEnv(opts.env),
      ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
    if (opts.whileRunning !== undefined) opts.whileRunning(child.pid!).catch(fail);
  });
}

/** A CLI process left running in the background (`startKairos`): its output so far, and its end */
export interface BackgroundKairos {
  child: ChildProcess;
  io: { out: string; err: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node bin/kairos.js --home H ...args` in the background (a trader, a bot, an exchange), its output
 * collected as it comes; pushed onto `children` so the test's cleanup can kill what is left
 */
export function startKairos(
  home: string,
  args: readonly string[],
  children: ChildProcess[],
): BackgroundKairos {
  const child = spawn(process.execPath, [BIN, "--home", home, ...args], {
    env: { ...process.env, KAIROS_HOME: "" },
  });
  children.push(child);
  const io = { out: "", err: "" };
  child.stdout?.on("data", (d: Buffer) => {
    io.out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    io.err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("close", (code, signal) => done({ code, signal })),
  );
  return { child, io, exited };
}

/** Polls `cond` every 200 ms until it holds; fails naming `what` after `ms` */
export async function waitUntil(
  cond: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What `GET /sim/ledger` of a `kairos sim --ledger` process holds (the fields live tests compare) */
export interface SimLedger {
  orders: { clientOrderId: string; status: string; executedQty: string }[];
  fills: { clientOrderId: string }[];
  balances: Record<string, { free: string; locked: string }>;
}

/**
 * A real `kairos sim` process for live CLI tests: bitstamp BTC/USD 1m candles at 20x real time (a
 * bar every 3 s), its ledger served, 10,000 USD on the key given; resolves once it says where it
 * listens. `ledger()` asks again when an idle keep-alive socket the exchange closed fails the read
 */
export async function startTimeScaledSim(
  home: string,
  key: string,
  secret: string,
  children: ChildProcess[],
): Promise<{ sim: BackgroundKairos; url: string; ledger: () => Promise<SimLedger> }> {
  const sim = startKairos(
    home,
    [
      "--json",
      "sim",
      "--port",
      "0",
      "--data",
      "bitstamp:BTC/USD:1m",
      "--speed",
      "20",
      "--ledger",
      "--key",
      key,
      "--secret",
      secret,
      "--balance",
      "USD=10000",
    ],
    children,
  );
  await waitUntil(() => sim.io.out.trim().endsWith("}"), 90_000, "the simulated exchange");
  const url = (JSON.parse(sim.io.out) as { url: string }).url;
  const ledger = async (): Promise<SimLedger> => {
    for (let i = 0; ; i++)
      try {
        return (await (await fetch(`${url}/sim/ledger`)).json()) as SimLedger;
      } catch (err) {
        if (i >= 2) throw err;
      }
  };
  return { sim, url, ledger };
}

/** Runs the CLI in this process (no tsx start-up) and captures what it writes to stdout and stderr */
export async function runKairosInProcess(
  args: readonly string[],
  opts: { home?: string } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await runCli(argv(args, opts.home));
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A temp home removed after the test file; call at the top level of a test file */
export function tempHome(prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/**
 * A temp home into which the named bundled files (e.g. "binance_BTC-USDT_1d.csv") are imported once,
 * before the file's first test; call at the top level of a test file
 */
export function bundledHome(prefix: string, files: readonly string[]): string {
  const home = tempHome(prefix);
  beforeAll(async () => {
    for (const f of files) {
      const r = await runKairosInProcess(["data", "import", join(DATA_DIR, f)], { home });
      if (r.code !== 0) throw new Error(`importing ${f} into ${home} failed (exit ${r.code}): ${r.stderr}`);
    }
  }, 120_000);
  return home;
}

/**
 * Runs `fn` (a use case called directly) and, when it throws, rethrows the error as the CLI of
 * `command` words it: field paths become that command's flags (`leverage` -> `--leverage`)
 */
export function asCli<T>(command: string, fn: () => T): T {
  const render = (err: unknown): never => {
    const program = buildProgram();
    const cmd = commandOfArgv(program, command.split(" "));
    const { text } = renderError(err, {
      debug: false,
      json: false,
      command,
      flagFor: (field) => flagFor(cmd, field),
    });
    throw new Error(text);
  };
  try {
    const out = fn();
    return (out instanceof Promise ? out.catch(render) : out) as T;
  } catch (err) {
    return render(err);
  }
}
