import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { sliceSeries } from "../../domain/candle-series.ts";
import { rollingSignForecast } from "./model-probabilities.ts";
import { modelSignParams } from "./params.ts";
import { explainModelSign, modelSign } from "./strategy.ts";

const full = loadBundledSeries("binance", "BTC/USDT", "1h");
const s = sliceSeries(full, full.close.length - 2600);
const p = modelSignParams.parse({ horizon: 1, threshold: 0.52, retrainEvery: 600, trainWindow: 3000 });

describe("model-sign", () => {
  it("is causal: exposures on a truncated series equal the full run's prefix", () => {
    const all = modelSign.exposures(s, p);
    const cut = 2100;
    const part = modelSign.exposures(sliceSeries(s, 0, cut), p);
    expect(Array.from(part)).toEqual(Array.from(all.subarray(0, cut)));
    // flat before the first fit, and trading at some point after it
    expect(all.subarray(0, modelSign.warmup(p)).every((e) => e === 0)).toBe(true);
    expect(all.some((e) => e === 1)).toBe(true);
  }, 120_000);

  it("explains a bar with TreeSHAP contributions that add up to the forecast", () => {
    const t = s.close.length - 1;
    const e = explainModelSign(s, p, t, 64);
    const fc = rollingSignForecast(s, p.horizon, p.retrainEvery, p.trainWindow);
    expect(e.probUp).toBeCloseTo(fc.probUp[t]!, 9);
    expect(e.sentences[0]).toMatch(
      /^\S+ at \S+ pulled the next-bar up-probability (up|down) by \d+\.\d points$/,
    );
    const short = explainModelSign(s, p, t);
    expect(short.contributions).toHaveLength(3);
    expect(Math.abs(short.contributions[0]!.points)).toBeGreaterThanOrEqual(
      Math.abs(short.contributions[2]!.points),
    );
    expect(explainModelSign(s, p, 10).sentences[0]).toMatch(/no model yet/);
  }, 120_000);
});
