/**
 * Delivers alerts off the trading path (in the thread it runs in: WorkerAlertEmitter runs it in a
 * worker thread of its own, so a busy trading loop never delays a delivery). `emit` only stamps the alert and queues it for each sink,
 * then returns: no I/O, no await, so a slow or dead receiver never slows the loop that raised it.
 * Each sink has its own lane (a bounded queue and a few requests in flight); a failed delivery is
 * retried with exponential backoff until the alert is `retryForMs` old, then given up and reported.
 */
import { randomFillSync } from "node:crypto";
import type { Alert, AlertEmitter, AlertSink } from "../../ports/alert-sink.ts";
import type { Clock } from "../../ports/clock.ts";

export interface AlertDispatcherOptions {
  sinks: readonly AlertSink[];
  clock: Clock;
  /** an alert still undelivered this long after it was raised is given up (default 30 s) */
  retryForMs?: number;
  /** the first retry's wait, doubled on each failure up to maxBackoffMs (defaults 200 ms, 5 s) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** deliveries in flight per sink (default 16) */
  concurrency?: number;
  /** alerts queued per sink before the oldest are dropped (default 10,000), so memory stays bounded */
  maxQueue?: number;
  /** a sink gave an alert up, or dropped it (never holds a secret: sinks word their own errors) */
  onGiveUp?: (sink: string, alert: Alert, why: string) => void;
  /** an alert's fate at one sink: delivered, or given up with why */
  onSettled?: (sink: string, alert: Alert, delivered: boolean, why?: string) => void;
}

export interface LaneStats {
  sink: string;
  delivered: number;
  retries: number;
  givenUp: number;
  dropped: number;
  pending: number;
  /** the largest time from raising to delivery seen, ms */
  maxLatencyMs: number;
}

interface Item {
  alert: Alert;
  attempt: number;
}

class Lane {
  readonly queue: Item[] = [];
  inFlight = 0;
  waiting = 0;
  readonly stats: LaneStats;
  constructor(readonly sink: AlertSink) {
    this.stats = {
      sink: sink.name,
      delivered: 0,
      retries: 0,
      givenUp: 0,
      dropped: 0,
      pending: 0,
      maxLatencyMs: 0,
    };
  }
  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && this.waiting === 0;
  }
}

// 64 random bits per id, drawn from a pool refilled 256 ids at a time: a bar of 100 fills raises 100
// alerts on the trading path, and a call into the system's random source per id cost ~10 us each
const ID_POOL = Buffer.alloc(8 * 256);
let idNext = ID_POOL.length;
export const newAlertId = (): string => {
  if (idNext >= ID_POOL.length) {
    randomFillSync(ID_POOL);
    idNext = 0;
  }
  const id = `a-${ID_POOL.toString("hex", idNext, idNext + 8)}`;
  idNext += 8;
  return id;
};

/** An emitter whose deliveries can be awaited and counted (the CLI's `alerts test`, tests, shutdown) */
export interface AlertDelivery extends AlertEmitter {
  readonly sinkNames: string[];
  /** resolves true once every alert raised so far is delivered or given up, false after `timeoutMs` */
  flush(timeoutMs?: number): Promise<boolean>;
  stats(): LaneStats[];
  /** takes no new alerts; those raised are still delivered, unless `dropPending` (a test send that is done) */
  close(dropPending?: boolean): void;
}

export class AlertDispatcher implements AlertDelivery {
  private readonly lanes: Lane[];
  private readonly o: Required<Omit<AlertDispatcherOptions, "onGiveUp" | "onSettled">> &
    Pick<AlertDispatcherOptions, "onGiveUp" | "onSettled">;
  private scheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(o: AlertDispatcherOptions) {
    this.o = {
      retryForMs: 30_000,
      backoffMs: 200,
      maxBackoffMs: 5_000,
      concurrency: 16,
      maxQueue: 10_000,
      ...o,
    };
    this.lanes = o.sinks.map((s) => new Lane(s));
  }

  get sinkNames(): string[] {
    return this.lanes.map((l) => l.sink.name);
  }

  emit(a: Omit<Alert, "id" | "at"> & { id?: string; at?: number }): void {
    if (this.closed || this.lanes.length === 0) return;
    const alert: Alert = { ...a, id: a.id ?? newAlertId(), at: a.at ?? this.o.clock.now() };
    for (const lane of this.lanes) {
      if (lane.queue.length >= this.o.maxQueue) {
        const old = lane.queue.shift()!;
        lane.stats.dropped++;
        this.o.onGiveUp?.(lane.sink.name, old.alert, `queue full (${this.o.maxQueue}): dropped`);
        this.o.onSettled?.(lane.sink.name, old.alert, false, "dropped");
      }
      lane.queue.push({ alert, attempt: 0 });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // delivery starts after the caller's turn of the event loop: emit itself never does I/O
    setImmediate(() => {
      this.scheduled = false;
      for (const lane of this.lanes) this.pump(lane);
    });
  }

  private pump(lane: Lane): void {
    while (lane.inFlight < this.o.concurrency && lane.queue.length > 0) {
      const item = lane.queue.shift()!;
      lane.inFlight++;
      lane.sink.send(item.alert).then(
        () => {
          lane.inFlight--;
          lane.stats.delivered++;
          lane.stats.maxLatencyMs = Math.max(lane.stats.maxLatencyMs, this.o.clock.now() - item.alert.at);
          this.o.onSettled?.(lane.sink.name, item.alert, true);
          this.after(lane);
        },
        (err: unknown) => {
          lane.inFlight--;
          this.retry(lane, item, err instanceof Error ? err.message : String(err));
          this.after(lane);
        },
      );
    }
  }

  private retry(lane: Lane, item: Item, why: string): void {
    const wait = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** item.attempt);
    const age = this.o.clock.now() - item.alert.at;
    if (age + wait > this.o.retryForMs || (err4xx.test(why) && !/\b(408|429)\b/.test(why))) {
      lane.stats.givenUp++;
      const reason = `${why} (after ${item.attempt + 1} attempt(s))`;
      this.o.onGiveUp?.(lane.sink.name, item.alert, reason);
      this.o.onSettled?.(lane.sink.name, item.alert, false, reason);
      return;
    }
    lane.stats.retries++;
    lane.waiting++;
    setTimeout(() => {
      lane.waiting--;
      lane.queue.unshift({ alert: item.alert, attempt: item.attempt + 1 });
      this.pump(lane);
    }, wait);
  }

  private after(lane: Lane): void {
    this.pump(lane);
    if (this.lanes.every((l) => l.idle)) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves true once every queued alert is delivered or given up, false after `timeoutMs` */
  flush(timeoutMs = 30_000): Promise<boolean> {
    if (!this.scheduled && this.lanes.every((l) => l.idle)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  stats(): LaneStats[] {
    return this.lanes.map((l) => ({ ...l.stats, pending: l.queue.length + l.inFlight + l.waiting }));
  }

  /** Takes no new alerts; those queued are still delivered (the process stays up until they are) unless dropped */
  close(dropPending = false): void {
    this.closed = true;
    if (dropPending) for (const l of this.lanes) l.queue.length = 0;
  }
}

// a receiver that refuses the request itself (400, 401, 403, 404...) will refuse it again
const err4xx = /\bHTTP 4\d\d\b/;
