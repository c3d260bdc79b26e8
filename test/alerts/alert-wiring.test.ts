// The alerts the trading path raises, through the composition root's wiring (alerts.json, the
// secret from the environment, the worker thread) to a local webhook: a fill for every recorded
// fill, a reconciliation discrepancy when the venue holds what kairos did not record (which also
// halts: HALTED), a kill for every session the kill switch halts; and `kairos alerts test`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configureAlerts } from "../../src/app/alert-config.ts";
import { kill } from "../../src/app/kill.ts";
import { openSession } from "../../src/app/trade-runtime.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess } from "../support/cli.ts";
import { startWebhookReceiver } from "./receivers.ts";

const SECRET = "wiring-secret-0123456789";
const homes: string[] = [];
afterAll(() => {
  delete process.env.KAIROS_ALERT_WEBHOOK_SECRET;
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), "kairos-alert-wiring-"));
  homes.push(home);
  return home;
}

describe("alerts from the trading path", () => {
  it("fills, a reconciliation discrepancy and HALTED reach the webhook", async () => {
    const rx = await startWebhookReceiver(SECRET);
    const home = newHome();
    configureAlerts(home, { webhook: `${rx.url}/kairos` });
    process.env.KAIROS_ALERT_WEBHOOK_SECRET = SECRET;
    const c = createContainer({ home });
    try {
      const all = loadBundledSeries("binance", "BTC/USDT", "1h");
      c.store.upsert(sliceSeries(all, all.ts.length - 200));
      const t = c.trading();
      await startTrading(t, {
        id: "w1",
        strategy: "sma-cross",
        params: { fast: 2, slow: 5 },
        symbols: "BTC/USDT",
        timeframe: "1h",
        capital: 900,
        from: new Date(all.ts[all.ts.length - 100]!).toISOString(),
      });
      const fills = t.orders.fillsOf("w1");
      expect(fills.length).toBeGreaterThan(0);
      // an order on the venue kairos never sent: reconciliation flags it (never adopts it)
      const live = openSession(t, "w1");
      const placed = await live.venue.submit({
        clientOrderId: "foreign-1",
        symbol: "BTC/USDT",
        side: "buy",
        type: "limit",
        quantity: "0.02",
        price: "1000",
      });
      expect(placed.kind, JSON.stringify(placed)).toBe("accepted");
      const rec = await live.reconcile(true);
      expect(rec.foreignOrders.join()).toMatch(
        /^BTC\/USDT buy 0\.02 \(venue order \d+, client id foreign-1\)$/,
      );
      t.orders.setState("w1", "halted", "a person halts it after the reconciliation");
      expect(await c.alerts().dispatcher.flush(15_000)).toBe(true);
      const got = rx.received().map((r) => r.alert);
      const kinds = (k: string) => got.filter((a) => a.kind === k);
      expect(
        kinds("fill")
          .map((a) => a.data.tradeId)
          .sort(),
      ).toEqual(fills.map((f) => f.tradeId).sort());
      expect(kinds("reconciliation")).toHaveLength(1);
      expect(String(kinds("reconciliation")[0]!.text)).toContain(
        "venue order not sent by kairos: BTC/USDT buy 0.02",
      );
      expect(kinds("halted").map((a) => a.data.session)).toEqual(["w1"]);
      expect(rx.badSignatures()).toBe(0);
      // the log has them too, and neither holds the secret
      const { readFileSync } = await import("node:fs");
      const log = readFileSync(join(home, "alerts.log"), "utf8");
      expect(log.split("\n").filter(Boolean).length).toBe(got.length);
      expect(log).not.toContain(SECRET);
      expect(JSON.stringify(got)).not.toContain(SECRET);
    } finally {
      c.close();
      await rx.close();
    }
  });

  it("the kill switch raises a kill alert per session it halts", async () => {
    const rx = await startWebhookReceiver(SECRET);
    const home = newHome();
    configureAlerts(home, { webhook: rx.url, log: "false" });
    process.env.KAIROS_ALERT_WEBHOOK_SECRET = SECRET;
    const c = createContainer({ home });
    try {
      const all = loadBundledSeries("binance", "BTC/USDT", "1h");
      c.store.upsert(sliceSeries(all, all.ts.length - 60));
      const t = c.trading();
      for (const id of ["k1", "k2"])
        await startTrading(t, {
          id,
          strategy: "sma-cross",
          params: { fast: 2, slow: 5 },
          symbols: "BTC/USDT",
          timeframe: "1h",
          capital: 500,
          from: new Date(all.ts[all.ts.length - 3]!).toISOString(),
        });
      await kill({ ...t, home }, { by: "alice" });
      expect(await c.alerts().dispatcher.flush(15_000)).toBe(true);
      const kills = rx.received().filter((r) => r.alert.kind === "kill");
      const perSession = kills.filter((k) => k.alert.data.session !== undefined);
      expect(perSession.map((k) => k.alert.data.session).sort()).toEqual(["k1", "k2"]);
      expect(perSession[0]!.alert.text).toMatch(/kill switch .* by alice/);
      // and one for the account, naming who pulled it
      const account = kills.filter((k) => k.alert.data.session === undefined);
      expect(account.map((k) => [k.alert.title, (k.alert.data.sessions as string[]).sort()])).toEqual([
        ["KILL SWITCH pulled by alice: HALTED", ["k1", "k2"]],
      ]);
    } finally {
      c.close();
      await rx.close();
    }
  });

  it("a kill with no session running still raises the account's kill alert", async () => {
    const rx = await startWebhookReceiver(SECRET);
    const home = newHome();
    configureAlerts(home, { webhook: rx.url, log: "false" });
    process.env.KAIROS_ALERT_WEBHOOK_SECRET = SECRET;
    const c = createContainer({ home });
    try {
      await kill({ ...c.trading(), home }, { by: "bob" });
      expect(await c.alerts().dispatcher.flush(15_000)).toBe(true);
      expect(rx.received().map((r) => [r.alert.kind, r.alert.title])).toEqual([
        ["kill", "KILL SWITCH pulled by bob: HALTED"],
      ]);
    } finally {
      c.close();
      await rx.close();
    }
  });

  it("`kairos alerts test` delivers to every configured sink, and names a missing secret", async () => {
    const rx = await startWebhookReceiver(SECRET);
    const home = newHome();
    const cfg = await runKairosInProcess(["alerts", "config", "--webhook", `${rx.url}/t`], { home });
    expect(cfg.code, cfg.stderr).toBe(0);
    process.env.KAIROS_ALERT_WEBHOOK_SECRET = SECRET;
    const ok = await runKairosInProcess(["--json", "alerts", "test"], { home });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      delivered: true,
      sinks: [
        { sink: "log", delivered: true },
        { sink: "webhook", delivered: true },
      ],
      problems: [],
    });
    expect(rx.received().map((r) => r.alert.kind)).toEqual(["test"]);
    delete process.env.KAIROS_ALERT_WEBHOOK_SECRET;
    const missing = await runKairosInProcess(["alerts", "test"], { home });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("set KAIROS_ALERT_WEBHOOK_SECRET to the shared secret");
    await rx.close();
  });
});
