// R9 alerts (issue 16): 1,000 limit breaches injected through a real trading session (SQLite order
// store, paper venue, the real pre-trade gate refusing every order on order value): 100% of the
// breach alerts reach a local webhook on 127.0.0.1, signed, within 5 s of being raised (the
// maximum, not p99). Also: failed deliveries are retried with backoff and still arrive once.
import { describe, expect, it } from "vitest";
import { type AlertDelivery, AlertDispatcher } from "../../src/adapters/alerts/alert-dispatcher.ts";
import { WebhookAlertSink } from "../../src/adapters/alerts/webhook-alert-sink.ts";
import { WorkerAlertEmitter } from "../../src/adapters/alerts/worker-alert-emitter.ts";
import { SqliteApprovalStore } from "../../src/adapters/sqlite/sqlite-approval-store.ts";
import { openOrderDatabase } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { configureAlerts } from "../../src/app/alert-config.ts";
import { ApprovalHold } from "../../src/app/approval-hold.ts";
import { setRisk } from "../../src/app/risk-limits.ts";
import { alertSetupFor } from "../../src/composition-root.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { TradingSession } from "../../src/execution/trading-session.ts";
import { flipper, setupSession, T0 } from "../risk/session-gate.ts";
import { startWebhookReceiver, startWebhookReceiverProcess } from "./receivers.ts";

const SECRET = "r9-shared-secret-0123456789";
const BREACHES = 1000;

/** A session whose every intent the gate refuses on order value, raising alerts through `dispatcher` */
function breachingSession(bars: number, alerts: (home: string) => AlertDelivery) {
  const s = setupSession({ bars, timing: "replay" });
  const dispatcher = alerts(s.home);
  const set = (key: string, value: string) =>
    setRisk({ home: s.home, now: () => 0 }, { key, value, by: "r9" });
  set("maxOrderValue", "1");
  set("maxMessagesPerSecondVenue", "1000000");
  set("maxMessagesPerSecondStrategy", "1000000");
  const db = openOrderDatabase(s.home);
  const risk = new ApprovalHold(s.risk, {
    store: new SqliteApprovalStore(db),
    alerts: dispatcher,
    home: s.home,
    clock: s.time,
    quote: "USDT",
  });
  const lifecycle = new OrderLifecycle({
    store: s.store,
    broker: s.paper,
    clock: s.time,
    sleep: s.time.sleep,
  });
  const session = new TradingSession(
    { store: s.store, broker: s.paper, lifecycle, clock: s.time, risk },
    {
      session: s.store.getSession("r")!,
      strategy: flipper,
      series: [s.series],
      rules: new Map([
        [
          "BTC/USDT",
          (s.risk as unknown as { deps: { rules: Map<string, never> } }).deps.rules.get("BTC/USDT")!,
        ],
      ]),
      baseline: { USDT: "10000" },
      startTs: T0,
      sizeFraction: 0.05,
    },
  );
  return {
    ...s,
    session,
    dispatcher,
    close: () => {
      db.close();
      s.close();
    },
  };
}

describe("R9 alerts", () => {
  it(`${BREACHES} injected breaches: 100% reach the local webhook, signed, within 5 s (max)`, async () => {
    // the receiver is another process, as a user's is: this thread being busy cannot stall it
    const rx = await startWebhookReceiverProcess(SECRET);
    // the production wiring: alerts.json names the webhook, the secret comes from the environment,
    // and with a webhook configured the composition root delivers from a worker thread
    const s = breachingSession(BREACHES, (home) => {
      configureAlerts(home, { webhook: `${rx.url}/hook`, log: "false" });
      return alertSetupFor(home, { KAIROS_ALERT_WEBHOOK_SECRET: SECRET }).dispatcher;
    });
    const dispatcher = s.dispatcher;
    expect(dispatcher).toBeInstanceOf(WorkerAlertEmitter);
    // a session starts long before its first alert: the thread has loaded by then
    const t0 = performance.now();
    await (dispatcher as WorkerAlertEmitter).ready();
    const startMs = performance.now() - t0;
    try {
      let loopMs = 0;
      const loopStart = performance.now();
      for (let t = 0; t < BREACHES; t++) {
        const t1 = performance.now();
        const r = await s.session.onClosedBar(t);
        loopMs = Math.max(loopMs, performance.now() - t1);
        expect(r.notes.join(" ")).toMatch(/refused by the risk gate \(order-value/);
      }
      const totalLoopMs = performance.now() - loopStart;
      expect(s.submits()).toBe(0);
      expect(await dispatcher.flush(20_000)).toBe(true);
      const report = await rx.report();
      const breaches = report.received.filter((g) => g.alert.kind === "limit-breach");
      expect(breaches).toHaveLength(BREACHES);
      expect(new Set(breaches.map((g) => g.alert.data.order)).size).toBe(BREACHES);
      expect(report.badSignatures).toBe(0);
      const latencies = breaches.map((g) => g.receivedAt - g.alert.at).sort((a, b) => a - b);
      const max = latencies[latencies.length - 1]!;
      const p50 = latencies[Math.floor(latencies.length / 2)]!;
      process.stderr.write(
        `R9: ${breaches.length}/${BREACHES} breach alerts delivered; latency max ${max} ms, p50 ${p50} ms; session loop ${totalLoopMs.toFixed(0)} ms (slowest step ${loopMs.toFixed(1)} ms); ${report.requests} requests; alert thread start ${startMs.toFixed(0)} ms\n`,
      );
      expect(max).toBeLessThanOrEqual(5000);
    } finally {
      s.close();
      await rx.close();
    }
  });

  it("a receiver failing every alert's first delivery (503): each retried with backoff, delivered once", async () => {
    const rx = await startWebhookReceiver(SECRET, { failFirst: () => true });
    const dispatcher = new AlertDispatcher({
      sinks: [new WebhookAlertSink({ url: rx.url, secret: SECRET })],
      clock: { now: () => Date.now() },
      backoffMs: 50,
    });
    for (let i = 0; i < 200; i++)
      dispatcher.emit({ kind: "limit-breach", severity: "warning", title: `b${i}`, text: "", data: { i } });
    expect(await dispatcher.flush(10_000)).toBe(true);
    expect(rx.received()).toHaveLength(200);
    expect(rx.requests()).toBe(400);
    const [stats] = dispatcher.stats();
    expect(stats).toMatchObject({ delivered: 200, retries: 200, givenUp: 0, pending: 0 });
    await rx.close();
  });

  it("a receiver refusing the signature (wrong secret): given up at once (4xx), reported, never blocking", async () => {
    const rx = await startWebhookReceiver("another-secret-0123456789");
    const gaveUp: string[] = [];
    const dispatcher = new AlertDispatcher({
      sinks: [new WebhookAlertSink({ url: `${rx.url}/hook?token=abc`, secret: SECRET })],
      clock: { now: () => Date.now() },
      onGiveUp: (_sink: string, _a: unknown, why: string) => gaveUp.push(why),
    });
    dispatcher.emit({ kind: "halted", severity: "critical", title: "h", text: "", data: {} });
    expect(await dispatcher.flush(10_000)).toBe(true);
    expect(rx.received()).toHaveLength(0);
    expect(gaveUp).toEqual([`webhook ${rx.url}/hook: HTTP 401 (after 1 attempt(s))`]);
    // neither the secret nor the URL's query reach the report
    expect(gaveUp.join(" ")).not.toMatch(/token=abc|r9-shared-secret/);
    await rx.close();
  });
});
