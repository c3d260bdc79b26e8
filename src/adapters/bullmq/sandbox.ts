import { type ChildProcess, fork } from "node:child_process";

/**
 * CPU work of queued jobs runs in child processes, never on the thread that renews BullMQ's job
 * locks: a chunk that computes for a minute would otherwise let its lock lapse and the job run
 * twice. The parent can also do what a thread cannot: kill a job that overruns its timeout, and
 * notice a child that crashed. Blobs (candles, grids) go to a child once and stay cached there.
 */

/** The work itself: plain JSON in, plain JSON out; `blob` gives the bytes of a hash the job names */
export type QueueKernel = (data: unknown, blob: (hash: string) => Uint8Array) => unknown;

/** How to start a child: a script and its arguments (the CLI's hidden `worker --child`) */
export interface SandboxSpawn {
  file: string;
  args: string[];
}

/**
 * Blobs a child keeps: first in, first out, never one the current job needs (a screen of many
 * symbols needs more than this at once); the parent applies the same rule, so both agree
 */
const CHILD_BLOBS = 16;

/** Drops the oldest blobs beyond the cap that `needs` does not name; the same on both sides */
function evict(order: string[], needs: readonly string[]): string[] {
  const dropped: string[] = [];
  for (let i = 0; order.length > CHILD_BLOBS && i < order.length; )
    if (needs.includes(order[i]!)) i++;
    else dropped.push(...order.splice(i, 1));
  return dropped;
}

/** A failure of the sandbox itself (crash, timeout), as opposed to an error the job raised */
export class SandboxFailure extends Error {}

type FromChild =
  | { type: "ready" }
  | { type: "result"; ok: true; value: unknown }
  | { type: "result"; ok: false; message: string };
interface ToChild {
  type: "task";
  data: unknown;
  /** every blob the job needs; the new ones come with their bytes */
  needs: string[];
  blobs: [string, Uint8Array][];
}

/** The child's side: answers tasks until the parent goes away */
export function serveSandboxChild(kernel: QueueKernel): void {
  const blobs = new Map<string, Uint8Array>();
  const order: string[] = [];
  // the parent died (SIGKILL included): the IPC channel closes, and nobody wants this work any more
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw) => {
    const msg = raw as ToChild;
    if (msg.type !== "task") return;
    // fault injection for the restart-budget and timeout tests: a child that dies on every job, as
    // a broken install or an out-of-memory kill would, or one that never answers, as a livelock would
    if (process.env.KAIROS_QUEUE_FAULT === "crash") process.exit(70);
    if (process.env.KAIROS_QUEUE_FAULT === "hang") return;
    for (const [h, b] of msg.blobs) {
      blobs.set(h, b);
      order.push(h);
    }
    for (const h of evict(order, msg.needs)) blobs.delete(h);
    let reply: FromChild;
    try {
      const value = kernel(msg.data, (h) => {
        const b = blobs.get(h);
        if (b === undefined) throw new Error(`blob ${h.slice(0, 12)} was not sent to this worker process`);
        return b;
      });
      reply = { type: "result", ok: true, value };
    } catch (err) {
      reply = { type: "result", ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    // the parent may be gone (SIGKILL): the reply has nobody to go to, and neither has this process
    process.send?.(reply, undefined, {}, (err) => {
      if (err !== null) process.exit(0);
    });
  });
  process.send?.({ type: "ready" } satisfies FromChild);
}

/** One child process, one job at a time */
export class ProcessSandbox {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly has: string[] = [];
  busy = false;

  constructor(private readonly spawn: SandboxSpawn) {}

  private start(): { child: ChildProcess; ready: Promise<void> } {
    if (this.child !== undefined && this.ready !== undefined) return { child: this.child, ready: this.ready };
    const child = fork(this.spawn.file, this.spawn.args, {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child = child;
    this.has.length = 0;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: FromChild): void => {
        if (m.type === "ready") {
          child.off("message", onMsg);
          child.off("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        this.child = undefined;
        this.ready = undefined;
        reject(new SandboxFailure(`worker process failed to start (exit code ${code}, signal ${signal})`));
      };
      child.on("message", onMsg);
      child.once("exit", onExit);
    });
    return { child, ready: this.ready };
  }

  /** Runs one job; rejects with SandboxFailure when the child dies or overruns `timeoutMs` (it is killed) */
  async run(
    data: unknown,
    needs: readonly string[],
    blob: (hash: string) => Promise<Uint8Array>,
    timeoutMs: number,
  ): Promise<unknown> {
    const { child, ready } = this.start();
    await ready;
    const send: [string, Uint8Array][] = [];
    for (const h of needs) if (!this.has.includes(h)) send.push([h, await blob(h)]);
    for (const [h] of send) this.has.push(h);
    evict(this.has, needs);
    return new Promise<unknown>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        child.off("message", onMsg);
        child.off("exit", onExit);
      };
      const onMsg = (m: FromChild): void => {
        if (m.type !== "result") return;
        done();
        if (m.ok) resolve(m.value);
        else reject(new Error(m.message));
      };
      const onExit = (code: number | null, signal: string | null): void => {
        done();
        this.child = undefined;
        this.ready = undefined;
        reject(new SandboxFailure(`worker process exited mid-job (exit code ${code}, signal ${signal})`));
      };
      const timer = setTimeout(() => {
        done();
        this.kill();
        reject(new SandboxFailure(`job timed out after ${timeoutMs / 1000} s (worker process killed)`));
      }, timeoutMs);
      child.on("message", onMsg);
      child.once("exit", onExit);
      child.send({ type: "task", data, needs: [...needs], blobs: send } satisfies ToChild);
    });
  }

  /** Starts the child now (a worker starts its children before taking jobs: no cold first job) */
  async warm(): Promise<void> {
    await this.start().ready;
  }

  kill(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
    this.ready = undefined;
  }
}
