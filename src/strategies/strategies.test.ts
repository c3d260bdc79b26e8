// The four built-in families: params, exposures against naive re-implementations, event form = vectorised form
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import { runEngine } from "../backtest/engine.ts";
import { defaultExecution } from "../backtest/types.ts";
import { sliceSeries } from "../domain/candle-series.ts";
import { FAMILIES } from "./registry.ts";

const s = sliceSeries(loadBundledSeries("binance", "ETH/USDT", "1h"), 0, 5000);
const naiveSma = (x: Float64Array, i: number, p: number): number => {
  if (i < p - 1) return Number.NaN;
  let sum = 0;
  for (let k = i - p + 1; k <= i; k++) sum += x[k]!;
  return sum / p;
};

describe("strategy families", () => {
  it("params: defaults, bounds and cross-field rules", () => {
    expect(FAMILIES["sma-cross"]!.params.parse({})).toEqual({ fast: 20, slow: 50, short: false });
    expect(FAMILIES["ema-cross"]!.params.parse({})).toEqual({ fast: 12, slow: 26, short: false });
    expect(FAMILIES["rsi-reversion"]!.params.parse({})).toEqual({ period: 14, lower: 30, upper: 70 });
    expect(FAMILIES["donchian-breakout"]!.params.parse({})).toEqual({ entry: 20, exit: 10 });
    expect(FAMILIES["sma-cross"]!.params.safeParse({ fast: 50, slow: 20 }).success).toBe(false);
    expect(FAMILIES["rsi-reversion"]!.params.safeParse({ lower: 80, upper: 70 }).success).toBe(false);
    expect(FAMILIES["donchian-breakout"]!.params.safeParse({ entry: 1 }).success).toBe(false);
  });

  it("sma-cross exposures equal a naive moving-average cross", () => {
    const e = FAMILIES["sma-cross"]!.exposures(s, { fast: 10, slow: 30, short: true });
    for (let i = 0; i < s.close.length; i++) {
      const f = naiveSma(s.close, i, 10);
      const sl = naiveSma(s.close, i, 30);
      const want = Number.isNaN(sl) ? 0 : Math.abs(f - sl) < 1e-9 * sl ? e[i]! : f > sl ? 1 : -1;
      expect(e[i]).toBe(want);
    }
  });

  it("donchian-breakout exposures equal a naive channel breakout", () => {
    const e = FAMILIES["donchian-breakout"]!.exposures(s, { entry: 20, exit: 10 });
    let pos = 0;
    for (let i = 0; i < s.close.length; i++) {
      if (i >= 20) {
        let hi = Number.NEGATIVE_INFINITY;
        for (let k = i - 20; k < i; k++) hi = Math.max(hi, s.high[k]!);
        let lo = Number.POSITIVE_INFINITY;
        for (let k = i - 10; k < i; k++) lo = Math.min(lo, s.low[k]!);
        if (s.close[i]! > hi) pos = 1;
        else if (s.close[i]! < lo) pos = 0;
      }
      expect(e[i]).toBe(pos);
    }
  });

  it("rsi-reversion holds from RSI < lower to RSI > upper", () => {
    const e = FAMILIES["rsi-reversion"]!.exposures(s, { period: 14, lower: 30, upper: 70 });
    const r = FAMILIES["rsi-reversion"]!.indicators!(s, { period: 14, lower: 30, upper: 70 }).rsi!;
    for (let i = 1; i < e.length; i++) {
      if (r[i]! < 30) expect(e[i]).toBe(1);
      else if (r[i]! > 70) expect(e[i]).toBe(0);
      else expect(e[i]).toBe(e[i - 1]);
    }
    expect(e.filter((x) => x === 1).length).toBeGreaterThan(100);
  });

  for (const [name, fam] of Object.entries(FAMILIES)) {
    it(`${name}: the event form's targets equal the vectorised exposures bar for bar`, () => {
      const p = fam.params.parse({});
      const exp = fam.exposures(s, p);
      const got = new Float64Array(s.close.length).fill(Number.NaN);
      runEngine({
        series: [s],
        strategy: fam.create(p),
        config: defaultExecution(),
        start: fam.warmup(p),
        onDecision: (bar, d) => {
          got[bar] = d.targets?.["ETH/USDT"] ?? Number.NaN;
        },
      });
      for (let i = fam.warmup(p); i < s.close.length; i++) expect(got[i]).toBe(exp[i]);
      // nothing before the declared warm-up is ever non-zero
      for (let i = 0; i < fam.warmup(p); i++) expect(exp[i]).toBe(0);
    });
  }
});
