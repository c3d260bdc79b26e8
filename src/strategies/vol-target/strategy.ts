import type { z } from "zod";
import type { CandleSeries } from "../../domain/candle-series.ts";
import { barsPerYear } from "../../domain/timeframe.ts";
import { closeToCloseVolatility } from "../../indicators/realized-volatility.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type VolTargetParams, volTargetParams } from "./params.ts";

/** Exposure steps: scaled exposure is rounded to tenths, so the position changes only on real moves */
const STEP = 0.1;

/**
 * Annualised realised volatility of a series over the last `lookback` one-bar log returns ending
 * at t (causal), NaN in warm-up: closeToCloseVolatility, annualised by the series' bars per year
 */
export function realisedVol(
  s: CandleSeries,
  lookback: number,
  out = new Float64Array(s.close.length),
): Float64Array {
  return closeToCloseVolatility(s.close, lookback, barsPerYear(s.timeframe), out);
}

/**
 * Wraps any single-symbol family: its exposure times min(1, targetVol / realised vol), in steps of
 * 0.1. Params are the inner family's plus `targetVol` and `volLookback`.
 */
export function volTarget<P extends Record<string, number | boolean>>(
  inner: StrategyFamily<P>,
): StrategyFamily<P & VolTargetParams> {
  const schema = (inner.params as unknown as z.ZodObject).extend(
    volTargetParams.shape,
  ) as unknown as z.ZodType<P & VolTargetParams, Partial<P & VolTargetParams>>;
  const fam: StrategyFamily<P & VolTargetParams> = {
    name: `vol-target(${inner.name})`,
    description: `${inner.description}; scaled to a target volatility`,
    params: schema,
    grid: { ...inner.grid, targetVol: [0.3, 0.6, 1], volLookback: [72, 168, 720] } as StrategyFamily<
      P & VolTargetParams
    >["grid"],
    warmup: (p) => Math.max(inner.warmup(p), p.volLookback),
    exposures(s, p, out = new Float64Array(s.close.length)) {
      inner.exposures(s, p, out);
      const vol = realisedVol(s, p.volLookback);
      for (let t = 0; t < out.length; t++) {
        const v = vol[t]!;
        const scale = v > 0 ? Math.min(1, p.targetVol / v) : 0;
        out[t] = Math.round((out[t]! * scale) / STEP) * STEP;
      }
      return out;
    },
    create(p) {
      const q = schema.parse(p);
      return eventFormOf(`vol-target(${inner.name})`, fam.warmup(q), (s) => fam.exposures(s, q));
    },
  };
  return fam;
}
