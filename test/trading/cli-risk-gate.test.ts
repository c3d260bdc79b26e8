// `kairos trade start|resume` sessions pass the pre-trade risk gate: a fresh home gets the
// conservative default limits (and is told so), an order beyond maxOrderValue is refused with its
// check, limit and observed value (no intent stored, nothing sent to the venue), and once a person
// raises the limit with `kairos risk set` the same session trades
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configOf } from "../../src/app/trade-runtime.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { defaultRiskLimits } from "../../src/risk/limits.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess } from "../support/cli.ts";

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const bars = sliceSeries(all, all.ts.length - 600);
const iso = (i: number): string => new Date(bars.ts[i]!).toISOString();

/** a home holding the first `n` of the bars */
function homeWith(n: number): string {
  const home = mkdtempSync(join(tmpdir(), "kairos-cli-gate-"));
  homes.push(home);
  const c = createContainer({ home });
  c.store.upsert(sliceSeries(bars, 0, n));
  c.close();
  return home;
}

/** what kairos stored and what the paper venue holds for one session */
async function books(home: string, id: string) {
  const c = createContainer({ home });
  try {
    const deps = c.trading();
    const cfg = configOf(deps.orders.getSession(id)!);
    const venue = deps.paperVenue({ account: id, takerFee: String(cfg.fee), rules: cfg.rules });
    return {
      orders: deps.orders.ordersOf(id).length,
      fills: deps.orders.fillsOf(id).length,
      venueFills: (await venue.fillsSince("BTC/USDT", 0)).length,
      venueOpen: (await venue.openOrders("BTC/USDT")).length,
      balances: Object.fromEntries(
        (await venue.balances()).map((b) => [b.asset, Number(b.free) + Number(b.locked)]),
      ),
    };
  } finally {
    c.close();
  }
}

const start = (home: string, id: string, extra: string[] = []) =>
  runKairosInProcess(
    [
      "trade",
      "start",
      "--id",
      id,
      "--strategy",
      "sma-cross",
      "--fast",
      "2",
      "--slow",
      "5",
      "--symbols",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--from",
      iso(100),
      ...extra,
    ],
    { home },
  );

describe("CLI trading sessions pass the pre-trade risk gate", () => {
  it("a fresh home gets the conservative defaults (one line, risk show, risk-changes.jsonl by kairos defaults) and its full-equity orders are refused on order-value", async () => {
    const home = homeWith(300);
    expect(existsSync(join(home, "risk-limits.json"))).toBe(false);
    const r = await start(home, "gd1");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.includes("conservative defaults"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(home, "risk-limits.json"));

    const show = await runKairosInProcess(["--json", "risk", "show"], { home });
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout) as { written: boolean; limits: Record<string, unknown> };
    expect(shown.written).toBe(true);
    const { updatedAt: _a, updatedBy, ...limits } = shown.limits;
    const { updatedAt: _b, updatedBy: _c, ...defaults } = defaultRiskLimits("x");
    expect(limits).toEqual(defaults);
    expect(updatedBy).toBe("kairos defaults");
    const changes = readFileSync(join(home, "risk-changes.jsonl"), "utf8").trim().split("\n");
    expect(changes).toHaveLength(1);
    expect(JSON.parse(changes[0]!).by).toBe("kairos defaults");

    // the strategy puts the whole 10,000 USDT into BTC: beyond maxOrderValue 1,000
    expect(r.stderr).toMatch(
      /refused by the risk gate \(order-value: observed [\d.]+, limit 1000\): not stored, not sent/,
    );
    const b = await books(home, "gd1");
    expect(b).toMatchObject({ orders: 0, fills: 0, venueFills: 0, venueOpen: 0 });
    expect(b.balances).toEqual({ USDT: 10_000 });

    // a second start in the same home keeps the limits it has and says nothing about defaults
    const again = await start(home, "gd2");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("conservative defaults");
    expect(readFileSync(join(home, "risk-changes.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);
  }, 120_000);

  it("an order beyond maxOrderValue is refused (nothing stored as an intent, nothing sent); with the limit raised through `risk set` the same session trades", async () => {
    const home = homeWith(300);
    // a person sized everything for this account except the order value, left at the default 1,000
    for (const [key, value] of [
      ["maxOrderQty", "100"],
      ["maxExposurePerSymbol", "200000"],
      ["maxExposureTotal", "200000"],
      ["maxDailyLoss", "10000"],
      ["maxDrawdown", "1"],
    ] as const) {
      const s = await runKairosInProcess(["risk", "set", key, value, "--by", "alice"], { home });
      expect(s.code, s.stderr).toBe(0);
    }
    const r = await start(home, "gv1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("conservative defaults");
    const refusals = r.stderr.split("\n").filter((l) => l.includes("refused by the risk gate"));
    expect(refusals.length).toBeGreaterThan(0);
    for (const l of refusals) expect(l).toMatch(/\(order-value: observed [\d.]+, limit 1000\)/);
    const decisions = readFileSync(join(home, "risk-decisions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            accepted: boolean;
            checks: { check: string; pass: boolean; limit: number; observed: number }[];
          },
      );
    expect(decisions.length).toBe(refusals.length);
    for (const d of decisions) {
      expect(d.accepted).toBe(false);
      const failed = d.checks.filter((c) => !c.pass);
      expect(failed.map((c) => c.check)).toEqual(["order-value"]);
      expect(failed[0]!.observed).toBeGreaterThan(failed[0]!.limit);
    }
    const before = await books(home, "gv1");
    expect(before).toMatchObject({ orders: 0, fills: 0, venueFills: 0, venueOpen: 0 });
    expect(before.balances).toEqual({ USDT: 10_000 });

    // the limit raised, more bars arrive, the same session goes on and trades
    const set = await runKairosInProcess(["risk", "set", "maxOrderValue", "100000", "--by", "alice"], {
      home,
    });
    expect(set.code, set.stderr).toBe(0);
    const c = createContainer({ home });
    c.store.upsert(sliceSeries(bars, 300));
    c.close();
    const resumed = await runKairosInProcess(["trade", "resume", "gv1"], { home });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain("refused by the risk gate");
    const after = await books(home, "gv1");
    expect(after.orders).toBeGreaterThan(0);
    expect(after.fills).toBeGreaterThan(0);
    expect(after.venueFills).toBe(after.fills);
  }, 120_000);
});
