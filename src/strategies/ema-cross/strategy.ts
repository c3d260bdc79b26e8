import type { CandleSeries } from "../../domain/candle-series.ts";
import { ema } from "../../indicators/ema.ts";
import { getIndicator } from "../../indicators/registry.ts";
import { crossExposures } from "../cross.ts";
import type { StrategyFamily } from "../family.ts";
import { strategyFromFamily } from "../from-family.ts";
import { type EmaCrossParams, emaCrossParams } from "./params.ts";

/** Long while EMA(fast) > EMA(slow), flat (or short) otherwise */
export const emaCross: StrategyFamily<EmaCrossParams> = {
  name: "ema-cross",
  description: "long while the fast exponential moving average is above the slow one",
  params: emaCrossParams,
  grid: { fast: [5, 10, 20, 30, 50], slow: [50, 100, 150, 200] },
  // the indicators declare their warm-up; the slower one decides
  warmup: (p) =>
    Math.max(getIndicator("ema").warmup({ period: p.fast }), getIndicator("ema").warmup({ period: p.slow })),
  indicators: (s: CandleSeries, p) => ({ fast: ema(s.close, p.fast), slow: ema(s.close, p.slow) }),
  exposures(s, p, out = new Float64Array(s.close.length)) {
    return crossExposures(ema(s.close, p.fast), ema(s.close, p.slow), p.short, out);
  },
  create: (p) => strategyFromFamily(emaCross, p),
};
