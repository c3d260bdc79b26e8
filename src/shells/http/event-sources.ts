/**
 * Where the streams' events come from. Trading events are read from the audit log, which every
 * order path writes inside the same transaction as the change it describes (app/audit-order-store):
 * so the streams show sessions run by this server and by any `kairos trade` process on the same
 * home, and never anything that did not happen. Job events come from the server's JobService.
 */
import type { JobService } from "../../app/job-service.ts";
import type { Container } from "../../composition-root.ts";
import type { AuditLog } from "../../ports/audit-log.ts";
import type { SeriesKey } from "../../ports/candle-store.ts";
import type { Channel, StreamHub } from "./streams.ts";

const POLL_MS = 250;
/** Records read per poll at most, so a large backlog never blocks the loop in one go */
const MAX_PER_POLL = 2000;

const has = (log: AuditLog, seq: number): boolean => {
  const it = log.records(seq)[Symbol.iterator]();
  const r = it.next();
  it.return?.();
  return r.done !== true;
};

/** The last sequence number in the log, by galloping then bisecting on the indexed seq */
export function lastAuditSeq(log: AuditLog): number {
  if (!has(log, 1)) return 0;
  let lo = 1;
  let hi = 2;
  while (has(log, hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (has(log, mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface Rec {
  ts: number;
  kind: string;
  data: Record<string, unknown>;
}

const ALERT_KINDS = new Set(["kill", "limits.change", "approval"]);

/** Maps audit records to stream events; returns a stop function */
export function tailAudit(c: Container, hub: StreamHub, log: (e: unknown) => void): () => void {
  let audit: AuditLog | undefined;
  let last = -1;
  const poll = (): void => {
    try {
      audit ??= c.audit();
      if (last < 0) last = lastAuditSeq(audit);
      let n = 0;
      for (const r of audit.records(last + 1)) {
        last = r.seq;
        publishRecord(c, hub, JSON.parse(r.body) as Rec);
        if (++n >= MAX_PER_POLL) break;
      }
    } catch (e) {
      log(e);
    }
  };
  const timer = setInterval(poll, POLL_MS);
  timer.unref();
  poll();
  return () => clearInterval(timer);
}

function publishRecord(c: Container, hub: StreamHub, r: Rec): void {
  const d = r.data ?? {};
  const pub = (ch: Channel, data: unknown) => hub.publish(ch, r.kind, data, r.ts);
  switch (r.kind) {
    case "decision": {
      pub("signals", {
        decisionId: d.decisionId,
        sessionId: d.sessionId,
        strategy: d.strategy,
        barTs: d.barTs,
        targets: d.targets,
        explanation: d.explanation,
        orders: d.orders,
        // the explanation quotes names and notes from outside kairos
        untrusted: ["explanation", "strategy"],
      });
      const bar = d.bar as
        | { exchange?: string; symbols?: string[]; timeframe?: string; openTime?: number }
        | undefined;
      if (bar?.exchange !== undefined && bar.timeframe !== undefined && bar.openTime !== undefined)
        for (const symbol of bar.symbols ?? []) {
          try {
            const key = { exchange: bar.exchange, symbol, timeframe: bar.timeframe } as SeriesKey;
            const s = c.store.read(key, { from: bar.openTime, to: bar.openTime + 1 });
            if (s.ts.length === 1)
              pub("candles", {
                exchange: bar.exchange,
                symbol,
                timeframe: bar.timeframe,
                ts: s.ts[0],
                open: s.open[0],
                high: s.high[0],
                low: s.low[0],
                close: s.close[0],
                volume: s.volume[0],
              });
          } catch {
            // a live session's bar may not be in the store: the signal still went out
          }
        }
      return;
    }
    case "order.intent":
    case "order.event":
    case "fill":
      pub("orders", d);
      return;
    case "session.state":
      if (d.state === "halted" || d.state === "reducing") pub("alerts", d);
      else pub("orders", d);
      return;
    case "risk.check":
      // a refused order is an alert; accepted checks are routine
      if (d.accepted === false) pub("alerts", d);
      return;
    default:
      if (ALERT_KINDS.has(r.kind)) pub("alerts", d);
  }
}

/** Job state changes and progress on the `jobs` channel */
export function forwardJobs(jobs: JobService, hub: StreamHub): () => void {
  return jobs.subscribe((e) => hub.publish("jobs", e.type, e));
}
