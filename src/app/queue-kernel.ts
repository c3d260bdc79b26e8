import { runScreenChunkTask } from "./queue-screen.ts";
import { runSweepChunkTask } from "./queue-sweep.ts";

/**
 * What a `kairos worker` child process runs: any queued task, by its kind (sweep chunks and screen
 * chunks share one queue, so one worker serves both).
 */
export function runQueuedTask(data: unknown, blob: (hash: string) => Uint8Array): unknown {
  const kind = (data as { kind?: unknown } | null)?.kind;
  if (kind === "sweep-chunk") return runSweepChunkTask(data, blob);
  if (kind === "screen-chunk") return runScreenChunkTask(data, blob);
  throw new Error(
    `unknown queued task kind ${JSON.stringify(kind)}: this worker is older than the coordinator; update kairos on it`,
  );
}
