/**
 * Proposals expire on time in a running process, not only when someone looks: a timer armed for
 * the earliest pending expiry, plus a poll every `everyMs` for proposals other processes made (an
 * agent's MCP server proposes, the dashboard's server or the trading process expires). Each expiry
 * is recorded once (compare-and-set across processes) with its audit record and an
 * "approval expired" alert. The timer is unref'd: it never keeps a process alive.
 */
import { expireStale, nextExpiry, type ProposalDeps } from "./approval-service.ts";

export interface ApprovalExpiryTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const nodeTimers: ApprovalExpiryTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ApprovalExpiryWatch {
  /** expires what is due now and re-arms; returns how many expired */
  tick(): number;
  stop(): void;
}

/** Starts expiring pending proposals on time; `everyMs` (default 1000) bounds how late another process's proposal is seen */
export function watchApprovalExpiry(
  deps: ProposalDeps,
  opts: { everyMs?: number; timers?: ApprovalExpiryTimers; onError?: (err: unknown) => void } = {},
): ApprovalExpiryWatch {
  const everyMs = opts.everyMs ?? 1000;
  const timers = opts.timers ?? nodeTimers;
  let handle: unknown;
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    let wait = everyMs;
    try {
      const next = nextExpiry(deps);
      // the timer fires at the expiry itself (never before: expiresAt <= now is what expires)
      if (next !== undefined) wait = Math.max(1, Math.min(everyMs, next - deps.clock.now() + 1));
    } catch (err) {
      opts.onError?.(err);
    }
    handle = timers.set(run, wait);
  };
  const tick = (): number => {
    try {
      return expireStale(deps);
    } catch (err) {
      // a busy or closed database: tried again at the next tick
      opts.onError?.(err);
      return 0;
    }
  };
  function run(): void {
    tick();
    arm();
  }
  arm();
  return {
    tick() {
      const n = tick();
      if (handle !== undefined) timers.clear(handle);
      arm();
      return n;
    },
    stop() {
      stopped = true;
      if (handle !== undefined) timers.clear(handle);
    },
  };
}
