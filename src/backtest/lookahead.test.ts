// The look-ahead check passes every built-in strategy and catches strategies that peek
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import { FAMILIES } from "../strategies/registry.ts";
import type { PreparedData, Strategy } from "../strategies/types.ts";
import { checkLookahead } from "./lookahead.ts";
import { defaultExecution } from "./types.ts";

const s = loadBundledSeries("binance", "BTC/USDT", "1d");
const sliceHours = () => sliceSeries(loadBundledSeries("binance", "BTC/USDT", "1h"), 0, 24 * 120);
const config = defaultExecution();

describe("look-ahead check", () => {
  for (const name of ["sma-cross", "ema-cross", "rsi-reversion", "donchian-breakout"]) {
    it(`passes ${name} (event form and vectorised form)`, () => {
      const fam = FAMILIES[name]!;
      const p = fam.params.parse({});
      const rep = checkLookahead({
        series: [s],
        start: fam.warmup(p),
        config,
        create: () => fam.create(p),
        exposures: (x: CandleSeries) => fam.exposures(x, p),
        points: 200,
      });
      expect(rep.points).toBe(200);
      expect(rep.valuesChecked).toBeGreaterThan(3000);
      expect(rep.examples).toEqual([]);
      expect(rep.ok).toBe(true);
    });
  }

  it("passes a 1h strategy with a 1d filter read through ctx.higher (closed daily bars only)", () => {
    const h1 = sliceHours();
    const mtf = (): Strategy => ({
      id: "mtf",
      warmup: 24 * 21,
      onBar(ctx) {
        const d = ctx.higher("1d");
        const k = d.close.length;
        if (k < 20) return { targets: { "BTC/USDT": 0 }, values: { days: k } };
        let sum = 0;
        for (let i = k - 20; i < k; i++) sum += d.close[i]!;
        const c = ctx.series().close[ctx.bar]!;
        return { targets: { "BTC/USDT": c > sum / 20 ? 1 : 0 }, values: { days: k, sma20d: sum / 20 } };
      },
    });
    const rep = checkLookahead({ series: [h1], start: 24 * 21, config, create: mtf, points: 40 });
    expect(rep.valuesChecked).toBeGreaterThan(1000);
    expect(rep.ok).toBe(true);
  });

  it("catches a strategy that reads the next bar's close in prepare", () => {
    const peeking = (): Strategy => {
      let next: Float64Array = new Float64Array();
      return {
        id: "peek",
        warmup: 0,
        prepare(d: PreparedData) {
          const c = d.series["BTC/USDT"]!.close;
          next = c.map((_, i) => (i + 1 < c.length ? c[i + 1]! : Number.NaN));
        },
        onBar(ctx) {
          const c = ctx.series().close[ctx.bar]!;
          return { targets: { "BTC/USDT": next[ctx.bar]! > c ? 1 : 0 }, values: { next: next[ctx.bar]! } };
        },
      };
    };
    const rep = checkLookahead({ series: [s], start: 0, config, create: peeking, points: 50 });
    expect(rep.ok).toBe(false);
    // at every cut the last bar's "next" value is missing in the truncated run
    expect(rep.changes).toBeGreaterThanOrEqual(50);
    expect(rep.examples[0]!.key).toMatch(/^(value:next|target:BTC\/USDT)$/);
    expect(rep.examples[0]!.bar).toBe(rep.examples[0]!.cut);
  });

  it("catches a subtle peek: scaling by the maximum of the whole series", () => {
    const scaled = (): Strategy => {
      let max = 0;
      return {
        id: "global-max",
        warmup: 0,
        prepare(d: PreparedData) {
          max = Math.max(...d.series["BTC/USDT"]!.close);
        },
        onBar(ctx) {
          return { targets: { "BTC/USDT": ctx.series().close[ctx.bar]! / max } };
        },
      };
    };
    const rep = checkLookahead({ series: [s], start: 0, config, create: scaled, points: 20 });
    expect(rep.ok).toBe(false);
  });

  it("catches a peeking vectorised form", () => {
    const fam = FAMILIES["sma-cross"]!;
    const p = fam.params.parse({});
    const rep = checkLookahead({
      series: [s],
      start: 49,
      config,
      create: () => fam.create(p),
      // centred moving average: uses bars after t
      exposures: (x) => x.close.map((c, i) => (c > (x.close[i + 5] ?? Number.NaN) ? 1 : 0)),
      points: 20,
    });
    expect(rep.ok).toBe(false);
    expect(rep.examples[0]!.key).toBe("exposures:BTC/USDT");
  });
});
