import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import { z } from "zod";
import { parseInput, wholeNumberField } from "../../../app/contract.ts";
import { AppError } from "../../../errors.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

/** What `kairos worker` takes */
export const RunWorkerInput = z.object({
  queue: z.string().min(1),
  concurrency: wholeNumberField({ min: 1, max: 256 }).default(1),
  /** seconds a job may run before its process is killed and the attempt counts as failed */
  timeout: wholeNumberField({ min: 1, max: 86_400 }).default(600),
  /** sandbox crashes or timeouts in a row before the worker stops */
  restartBudget: wholeNumberField({ min: 1, max: 1000 }).default(5),
  /** ms a job stays this worker's without a lock renewal */
  lockMs: wholeNumberField({ min: 500, max: 3_600_000 }).default(30_000),
});

interface WorkerOpts {
  queue?: string;
  concurrency?: string;
  timeout?: string;
  restartBudget?: string;
  lockMs?: string;
  child?: boolean;
}

const stamp = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

/** `kairos worker`: runs queued sweep chunks (issue 21); `kairos worker status` lists workers and jobs */
export function registerWorkerCommand(program: Command): void {
  const worker = program
    .command("worker")
    .description(
      "run queued sweep chunks from a Redis job queue until SIGTERM (one child process per concurrent job)",
    )
    .option("--queue <redis://HOST:PORT>", "the Redis the coordinator queues to")
    .option("--concurrency <n>", "jobs at once, each in its own process (default 1)")
    .option("--timeout <seconds>", "a job running longer is killed and retried elsewhere (default 600)")
    .option("--restart-budget <n>", "stop after this many crashed or timed-out jobs in a row (default 5)")
    .option("--lock-ms <ms>", "how long a job stays ours without a lock renewal (default 30000)")
    .addOption(new Option("--child", "internal: the child process of a worker").hideHelp())
    .addHelpText(
      "after",
      "\nExample:\n  kairos worker --queue redis://10.0.0.5:6379 --concurrency 2\n  kairos worker status --queue redis://10.0.0.5:6379",
    )
    .action(async (opts: WorkerOpts, cmd: Command) => {
      if (opts.child === true) {
        await withContainer(cmd, (c) => c.serveQueueChild());
        return;
      }
      const input = parseInput(RunWorkerInput, opts);
      const entry = process.argv[1];
      if (entry === undefined)
        throw new AppError("INTERNAL", "worker: cannot tell which script started kairos");
      let stop: () => void = () => undefined;
      let stopNow: () => void = () => undefined;
      const stopP = new Promise<void>((r) => {
        stop = r;
      });
      const stopNowP = new Promise<void>((r) => {
        stopNow = r;
      });
      let signals = 0;
      const onSignal = (): void => {
        signals += 1;
        if (signals === 1) stop();
        else stopNow();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      const code = await withContainer(cmd, async (c) => {
        const exitCode = await c.queueWorker({
          url: input.queue,
          concurrency: input.concurrency,
          timeoutMs: input.timeout * 1000,
          restartBudget: input.restartBudget,
          lockMs: input.lockMs,
          // the children run this same CLI (sources or build, whichever started the worker)
          sandbox: {
            file: entry.startsWith("file:") ? fileURLToPath(entry) : entry,
            args: ["worker", "--child"],
          },
          log: stamp,
          stop: stopP,
          stopNow: stopNowP,
        });
        // a connection broken by a Redis restart can keep reconnecting after the worker stopped;
        // its work is over, so such a handle must not keep the process alive (unref: a clean exit
        // does not wait for this; the exit code set by then is kept)
        setTimeout(() => process.exit(), 3000).unref();
        return exitCode;
      });
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);

      if (code !== 0)
        throw new AppError(
          "HALTED",
          `worker stopped after ${input.restartBudget} crashed or timed-out jobs in a row (restart budget); see the lines above for the cause`,
        );
    });
  worker
    .command("status")
    .description("list the workers connected to a queue and the jobs they run")
    .option("--queue <redis://HOST:PORT>", "the Redis to ask")
    .action(async (opts: { queue?: string }, cmd: Command) => {
      const json = globalsOf(cmd).json;
      // `worker --queue X status` and `worker status --queue X` both work (the parent may take the flag)
      const { queue } = parseInput(z.object({ queue: z.string().min(1) }), {
        queue: opts.queue ?? (cmd.parent?.opts() as WorkerOpts | undefined)?.queue,
      });
      await withContainer(cmd, async (c) => {
        const q = await c.queue(queue);
        try {
          const [workers, active] = await Promise.all([q.workers(), q.active()]);
          if (json) {
            printJson({ queue: q.where, workers, active });
            return;
          }
          printLine(`${workers.length} worker(s) on ${q.where}, ${active.length} job(s) running`);
          if (workers.length > 0)
            printLine(
              table(
                ["worker", "address", "connected s", "jobs"],
                workers.map((w) => [
                  w.name,
                  w.addr,
                  String(w.age),
                  active
                    .filter((a) => a.worker === w.name)
                    .map((a) => a.id)
                    .join(" ") || "-",
                ]),
              ),
            );
        } finally {
          await q.close();
        }
      });
    });
}
