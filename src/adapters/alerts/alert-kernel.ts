/**
 * The alert worker thread's side (run through adapters/workers/worker-entry.mjs): one dispatcher
 * per sink setup, delivering with retries and backoff on the worker's own event loop. Each task is
 * one alert; it settles when every sink has delivered it or given it up.
 */
import type { Alert } from "../../ports/alert-sink.ts";
import { AlertDispatcher } from "./alert-dispatcher.ts";
import { buildSinks, type SinkSetup } from "./sinks.ts";

export interface SinkOutcome {
  sink: string;
  delivered: boolean;
  why?: string;
  /** from raising to delivery or give-up, ms (wall clock: the same in both threads) */
  latencyMs: number;
}

let current: { key: string; dispatcher: AlertDispatcher; sinks: number } | undefined;
const waiting = new Map<
  string,
  { left: number; outcomes: SinkOutcome[]; resolve: (o: SinkOutcome[]) => void }
>();

export function deliverAlertKernel(input: { setup: SinkSetup; alert: Alert }): Promise<SinkOutcome[]> {
  const key = JSON.stringify(input.setup);
  if (current?.key !== key) {
    const sinks = buildSinks(input.setup);
    current = {
      key,
      sinks: sinks.length,
      dispatcher: new AlertDispatcher({
        sinks,
        clock: { now: () => Date.now() },
        retryForMs: input.setup.retryForMs,
        onSettled: (sink, alert, delivered, why) => {
          const w = waiting.get(alert.id);
          if (w === undefined) return;
          w.outcomes.push({
            sink,
            delivered,
            ...(why === undefined ? {} : { why }),
            latencyMs: Date.now() - alert.at,
          });
          if (--w.left === 0) {
            waiting.delete(alert.id);
            w.resolve(w.outcomes);
          }
        },
      }),
    };
  }
  const d = current;
  if (d.sinks === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    waiting.set(input.alert.id, { left: d.sinks, outcomes: [], resolve });
    d.dispatcher.emit(input.alert);
  });
}
