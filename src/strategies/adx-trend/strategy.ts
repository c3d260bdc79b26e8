import { adx } from "../../indicators/adx.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type AdxTrendParams, adxTrendParams } from "./params.ts";

/** Long while +DI > -DI and ADX shows a trend; flat otherwise */
export const adxTrendFamily: StrategyFamily<AdxTrendParams> = {
  name: "adx-trend",
  description: "Long while +DI leads -DI and ADX is above a floor (a trend is present)",
  params: adxTrendParams,
  grid: { period: [10, 14, 20], adxMin: [15, 20, 25, 30] },
  warmup: (p) => 2 * p.period - 1,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const a = adx(s.high, s.low, s.close, p.period);
    for (let t = 0; t < out.length; t++)
      out[t] = a.adx[t]! > p.adxMin && a.plusDi[t]! > a.minusDi[t]! ? 1 : 0;
    return out;
  },
  create(p) {
    const q = adxTrendParams.parse(p);
    return eventFormOf(`adx-trend(${q.period},${q.adxMin})`, this.warmup(q), (s) => this.exposures(s, q));
  },
};
