import type { CandleSeries } from "../../domain/candle-series.ts";
import { getIndicator } from "../../indicators/registry.ts";
import { sma } from "../../indicators/sma.ts";
import { crossExposures } from "../cross.ts";
import type { StrategyFamily } from "../family.ts";
import { strategyFromFamily } from "../from-family.ts";
import { type SmaCrossParams, smaCrossParams } from "./params.ts";

/** Long while SMA(fast) > SMA(slow), flat (or short) otherwise */
export const smaCross: StrategyFamily<SmaCrossParams> = {
  name: "sma-cross",
  description: "long while the fast simple moving average is above the slow one",
  params: smaCrossParams,
  grid: { fast: [5, 10, 20, 30, 50], slow: [50, 100, 150, 200] },
  // the indicators declare their warm-up; the slower one decides
  warmup: (p) =>
    Math.max(getIndicator("sma").warmup({ period: p.fast }), getIndicator("sma").warmup({ period: p.slow })),
  indicators: (s: CandleSeries, p) => ({ fast: sma(s.close, p.fast), slow: sma(s.close, p.slow) }),
  exposures(s, p, out = new Float64Array(s.close.length)) {
    return crossExposures(sma(s.close, p.fast), sma(s.close, p.slow), p.short, out);
  },
  create: (p) => strategyFromFamily(smaCross, p),
};
