/**
 * Alerts delivered from a worker thread of their own: `emit` stamps the alert and posts it to the
 * thread (a structured clone, microseconds), and the thread's event loop does the HTTP, the
 * retries and the backoff. A trading loop busy for seconds (a paper replay, a burst of fills)
 * therefore never delays a delivery: R9 measures it. The thread starts with the emitter (alerts
 * raised before it has loaded wait in its queue: ~0.1 s from the build, ~1-2 s through tsx), keeps
 * the process alive only while alerts are in flight, and ends after close() once they are.
 */
import { Worker } from "node:worker_threads";
import type { Alert } from "../../ports/alert-sink.ts";
import type { Clock } from "../../ports/clock.ts";
import { KERNELS } from "../workers/kernels.ts";
import { type AlertDelivery, type LaneStats, newAlertId } from "./alert-dispatcher.ts";
import type { SinkOutcome } from "./alert-kernel.ts";
import type { SinkSetup } from "./sinks.ts";

const ENTRY = new URL("../workers/worker-entry.mjs", import.meta.url);
const KERNEL = "alerts.deliver";

interface ResultMsg {
  type: string;
  id: number;
  ok: boolean;
  value?: SinkOutcome;
  error?: { message: string };
}

export class WorkerAlertEmitter implements AlertDelivery {
  private worker: Worker | undefined;
  private nextTask = 1;
  private readonly inFlight = new Map<number, { alert: Alert; sink: string }>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly lanes = new Map<string, LaneStats>();
  private readyWaiters: (() => void)[] = [];
  private isReady = false;

  constructor(
    private readonly setup: SinkSetup,
    private readonly o: {
      clock: Clock;
      sinkNames: string[];
      onGiveUp?: (sink: string, alert: Alert, why: string) => void;
    },
  ) {
    for (const sink of o.sinkNames)
      this.lanes.set(sink, {
        sink,
        delivered: 0,
        retries: 0,
        givenUp: 0,
        dropped: 0,
        pending: 0,
        maxLatencyMs: 0,
      });
    if (o.sinkNames.length > 0) {
      this.worker = this.start();
      this.worker.unref();
    }
  }

  /** Resolves once the thread has loaded its sinks' code (alerts raised earlier wait for it) */
  ready(): Promise<void> {
    if (this.isReady || this.worker === undefined) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  get sinkNames(): string[] {
    return this.o.sinkNames;
  }

  private start(): Worker {
    const kernel = KERNELS[KERNEL];
    if (kernel === undefined) throw new Error(`worker kernel ${KERNEL} is not registered`);
    const w = new Worker(ENTRY, { workerData: { kernels: { [KERNEL]: kernel } }, execArgv: [] });
    w.on("message", (m: ResultMsg) => {
      if (m.type === "ready") {
        this.isReady = true;
        for (const f of this.readyWaiters.splice(0)) f();
      }
      if (m.type === "result") this.settle(m.id, m.ok ? m.value : undefined, m.error?.message);
    });
    w.on("error", (err) => {
      // the thread died: what it held is reported undelivered, and the next alert starts a new one
      this.worker = undefined;
      this.isReady = false;
      for (const id of [...this.inFlight.keys()])
        this.settle(id, undefined, `alert thread failed: ${err.message}`);
    });
    return w;
  }

  emit(a: Omit<Alert, "id" | "at"> & { id?: string; at?: number }): void {
    if (this.closed || this.o.sinkNames.length === 0) return;
    const alert: Alert = { ...a, id: a.id ?? newAlertId(), at: a.at ?? this.o.clock.now() };
    this.worker ??= this.start();
    this.worker.ref();
    for (const sink of this.o.sinkNames) {
      const id = this.nextTask++;
      this.inFlight.set(id, { alert, sink });
      this.worker.postMessage({
        type: "task",
        id,
        kernel: KERNEL,
        input: { setup: this.setup, alert, sink },
      });
    }
  }

  private settle(id: number, outcome: SinkOutcome | undefined, error?: string): void {
    const task = this.inFlight.get(id);
    if (task === undefined) return;
    this.inFlight.delete(id);
    const x = outcome ?? { sink: task.sink, delivered: false, why: error ?? "failed", latencyMs: 0 };
    const lane = this.lanes.get(x.sink);
    if (lane !== undefined) {
      if (x.delivered) {
        lane.delivered++;
        lane.maxLatencyMs = Math.max(lane.maxLatencyMs, x.latencyMs);
      } else {
        lane.givenUp++;
        this.o.onGiveUp?.(x.sink, task.alert, x.why ?? "failed");
      }
    }
    if (this.inFlight.size === 0) {
      if (this.closed) void this.worker?.terminate();
      else this.worker?.unref();
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  flush(timeoutMs = 30_000): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.push(done);
    });
  }

  stats(): LaneStats[] {
    return [...this.lanes.values()].map((l) => ({
      ...l,
      pending: [...this.inFlight.values()].filter((t) => t.sink === l.sink).length,
    }));
  }

  close(dropPending = false): void {
    this.closed = true;
    if (this.inFlight.size === 0 || dropPending) void this.worker?.terminate();
  }
}
