/**
 * dca in a real trading session fed as the live loop feeds it (src/app/trade-live-run.ts): a
 * BarWindow of at most 1,000 bars, the session's series replaced by the window's views on every
 * new bar (setSeries, so the strategy is prepared again over the window) and the newest bar acted
 * on, with a real SQLite order store and paper venue. Its committed decisions must be the
 * backtest's target changes over the same bars, long after the window has started to roll.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../../src/adapters/paper/paper-venue-store.ts";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { barAt, sliceSeries } from "../../src/domain/candle-series.ts";
import { BarWindow } from "../../src/execution/bar-window.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { TradingSession } from "../../src/execution/trading-session.ts";
import { dcaFamily } from "../../src/strategies/dca/strategy.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const SYM = "BTC/USDT";
const BARS = 1_400;
const WINDOW = 1_000; // trade-live-run's window for a strategy without warm-up
const btc = sliceSeries(loadBundledSeries("binance", SYM, "1h"), 20_000, 20_000 + BARS);

describe("dca in a trading session on a rolling bar window", () => {
  it("commits the backtest's target changes on the same bars after the window rolled", async () => {
    const p = { every: 72, step: 0.03, takeProfit: 0.04 };
    // the backtest's view: the target at each bar's close, acted on when it changes (0 at first is no change)
    const full = dcaFamily.exposures(btc, p);
    const expected: [number, number][] = [];
    let prev = 0;
    for (let t = 0; t < BARS; t++) {
      if (full[t] !== prev) expected.push([btc.ts[t]!, full[t]!]);
      prev = full[t]!;
    }
    // the check can fail: decisions after bar WINDOW exist, and a take-profit reset among them
    expect(expected.filter(([ts]) => ts >= btc.ts[WINDOW]!).length).toBeGreaterThan(5);
    expect(expected.some(([ts, e]) => ts >= btc.ts[WINDOW]! && e === 0)).toBe(true);

    const home = mkdtempSync(join(tmpdir(), "kairos-dca-window-"));
    let now = btc.ts[0]!;
    const clock = { now: () => now };
    const store = SqliteOrderStore.open(home, clock.now);
    const pdb = openPaperDatabase(home);
    try {
      const rules = defaultRules(SYM, btc.close[0]!);
      const paper = new PaperBroker(pdb, { account: "d", takerFee: "0.001", rules: [rules], clock });
      paper.fund({ USDT: "100000" });
      store.createSession({
        id: "d",
        mode: "paper",
        venue: paper.venue,
        state: "active",
        config: {},
        createdAt: now,
        updatedAt: now,
      });
      const sleep = async (ms: number): Promise<void> => {
        now += ms;
      };
      const lifecycle = new OrderLifecycle({ store, broker: paper, clock, sleep });
      const window = BarWindow.of([sliceSeries(btc, 0, 1)], WINDOW);
      const session = new TradingSession(
        { store, broker: paper, lifecycle, clock },
        {
          session: store.getSession("d")!,
          strategy: dcaFamily.create(p),
          series: window.views(),
          rules: new Map([[SYM, rules]]),
          baseline: { USDT: "100000" },
          startTs: btc.ts[0]!,
        },
      );
      for (let i = 0; i < BARS; i++) {
        const bar = barAt(btc, i);
        if (i > 0) {
          window.append([bar]);
          session.setSeries(window.views());
        }
        now = bar.ts + 3_600_000;
        lifecycle.recordFills(paper.onBars([{ symbol: SYM, bar }]), "paper");
        await lifecycle.settle("d");
        await session.onClosedBar(window.length - 1);
      }
      expect(window.length).toBe(WINDOW);
      const got: [number, number][] = [];
      const last = store.lastDecision("d")?.seq ?? 0;
      for (let seq = 1; seq <= last; seq++) {
        const d = store.getDecision("d", seq)!;
        got.push([d.barTs, d.targets[SYM]!]);
      }
      expect(got).toEqual(expected);
    } finally {
      store.close();
      pdb.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
