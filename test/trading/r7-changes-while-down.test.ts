// R7 changes while down: while kairos is stopped a person deposits, places a manual order and
// closes part of the position on the venue; at restart reconciliation detects every change, the
// session stays HALTED (no decision, no order) until a person resolves them
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resumeTrading } from "../../src/app/trade-control.ts";
import { configOf } from "../../src/app/trade-runtime.ts";
import { runSession, startTrading } from "../../src/app/trade-start.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { writeTestLimits } from "./trading-limits.ts";

let home: string;
let c: Container;
let bars: ReturnType<typeof loadBundledSeries>;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "kairos-r7-"));
  c = createContainer({ home });
  // DCA steps of a tenth of the equity add up beyond the default exposure limits
  writeTestLimits(home);
  const all = loadBundledSeries("binance", "BTC/USDT", "1h");
  bars = sliceSeries(all, all.ts.length - 300);
  c.store.upsert(bars);
});
afterAll(() => {
  c.close();
  rmSync(home, { recursive: true, force: true });
});

const iso = (i: number): string => new Date(bars.ts[i]!).toISOString();

describe("R7 changes while down", () => {
  it("a deposit, a manual order and a partial close are all detected at restart; the session stays halted until a person resolves them", async () => {
    const deps = c.trading();
    const first = await startTrading(deps, {
      id: "r7",
      strategy: "dca",
      params: { every: 12, step: 0.1 },
      symbols: "BTC/USDT",
      timeframe: "1h",
      from: iso(10),
      to: iso(200),
    });
    expect(first.state).toBe("active");
    const cfg = configOf(deps.orders.getSession("r7")!);
    const ordersBefore = deps.orders.ordersOf("r7").length;

    // kairos is down; the account changes behind its back
    const venue = deps.paperVenue({ account: "r7", takerFee: String(cfg.fee), rules: cfg.rules });
    venue.deposit("USDT", "500");
    const manual = await venue.submit({
      clientOrderId: "web_manual_1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "limit",
      quantity: "0.001",
      price: "10000.00",
    });
    expect(manual.kind).toBe("accepted");
    const held = (await venue.positions(["BTC/USDT"]))[0]!.quantity;
    expect(Number(held)).toBeGreaterThan(0);
    const partial = await venue.submit({
      clientOrderId: "web_manual_2",
      symbol: "BTC/USDT",
      side: "sell",
      type: "market",
      quantity: "0.01",
    });
    expect(partial.kind).toBe("accepted");
    const b = 200;
    venue.onBars([
      {
        symbol: "BTC/USDT",
        bar: {
          ts: bars.ts[b]!,
          open: bars.open[b]!,
          high: bars.high[b]!,
          low: bars.low[b]!,
          close: bars.close[b]!,
          volume: bars.volume[b]!,
        },
      },
    ]);

    // restart: reconciliation before anything else
    const r = await resumeTrading(deps, { id: "r7" });
    expect(r.state).toBe("halted");
    const rec = r.reconciliation;
    const text = [...rec.foreignOrders, ...rec.differences].join("\n");
    process.stderr.write(`R7 halt message:\n${deps.orders.getSession("r7")!.haltReason}\n`);
    const detected = {
      manualOrder: rec.foreignOrders.some((f) => f.includes("web_manual_1")),
      partialClose: rec.differences.some((d) => /^fill \d+ on BTC\/USDT \(sell 0\.01 /.test(d)),
      depositAndClose:
        rec.differences.some((d) => d.startsWith("balance USDT:")) &&
        rec.differences.some((d) => d.startsWith("balance BTC:")),
    };
    expect(detected).toEqual({ manualOrder: true, partialClose: true, depositAndClose: true });
    expect(text).not.toContain("kr-r7");

    // running it again decides nothing while halted
    const again = await runSession(deps, "r7");
    expect(again.state).toBe("halted");
    expect(deps.orders.ordersOf("r7").length).toBe(ordersBefore);

    // accepting the balances is not enough while a foreign order is open on the venue
    const stillOpen = await resumeTrading(deps, { id: "r7", acceptBalances: true });
    expect(stillOpen.state).toBe("halted");
    expect(stillOpen.reconciliation.foreignOrders).toHaveLength(1);
    expect(stillOpen.reconciliation.differences).toEqual([]);

    // the person cancels the manual order: the session resumes
    expect((await venue.cancel("BTC/USDT", "web_manual_1")).kind).toBe("cancelled");
    const resolved = await resumeTrading(deps, { id: "r7", acceptBalances: true });
    expect(resolved.reconciliation.ok).toBe(true);
    expect(resolved.state).toBe("active");
  });
});
