/**
 * SIGTERM to a trading process is the kill switch, not a quiet exit: the process that holds the
 * connection to the venue latches HALTED (account and every session) and cancels every open order
 * (kairos's and any it did not send) through the one kill path (app/kill.ts), then, once the loop
 * has finished the step it was in, sweeps again, so an order that step sent after the first sweep
 * is cancelled too. The session it was running uses this process's own broker; other sessions of
 * the home are reached as `kairos kill` reaches them.
 */
import type { Broker } from "../ports/broker.ts";
import type { SessionRecord } from "../ports/order-store.ts";
import { type KillResult, killAll } from "./kill.ts";
import { loadLiveKeys } from "./trade-live.ts";
import { configOf, type TradingDeps } from "./trade-runtime.ts";

export interface TerminationGuard {
  /** true once the termination signal arrived: the loop stops at its next check */
  readonly terminated: boolean;
  /** after the loop returned: the second sweep, and what both did (undefined when no signal came) */
  finish(): Promise<TerminationOutcome | undefined>;
}

export interface TerminationOutcome {
  /** the kill at the signal (latch, cancels), then the sweep after the loop's last step */
  first: KillResult;
  sweep: KillResult;
}

/** Listens for the termination signal while session `id` runs on `broker` */
export function guardTermination(deps: TradingDeps, id: string, broker: Broker): TerminationGuard {
  let first: Promise<KillResult> | undefined;
  const run = (): Promise<KillResult> =>
    killAll(
      {
        home: deps.home,
        orders: deps.orders,
        clock: deps.clock,
        sleep: deps.sleep,
        ...(deps.audit === undefined ? {} : { audit: deps.audit }),
        venueFor: (s) => (s.id === id ? broker : venueOf(deps, s)),
      },
      { by: "SIGTERM" },
    );
  const stop = deps.signals?.onTerminate(() => {
    first ??= run();
  });
  return {
    get terminated() {
      return first !== undefined;
    },
    async finish() {
      stop?.();
      if (first === undefined) return undefined;
      return { first: await first, sweep: await run() };
    },
  };
}

/** Another session of the home: its paper venue, or its exchange reached as it was started */
function venueOf(deps: TradingDeps, s: SessionRecord): Broker | Promise<Broker> {
  const cfg = configOf(s);
  if (s.mode === "live") {
    if (deps.live === undefined) throw new Error("this build cannot reach live exchanges");
    return deps.live.broker(
      cfg.exchange,
      loadLiveKeys(deps.live.keys, cfg.exchange, cfg.keyFile),
      cfg.apiBase,
    );
  }
  return deps.paperVenue({
    account: s.id,
    takerFee: String(cfg.fee),
    slippage: cfg.slippage,
    rules: cfg.rules,
  });
}
