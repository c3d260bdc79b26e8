import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { type CandleSeries, sliceSeries } from "../../domain/candle-series.ts";
import { isBasket, SCREEN_FAMILIES } from "../catalog.ts";
import { dcaFamily } from "../dca/strategy.ts";
import { gridFamily } from "../grid/strategy.ts";
import { macdFamily } from "../macd/strategy.ts";
import { xsMomentumFamily } from "../xs-momentum/strategy.ts";
import type { BasketData } from "./basket.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1d");
/** A series whose every price (and volume) is `close`, one bar per millisecond */
const closeOnly = (close: Float64Array): CandleSeries => ({
  ...btc,
  ts: close.map((_, i) => i),
  open: close,
  high: close,
  low: close,
  close,
  volume: close,
});

const defaults = (f: (typeof SCREEN_FAMILIES)[number]): Record<string, number> => {
  const p = f.params.parse({}) as Record<string, number>;
  // small windows so the daily file (1,825 bars) exercises every branch
  for (const k of Object.keys(p))
    if (/anchor|regimeLength|volLookback|lookback|period|every/.test(k)) p[k] = Math.min(p[k]!, 30);
  // mean reversion under a trend filter on 30-bar windows rarely fires: test the calm regime
  if ("regime" in p) p.regime = 1;
  return p;
};

describe("single-symbol families", () => {
  for (const f of SCREEN_FAMILIES.filter((x) => !isBasket(x))) {
    if (isBasket(f)) continue;
    it(`${f.name}: exposures in [0, 1], causal, and the event form agrees`, () => {
      const p = defaults(f);
      const full = f.exposures(btc, p);
      for (const e of full) expect(e >= 0 && e <= 1).toBe(true);
      expect(full.some((e) => e > 0)).toBe(true);
      // appending future bars never changes past exposures
      fc.assert(
        fc.property(fc.integer({ min: 60, max: btc.close.length - 1 }), (cut) => {
          const part = f.exposures(sliceSeries(btc, 0, cut), p);
          for (let t = 0; t < cut; t++) if (part[t] !== full[t]) return false;
          return true;
        }),
        { numRuns: 15 },
      );
      const strat = f.create(p);
      strat.prepare?.({ timeframe: "1d", series: { "BTC/USDT": btc } });
      for (const bar of [0, 100, 900, btc.close.length - 1]) {
        const d = strat.onBar({
          bar,
          ts: btc.ts[bar]!,
          timeframe: "1d",
          symbols: ["BTC/USDT"],
          warmingUp: false,
          series: () => sliceSeries(btc, 0, bar + 1),
          higher: () => btc,
          position: () => 0,
          target: () => 0,
          equity: 1,
          cash: 1,
        } as Parameters<typeof strat.onBar>[0]);
        expect(d?.targets?.["BTC/USDT"]).toBe(full[bar]);
      }
    });
  }

  it("macd is long exactly when the histogram is positive (hand-made V)", () => {
    const n = 80;
    const close = Float64Array.from({ length: n }, (_, i) => (i < 40 ? 100 - i : 60 + 2 * (i - 40)));
    const s = closeOnly(close);
    const e = macdFamily.exposures(s, { fast: 3, slow: 6, signal: 2 });
    expect(e[30]).toBe(0); // falling: line below signal
    expect(e[60]).toBe(1); // rising steadily: line above signal
  });

  it("grid adds 1/levels per level below the anchor", () => {
    const close = new Float64Array([100, 100, 100, 97, 94, 101]);
    const s = closeOnly(close);
    // anchor SMA(3): bar 3 = 99, (99 - 97) / 0.99 = 2.02 -> 2 of 4 levels; bar 4 = 97, 3 / 0.97 -> 3
    const e = gridFamily.exposures(s, { levels: 4, spacing: 0.01, anchor: 3 });
    expect(Array.from(e)).toEqual([0, 0, 0, 0.5, 0.75, 0]);
  });

  it("dca adds a step every N bars and takes profit on the average cost", () => {
    const close = new Float64Array([10, 10, 10, 10, 12, 12]);
    const s = closeOnly(close);
    const e = dcaFamily.exposures(s, { every: 2, step: 0.25, takeProfit: 0.1 });
    expect(Array.from(e)).toEqual([0.25, 0.25, 0.5, 0.5, 0, 0]);
  });
});

describe("basket families", () => {
  it("xs-momentum holds the strongest existing symbol; a later listing joins only after its lookback", () => {
    const nan = Number.NaN;
    const a = new Float64Array([10, 11, 12, 13, 14, 15, 16, 17]);
    const b = new Float64Array([nan, nan, nan, nan, 10, 20, 40, 80]);
    const d: BasketData = {
      timeframe: "1d",
      ts: a.map((_, i) => i),
      symbols: ["A", "B"],
      open: [a, b],
      close: [a, b],
    };
    const w = xsMomentumFamily.weights(d, { lookback: 2, topK: 1, rebalance: 1 });
    expect(Array.from(w[0]!)).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(w[1]!)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  });
});
