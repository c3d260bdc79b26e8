// What a strategy can see: closed bars only, warm-up flags, closed higher-timeframe bars only
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import type { StrategyContext } from "../strategies/types.ts";
import { runEngine } from "./engine.ts";
import { resample } from "./resample.ts";
import { defaultExecution } from "./types.ts";

describe("strategy context", () => {
  const h1 = sliceSeries(loadBundledSeries("binance", "BTC/USDT", "1h"), 0, 24 * 30);
  const d1 = loadBundledSeries("binance", "BTC/USDT", "1d");

  it("series() ends at the current bar; higher('1d') holds only days closed by this bar's close", () => {
    const seen: {
      bar: number;
      len: number;
      lastTs: number;
      days: number;
      lastDayClose: number;
      warm: boolean;
    }[] = [];
    runEngine({
      series: [h1],
      start: 5,
      config: defaultExecution(),
      strategy: {
        id: "probe",
        warmup: 5,
        onBar(ctx: StrategyContext) {
          const s = ctx.series();
          const d = ctx.higher("1d");
          seen.push({
            bar: ctx.bar,
            len: s.ts.length,
            lastTs: s.ts[s.ts.length - 1]!,
            days: d.ts.length,
            lastDayClose: d.close[d.ts.length - 1] ?? Number.NaN,
            warm: ctx.warmingUp,
          });
          return undefined;
        },
      },
    });
    expect(seen.length).toBe(h1.ts.length);
    for (const x of seen) {
      expect(x.len).toBe(x.bar + 1);
      expect(x.lastTs).toBe(h1.ts[x.bar]);
      expect(x.warm).toBe(x.bar < 5);
      // bar 23 (23:00) closes the first day; bar 22 does not
      expect(x.days).toBe(Math.floor((x.bar + 1) / 24));
      if (x.days > 0) expect(x.lastDayClose).toBe(d1.close[x.days - 1]);
    }
  });

  it("resampled daily bars equal the bundled daily candles", () => {
    const r = resample(h1, "1d");
    for (let k = 0; k < 29; k++) {
      expect(r.series.ts[k]).toBe(d1.ts[k]);
      expect(r.series.open[k]).toBe(d1.open[k]);
      expect(r.series.high[k]).toBe(d1.high[k]);
      expect(r.series.low[k]).toBe(d1.low[k]);
      expect(r.series.close[k]).toBe(d1.close[k]);
    }
  });
});
