/**
 * Where the streams' events come from. Trading events are read from the audit log, which every
 * order path writes inside the same transaction as the change it describes (app/audit-order-store):
 * so the streams show sessions run by this server and by any `kairos trade` process on the same
 * home, and never anything that did not happen. Job events come from the server's JobService.
 * Closed candles are the bars that enter the candle store (a live session's new bar, a download,
 * an import): only closed candles are ever stored.
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
        // nobody listening: move past the record without parsing it
        if (hub.stats.clients > 0) publishRecord(hub, JSON.parse(r.body) as Rec);
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

function publishRecord(hub: StreamHub, r: Rec): void {
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

const CANDLE_POLL_MS = 1000;
/** New bars published per series and poll at most (an import of years is not a stream) */
const MAX_CANDLES_PER_POLL = 500;

/** Publishes each closed candle that enters the store after the server started, per series in order */
export function watchCandles(c: Container, hub: StreamHub, log: (e: unknown) => void): () => void {
  let seen: Map<string, number> | undefined;
  const keyOf = (i: SeriesKey) => `${i.exchange}|${i.symbol}|${i.timeframe}`;
  const poll = (): void => {
    try {
      const infos = c.store.list();
      if (seen === undefined) {
        seen = new Map(infos.map((i) => [keyOf(i), i.last]));
        return;
      }
      for (const i of infos) {
        const k = keyOf(i);
        const prev = seen.get(k);
        seen.set(k, i.last);
        if ((prev !== undefined && i.last <= prev) || hub.stats.clients === 0) continue;
        const s = c.store.read(i, prev === undefined ? {} : { from: prev + 1 });
        const from = Math.max(0, s.ts.length - MAX_CANDLES_PER_POLL);
        for (let j = from; j < s.ts.length; j++)
          hub.publish(
            "candles",
            "candle",
            {
              exchange: i.exchange,
              symbol: i.symbol,
              timeframe: i.timeframe,
              ts: s.ts[j],
              open: s.open[j],
              high: s.high[j],
              low: s.low[j],
              close: s.close[j],
              volume: s.volume[j],
            },
            s.ts[j],
          );
      }
    } catch (e) {
      log(e);
    }
  };
  const timer = setInterval(poll, CANDLE_POLL_MS);
  timer.unref();
  poll();
  return () => clearInterval(timer);
}
