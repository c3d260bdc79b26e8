// The pluggable parts on their own: fees, slippage, tick rounding, units, vol-target sizing, trade breakdowns
import { describe, expect, it } from "vitest";
import { scripted, seriesOf, tradeOf } from "../../test/support/backtest-fixtures.ts";
import type { Trade } from "../domain/trade.ts";
import { roundToTick, takerPrice } from "../execution/venue/fill-model.ts";
import { configuredFees, fundingFrom, slippageFrom } from "../execution/venue/models.ts";
import { runEngine } from "./engine.ts";
import { analyseTrades, tradesToCsv, weekdayOf } from "./trade-analysis.ts";
import { defaultExecution } from "./types.ts";
import { parseFraction } from "./units.ts";

describe("models", () => {
  it("fees: configured maker/taker, or per-symbol market metadata", () => {
    const f = configuredFees(defaultExecution({ fee: 0.001, makerFee: 0.0002 }), {
      "ETH/USDT": { maker: 0, taker: 0.0004 },
    });
    expect([f.rate("BTC/USDT", "taker"), f.rate("BTC/USDT", "maker")]).toEqual([0.001, 0.0002]);
    expect([f.rate("ETH/USDT", "taker"), f.rate("ETH/USDT", "maker")]).toEqual([0.0004, 0]);
  });

  it("volume slippage: base + k * range/open * sqrt(qty/volume)", () => {
    const s = slippageFrom({ kind: "volume", base: 0.0001, k: 0.5 });
    // range 4 on open 100, qty 25 of volume 100: 0.0001 + 0.5 * 0.04 * 0.5
    expect(s.fraction(25, 100, 102, 98, 100)).toBeCloseTo(0.0101, 12);
    expect(s.fraction(25, 100, 102, 98, 0)).toBe(0.0001);
    expect(slippageFrom({ kind: "fixed", rate: 0.002 }).fraction(1, 1, 1, 1, 1)).toBe(0.002);
  });

  it("ticks round against the trader and stay inside the bar", () => {
    expect(roundToTick(100.123, 0.05, "buy", 99, 101)).toBeCloseTo(100.15, 12);
    expect(roundToTick(100.123, 0.05, "sell", 99, 101)).toBeCloseTo(100.1, 12);
    expect(roundToTick(100.98, 0.05, "buy", 99, 100.99)).toBeCloseTo(100.95, 12);
    expect(roundToTick(100.1, 0.05, "buy", 99, 101)).toBeCloseTo(100.1, 12);
    expect(takerPrice("buy", 100, 0.001, 99, 101, 0.5)).toBe(100.5);
  });

  it("funding without history is the configured rate", () => {
    expect(fundingFrom(defaultExecution({ fundingRate: 0.0003 })).rate("X", 0)).toBe(0.0003);
  });

  it("units: fractions, percentages and basis points", () => {
    expect(parseFraction("0.001", "--fee")).toBe(0.001);
    expect(parseFraction("0.1%", "--fee")).toBeCloseTo(0.001, 15);
    expect(parseFraction("5bps", "--slippage")).toBeCloseTo(0.0005, 15);
    expect(() => parseFraction("-1", "--fee")).toThrow(/--fee "-1" must be between 0 and 1/);
    expect(() => parseFraction("abc", "--fee")).toThrow(/write a fraction/);
  });

  it("vol-target sizing scales exposure by target / realised volatility", () => {
    // daily closes alternating +1% / -1%: realised vol is about 1% * sqrt(365)
    const c = Array.from({ length: 30 }, (_, i) => 100 * (i % 2 === 0 ? 1 : 1.01));
    const s = seriesOf({ o: c, h: c.map((x) => x * 1.001), l: c.map((x) => x * 0.999), c }, "BTC/USDT", "1d");
    const r = runEngine({
      series: [s],
      strategy: scripted({ 20: { targets: { "BTC/USDT": 1 } } }),
      config: defaultExecution({
        fee: 0,
        sizing: { kind: "vol-target", annualVol: 0.1, lookback: 10, maxExposure: 1 },
      }),
    });
    // log returns: the one realised volatility of kairos (closeToCloseVolatility)
    const rets = Array.from({ length: 10 }, (_, k) => Math.log(c[11 + k]! / c[10 + k]!));
    const m = rets.reduce((a, b) => a + b, 0) / 10;
    const vol = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / 9) * Math.sqrt(365);
    const notional = r.fills[0]!.qty * c[20]!;
    expect(notional / 10000).toBeCloseTo(0.1 / vol, 9);
  });
});

describe("trade analysis", () => {
  const trade = (entryTs: number, pnl: number, exitReason: string): Trade =>
    tradeOf(pnl, {
      symbol: "BTC/USDT",
      entryTs,
      entryPrice: 100,
      exitTs: entryTs + 3_600_000,
      exitPrice: 100 + pnl,
      exitReason,
      mae: -0.01,
      mfe: 0.02,
    });

  it("groups by weekday, month and exit reason", () => {
    // 2024-01-01 was a Monday
    const mon = Date.UTC(2024, 0, 1, 10);
    expect(weekdayOf(mon)).toBe("Mon");
    const a = analyseTrades([
      trade(mon, 5, "signal"),
      trade(mon + 86_400_000, -2, "stop-loss"),
      trade(Date.UTC(2024, 1, 5), 1, "signal"),
    ]);
    expect(a.byWeekday.map((g) => [g.key, g.trades])).toEqual([
      ["Mon", 2],
      ["Tue", 1],
    ]);
    expect(a.byMonth.map((g) => [g.key, g.trades, g.pnl])).toEqual([
      ["2024-01", 2, 3],
      ["2024-02", 1, 1],
    ]);
    expect(a.byExitReason.map((g) => [g.key, g.winRate])).toEqual([
      ["signal", 1],
      ["stop-loss", 0],
    ]);
    expect(a.bestReturn).toBeCloseTo(0.05, 12);
  });

  it("CSV has a header, ISO times and quotes awkward cells", () => {
    const csv = tradesToCsv([trade(Date.UTC(2024, 0, 1), 1, 'say "why", then')]);
    const [head, row] = csv.trim().split("\n");
    expect(head).toBe(
      "symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,fees,funding,pnl,returnPct,bars,durationHours,entryReason,exitReason,mae,mfe",
    );
    expect(row).toBe(
      'BTC/USDT,long,2024-01-01T00:00:00.000Z,100,2024-01-01T01:00:00.000Z,101,1,0,0,1,0.01,1,1,signal,"say ""why"", then",-0.01,0.02',
    );
  });
});
