// Long-running commands run with MALLOC_ARENA_MAX=2: bin/kairos.js starts node again with it
// (src/shells/cli/long-running.mjs). The relaunch must be invisible: the same exit code and output,
// SIGTERM/SIGINT reach the command, stdin is the command's, a SIGKILL of the pid a supervisor knows still
// ends the command, and a setting the person chose is kept. Real `node bin/kairos.js` processes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isLongRunning, LONG_RUNNING_COMMANDS, longRunningEnv } from "../../src/shells/cli/long-running.mjs";
import { ROOT } from "../support/cli.ts";

const BIN = join(ROOT, "bin/kairos.js");
const running: ChildProcess[] = [];
const homes: string[] = [];
const tempHome = (): string => {
  const h = mkdtempSync(join(tmpdir(), "kairos-relaunch-"));
  homes.push(h);
  return h;
};
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});
afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

/** the environment of a process as the kernel holds it (what glibc read at its start) */
function environOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** the pids whose parent is `pid` */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean =>
  existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** this process's environment without the allocator setting (a person who did not set it) */
function withoutSetting(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KAIROS_HOME: "" };
  delete env.MALLOC_ARENA_MAX;
  delete env.KAIROS_LAUNCHER_FD;
  return env;
}

interface Served {
  p: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `kairos serve --port 0` until it says where it listens */
async function serve(home: string, env: Record<string, string> = {}): Promise<Served> {
  const p = spawn(process.execPath, [BIN, "--home", home, "serve", "--port", "0"], {
    env: { ...withoutSetting(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(p);
  let out = "";
  p.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  p.stderr!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    p.on("exit", (code, signal) => r({ code, signal })),
  );
  // a cold start from the sources (dist/ older than someone's edit) under load has taken over 60 s
  await until(
    "the server to listen",
    () => {
      if (p.exitCode !== null || p.signalCode !== null)
        throw new Error(`serve ended before listening:\n${out}`);
      return /kairos API on http/.test(out);
    },
    100_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; its output so far:\n${out}`);
  });
  return { p, out: () => out, exited };
}

describe("which commands are relaunched", () => {
  it("the commands that run until stopped, not the ones that answer and end", () => {
    const yes = [
      ["trade", "start", "--paper"],
      ["--home", "/h", "trade", "resume", "s1"],
      ["--json", "bot", "start", "grid"],
      ["bot", "resume", "b1"],
      ["serve"],
      ["--home", "serve", "serve", "--port", "0"],
      ["worker", "--queue", "redis://x"],
      ["mcp"],
      ["sim", "--port", "1"],
      ["alerts", "listen"],
    ];
    const no = [
      [],
      ["trade", "status"],
      ["trade", "stop", "s1"],
      ["trade", "list"],
      ["bot", "list"],
      ["worker", "status", "--queue", "redis://x"],
      ["worker", "--child"],
      ["--home", "trade", "data", "list"],
      ["backtest", "--strategy", "sma-cross"],
      ["alerts", "config"],
      ["--", "serve"],
    ];
    for (const a of yes) expect(isLongRunning(a), a.join(" ")).toBe(true);
    for (const a of no) expect(isLongRunning(a), a.join(" ")).toBe(false);
  });

  it("bin/kairos.js loads the module for every command that has a long-running form", () => {
    const bin = readFileSync(BIN, "utf8");
    const words = /const LONG_RUNNING_WORDS = (\[[^\]]*\])/.exec(bin)?.[1];
    expect(words, "LONG_RUNNING_WORDS in bin/kairos.js").toBeDefined();
    expect(JSON.parse(words!)).toEqual([...LONG_RUNNING_COMMANDS]);
  });

  it("the setting is added when unset and a person's own value is kept", () => {
    expect(longRunningEnv({ PATH: "/bin" })).toEqual({ PATH: "/bin", MALLOC_ARENA_MAX: "2" });
    expect(longRunningEnv({ PATH: "/bin", MALLOC_ARENA_MAX: "8" })).toBeUndefined();
  });
});

describe("bin/kairos.js relaunches long-running commands", () => {
  it("serve runs in a child with MALLOC_ARENA_MAX=2; SIGTERM ends it as without the relaunch", async () => {
    const home = tempHome();
    const s = await serve(home);
    const [child] = childrenOf(s.p.pid!);
    expect(child).toBeDefined();
    expect(environOf(child!).MALLOC_ARENA_MAX).toBe("2");
    expect(environOf(s.p.pid!).MALLOC_ARENA_MAX).toBeUndefined();
    s.p.kill("SIGTERM");
    const relaunched = await s.exited;
    expect(alive(child!)).toBe(false);

    // the same command started with the setting already there: no relaunch, the same ending
    const direct = await serve(home, { MALLOC_ARENA_MAX: "2" });
    expect(childrenOf(direct.p.pid!)).toEqual([]);
    direct.p.kill("SIGTERM");
    expect(relaunched).toEqual(await direct.exited);
    expect(relaunched).toEqual({ code: 0, signal: null });
  }, 240_000);

  it("SIGINT from outside a terminal reaches the command (it stops cleanly, once)", async () => {
    const s = await serve(tempHome());
    const [child] = childrenOf(s.p.pid!);
    s.p.kill("SIGINT");
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(alive(child!)).toBe(false);
  }, 240_000);

  it("Ctrl-C in a terminal stops the command cleanly: the terminal signals it, the launcher in the foreground leaves it at that", async () => {
    // `script` gives the command a terminal; ^C written to it is SIGINT to the foreground process group,
    // launcher and command alike: the launcher, in the foreground, leaves it to the terminal. The shell
    // `script` starts execs the launcher, as an interactive shell would give the job the foreground:
    // left in the group, a non-interactive shell (dash, when SHELL is /bin/sh) dies of the ^C itself,
    // whatever the command does. SHELL is pinned so the test does not depend on the caller's shell;
    // `script -e` ends with the command's exit code.
    const home = tempHome();
    const p = spawn(
      "script",
      ["-qfec", `exec '${process.execPath}' '${BIN}' --home '${home}' serve --port 0`, "/dev/null"],
      { env: { ...withoutSetting(), SHELL: "/bin/sh" } },
    );
    running.push(p);
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      p.once("exit", (code, signal) => r({ code, signal })),
    );
    let out = "";
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    await until("the server to listen", () => /kairos API on http/.test(out), 60_000);
    p.stdin.write("\u0003");
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 20_000));
    expect(await Promise.race([ended, timeout])).toEqual({ code: 0, signal: null });
    p.stdin.end();
  }, 240_000);

  it("SIGKILL of the launcher ends the command too; a command killed by a signal ends the launcher by it", async () => {
    const a = await serve(tempHome());
    const [childA] = childrenOf(a.p.pid!);
    a.p.kill("SIGKILL");
    await a.exited;
    await until("the relaunched server to end", () => !alive(childA!), 5000);

    const b = await serve(tempHome());
    const [childB] = childrenOf(b.p.pid!);
    process.kill(childB!, "SIGKILL");
    expect(await b.exited).toEqual({ code: null, signal: "SIGKILL" });
  }, 240_000);

  it("a person's own MALLOC_ARENA_MAX is kept: no relaunch", async () => {
    const s = await serve(tempHome(), { MALLOC_ARENA_MAX: "4" });
    expect(childrenOf(s.p.pid!)).toEqual([]);
    expect(environOf(s.p.pid!).MALLOC_ARENA_MAX).toBe("4");
    s.p.kill("SIGTERM");
    await s.exited;
  }, 240_000);

  it("exit code, stdout and stderr of a failing long-running command are the command's own", () => {
    const home = tempHome();
    const args = [
      "trade",
      "start",
      "--strategy",
      "no-such-strategy",
      "--symbols",
      "BTC/USDT",
      "--timeframe",
      "1h",
    ];
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [BIN, "--home", home, ...args], {
        encoding: "utf8",
        env: { ...withoutSetting(), ...env },
      });
      return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    };
    const relaunched = run({});
    const direct = run({ MALLOC_ARENA_MAX: "2" });
    expect(relaunched.code).not.toBe(0);
    expect(relaunched.stderr).toMatch(/no-such-strategy/);
    expect(relaunched).toEqual(direct);
  }, 240_000);

  it("stdin is the command's: MCP over stdio answers through the relaunch", async () => {
    const p = spawn(process.execPath, [BIN, "--home", tempHome(), "mcp"], { env: withoutSetting() });
    running.push(p);
    let out = "";
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    p.stdin.write(
      `${JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      })}\n`,
    );
    await until("the initialize reply", () => out.includes('"id":1'), 60_000);
    expect(JSON.parse(out.split("\n")[0]!).result.serverInfo).toBeDefined();
    const [child] = childrenOf(p.pid!);
    expect(environOf(child!).MALLOC_ARENA_MAX).toBe("2");
    const exited = new Promise((r) => p.on("exit", (code, signal) => r({ code, signal })));
    p.stdin.end(); // end of input ends an MCP stdio server
    expect(await exited).toEqual({ code: 0, signal: null });
  }, 240_000);
});
