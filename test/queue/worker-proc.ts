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
