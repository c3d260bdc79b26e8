// Perpetuals (leverage, isolated margin, liquidation, funding) and the portfolio rules, by hand
import { describe, expect, it } from "vitest";
import { scripted, seriesOf, T0 } from "../../test/support/backtest-fixtures.ts";
import { isolatedMargin } from "../execution/venue/models.ts";
import { runEngine } from "./engine.ts";
import { defaultExecution } from "./types.ts";

// four daily bars: flat, entry day, an 18% one-day fall (low 82), recovery
const FALL = seriesOf(
  { o: [100, 100, 100, 85], h: [101, 101, 100, 90], l: [99, 99, 82, 84], c: [100, 100, 85, 88] },
  "BTC/USDT",
  "1d",
);
const perp = (leverage: number) => defaultExecution({ market: "perp", leverage, fee: 0.001, fundingRate: 0 });

describe("leverage and liquidation", () => {
  it("liquidation prices follow isolated margin with 0.5% maintenance", () => {
    const m = isolatedMargin(defaultExecution());
    expect(m.liquidationPrice(1, 100, 10)).toBeCloseTo(90 / 0.995, 9);
    expect(m.liquidationPrice(1, 100, 2)).toBeCloseTo(50 / 0.995, 9);
    expect(m.liquidationPrice(-1, 100, 10)).toBeCloseTo(110 / 1.005, 9);
  });

  it("a 10x long through an 18% one-day fall is liquidated and loses its margin", () => {
    const r = runEngine({
      series: [FALL],
      strategy: scripted({ 0: { targets: { "BTC/USDT": 10 } } }),
      config: perp(10),
    });
    // entry at open 100: margin cap qty <= 10000 / (100 * (1/10 + 0.001)) = 990.099
    const qty = 10000 / (100 * 0.101);
    expect(r.fills[0]!.qty).toBeCloseTo(qty, 6);
    const liq = r.fills[1]!;
    expect(liq).toMatchObject({ bar: 2, side: "sell", reason: "liquidation" });
    expect(liq.price).toBeCloseTo(90 / 0.995, 9);
    expect(r.trades[0]!.exitReason).toBe("liquidation");
    // left: cash minus the entry fee minus the whole margin (loss + liquidation fee capped at the margin)
    const margin = (qty * 100) / 10;
    expect(r.equity[2]!).toBeCloseTo(10000 - qty * 100 * 0.001 - margin, 6);
    expect(r.equity[2]!).toBeLessThan(1);
  });

  it("a 2x long survives the same fall", () => {
    const r = runEngine({
      series: [FALL],
      strategy: scripted({ 0: { targets: { "BTC/USDT": 2 } } }),
      config: perp(2),
    });
    const qty = 10000 / (100 * (0.5 + 0.001));
    expect(r.fills.length).toBe(1);
    expect(r.trades[0]!.exitReason).toBe("end-of-data");
    expect(r.equity[2]!).toBeCloseTo(10000 - qty * 100 * 0.001 + qty * (85 - 100), 6);
  });

  it("spot cannot short or lever: negative targets clip to flat", () => {
    const r = runEngine({
      series: [FALL],
      strategy: scripted({ 0: { targets: { "BTC/USDT": -1 } } }),
      config: defaultExecution(),
    });
    expect(r.fills).toEqual([]);
  });

  it("a 1x short on a perp profits from the fall", () => {
    const r = runEngine({
      series: [FALL],
      strategy: scripted({ 0: { targets: { "BTC/USDT": -1 } } }),
      config: perp(1),
    });
    const qty = 10000 / (100 * 1.001);
    expect(r.fills[0]!.qty).toBeCloseTo(qty, 6);
    expect(r.trades[0]!.side).toBe("short");
    expect(r.equity[3]!).toBeCloseTo(10000 - qty * 0.1 + qty * (100 - 88), 6);
  });
});

describe("funding", () => {
  it("charges qty * open * rate at each 8h instant inside a bar, on the position after the open fills", () => {
    // hourly bars from 06:00: funding instants at 08:00 and 16:00 fall on bars 2 and 10
    const n = 12;
    const s = seriesOf(
      { o: Array(n).fill(100), h: Array(n).fill(101), l: Array(n).fill(99), c: Array(n).fill(100) },
      "BTC/USDT",
      "1h",
      T0 + 6 * 3_600_000,
    );
    const r = runEngine({
      series: [s],
      strategy: scripted({ 0: { targets: { "BTC/USDT": 1 } } }),
      config: defaultExecution({ market: "perp", leverage: 1, fee: 0, fundingRate: 0.0001 }),
    });
    expect(r.fills[0]!.qty).toBeCloseTo(100, 9);
    expect(r.metrics.funding).toBeCloseTo(2 * 100 * 100 * 0.0001, 9);
    expect(r.equity[n - 1]!).toBeCloseTo(10000 - 2, 9);
  });

  it("uses stored history at its instants", () => {
    const s = seriesOf(
      { o: [100, 100, 100], h: [101, 101, 101], l: [99, 99, 99], c: [100, 100, 100] },
      "BTC/USDT",
      "1d",
    );
    const day = 86_400_000;
    const r = runEngine({
      series: [s],
      strategy: scripted({ 0: { targets: { "BTC/USDT": 1 } } }),
      config: defaultExecution({
        market: "perp",
        fee: 0,
        fundingRate: 0,
        fundingHistory: {
          "BTC/USDT": {
            ts: Float64Array.from([T0 + day, T0 + day + 8 * 3_600_000]),
            rate: Float64Array.from([0.001, -0.0005]),
          },
        },
      }),
    });
    // day 1: 00:00 pays 0.1%, 08:00 receives 0.05%, 16:00 has no stored rate and the configured 0 applies
    expect(r.metrics.funding).toBeCloseTo(100 * 100 * (0.001 - 0.0005), 9);
  });
});

describe("portfolio", () => {
  const a = seriesOf(
    { o: [10, 10, 12, 12], h: [10, 11, 12, 13], l: [10, 10, 11, 12], c: [10, 10, 12, 12] },
    "AAA/USDT",
    "1d",
  );
  const b = seriesOf(
    { o: [20, 20, 20, 25], h: [20, 21, 21, 26], l: [20, 19, 19, 24], c: [20, 20, 20, 25] },
    "BBB/USDT",
    "1d",
  );

  it("one cash balance; sells fill before buys at the same open", () => {
    const r = runEngine({
      series: [a, b],
      strategy: scripted({
        0: { targets: { "AAA/USDT": 1 } },
        1: { targets: { "AAA/USDT": 0, "BBB/USDT": 1 } },
      }),
      config: defaultExecution({ fee: 0 }),
    });
    // bar 1: buy 1000 AAA at 10; bar 2: sell AAA at 12 (12000 cash) then buy BBB: 10000 / 20 = 500 sized at bar 1's close
    expect(r.fills.map((f) => [f.bar, f.symbol, f.side, f.qty, f.price])).toEqual([
      [1, "AAA/USDT", "buy", 1000, 10],
      [2, "AAA/USDT", "sell", 1000, 12],
      [2, "BBB/USDT", "buy", 500, 20],
    ]);
    expect(r.cash[2]!).toBeCloseTo(2000, 9);
    expect(r.equity[3]!).toBeCloseTo(2000 + 500 * 25, 9);
    expect(r.metrics.buyAndHold.totalReturn).toBeCloseTo((12 / 10 + 25 / 20) / 2 - 1, 12);
  });

  it("fixed-notional and fixed-fraction sizing", () => {
    const notional = runEngine({
      series: [a],
      strategy: scripted({ 0: { targets: { "AAA/USDT": 1 } } }),
      config: defaultExecution({ fee: 0, sizing: { kind: "fixed-notional", notional: 3000 } }),
    });
    expect(notional.fills[0]!.qty).toBeCloseTo(300, 9);
    const frac = runEngine({
      series: [a],
      strategy: scripted({ 0: { targets: { "AAA/USDT": 1 } } }),
      config: defaultExecution({ fee: 0, sizing: { kind: "fixed-fraction", fraction: 0.25 } }),
    });
    expect(frac.fills[0]!.qty).toBeCloseTo(250, 9);
  });
});
