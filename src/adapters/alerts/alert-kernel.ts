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

// one dispatcher per (setup, sink): each task is one alert for one sink, so a dead webhook never
// holds back the report that the log (or Telegram) took the alert
const dispatchers = new Map<string, AlertDispatcher>();
const waiting = new Map<string, (o: SinkOutcome) => void>();

export function deliverAlertKernel(input: {
  setup: SinkSetup;
  alert: Alert;
  sink: string;
}): Promise<SinkOutcome> {
  const key = `${input.sink}|${JSON.stringify(input.setup)}`;
  let d = dispatchers.get(key);
  if (d === undefined) {
    const sinks = buildSinks(input.setup).filter((s) => s.name === input.sink);
    if (sinks.length === 0)
      return Promise.resolve({ sink: input.sink, delivered: false, why: "no such sink", latencyMs: 0 });
    d = new AlertDispatcher({
      sinks,
      clock: { now: () => Date.now() },
      retryForMs: input.setup.retryForMs,
      onSettled: (sink, alert, delivered, why) => {
        const k = `${alert.id}|${sink}`;
        const resolve = waiting.get(k);
        if (resolve === undefined) return;
        waiting.delete(k);
        resolve({ sink, delivered, ...(why === undefined ? {} : { why }), latencyMs: Date.now() - alert.at });
      },
    });
    dispatchers.set(key, d);
  }
  const dispatcher = d;
  return new Promise((resolve) => {
    waiting.set(`${input.alert.id}|${input.sink}`, resolve);
    dispatcher.emit(input.alert);
  });
}
