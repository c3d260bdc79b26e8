import type { CandleSeries } from "../../domain/candle-series.ts";
import { macd } from "../../indicators/macd.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type MacdParams, macdParams } from "./params.ts";

/** Long while the MACD line is above its signal line, flat otherwise */
export const macdFamily: StrategyFamily<MacdParams> = {
  name: "macd",
  description: "MACD line above its signal line: long; below: flat",
  params: macdParams,
  grid: { fast: [8, 12, 16], slow: [21, 26, 35], signal: [5, 9, 12] },
  warmup: (p) => p.slow + p.signal - 2,
  exposures(s: CandleSeries, p: MacdParams, out = new Float64Array(s.close.length)): Float64Array {
    const m = macd(s.close, p.fast, p.slow, p.signal);
    for (let t = 0; t < out.length; t++) out[t] = m.hist[t]! > 0 ? 1 : 0;
    return out;
  },
  create(p: MacdParams) {
    const q = macdParams.parse(p);
    return eventFormOf(`macd(${q.fast},${q.slow},${q.signal})`, this.warmup(q), (s) => this.exposures(s, q));
  },
};
