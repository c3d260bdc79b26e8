// A real `kairos worker` process for the queue tests and bench: its stderr lines kept, stopped by PID
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../support/cli.ts";

const BIN = join(ROOT, "bin/kairos.js");

export class WorkerProc {
  readonly proc: ChildProcess;
  log = "";
  exit: Promise<number | null>;
  /** lock 2 s: a SIGKILLed worker's job is taken again within seconds instead of the default 30 */
  constructor(home: string, url: string, extra: string[] = [], env: Record<string, string> = {}) {
    this.proc = spawn(
      process.execPath,
      [BIN, "--home", home, "worker", "--queue", url, "--lock-ms", "2000", ...extra],
      { env: { ...process.env, KAIROS_HOME: "", ...env }, stdio: ["ignore", "ignore", "pipe"] },
    );
    this.proc.stderr!.on("data", (d: Buffer) => {
      this.log += d.toString();
    });
    this.exit = new Promise((r) => this.proc.once("exit", (code) => r(code)));
  }
  async waitFor(re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(this.log);
      if (m !== null) return m;
      if (Date.now() - t0 > ms) throw new Error(`worker log never matched ${re}:\n${this.log}`);
      if (this.proc.exitCode !== null)
        throw new Error(`worker exited (${this.proc.exitCode}) before ${re}:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

/** A worker whose job process never answers (KAIROS_QUEUE_FAULT=hang): a job it takes stays running until it is killed */
export async function startHolder(home: string, url: string): Promise<WorkerProc> {
  const h = new WorkerProc(home, url, [], { KAIROS_QUEUE_FAULT: "hang" });
  await h.waitFor(/worker \S+ on redis/);
  return h;
}

/**
 * Takes Redis away mid-run however late the test gets here: waits until the run has stored
 * `minChunks` chunks and the holder's never-ending job has started (so the run cannot have
 * completed), then SIGKILLs the holder (its job is among those Redis loses) and Redis
 */
export async function takeRedisAwayMidRun(
  redis: { stop(signal: NodeJS.Signals): Promise<unknown> },
  holder: WorkerProc,
  stats: readonly ({ run: string } | undefined)[],
  chunks: { count(run: string): number },
  minChunks: number,
): Promise<void> {
  for (;;) {
    await new Promise((res) => setTimeout(res, 20));
    if (stats[0] !== undefined && chunks.count(stats[0].run) >= minChunks) break;
  }
  await holder.waitFor(/job \S+ started/);
  holder.kill("SIGKILL");
  await redis.stop("SIGKILL");
}
