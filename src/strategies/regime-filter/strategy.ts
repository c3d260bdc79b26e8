import type { z } from "zod";
import { sma } from "../../indicators/sma.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { realisedVol } from "../vol-target/strategy.ts";
import { type RegimeFilterParams, regimeFilterParams } from "./params.ts";

/**
 * Wraps any single-symbol family: its exposure passes only in the chosen regime. Trend regime:
 * the close is above its SMA(regimeLength). Calm regime: realised volatility (regimeLength / 4 bars)
 * is below its own trailing mean over regimeLength bars.
 */
export function regimeFilter<P extends Record<string, number | boolean>>(
  inner: StrategyFamily<P>,
): StrategyFamily<P & RegimeFilterParams> {
  const schema = (inner.params as unknown as z.ZodObject).extend(
    regimeFilterParams.shape,
  ) as unknown as z.ZodType<P & RegimeFilterParams, Partial<P & RegimeFilterParams>>;
  const fam: StrategyFamily<P & RegimeFilterParams> = {
    name: `regime-filter(${inner.name})`,
    description: `${inner.description}; only in a trend or calm regime`,
    params: schema,
    grid: { ...inner.grid, regime: [0, 1], regimeLength: [100, 200, 500] } as StrategyFamily<
      P & RegimeFilterParams
    >["grid"],
    warmup: (p) => Math.max(inner.warmup(p), p.regimeLength),
    exposures(s, p, out = new Float64Array(s.close.length)) {
      inner.exposures(s, p, out);
      if (p.regime === 0) {
        const m = sma(s.close, p.regimeLength);
        for (let t = 0; t < out.length; t++) if (!(s.close[t]! > m[t]!)) out[t] = 0;
      } else {
        const vol = realisedVol(s, Math.max(5, Math.floor(p.regimeLength / 4)));
        const clean = vol.map((v) => (Number.isNaN(v) ? 0 : v));
        const avg = sma(clean, p.regimeLength);
        for (let t = 0; t < out.length; t++) if (!(vol[t]! < avg[t]!)) out[t] = 0;
      }
      return out;
    },
    create(p) {
      const q = schema.parse(p);
      return eventFormOf(`regime-filter(${inner.name})`, fam.warmup(q), (s) => fam.exposures(s, q));
    },
  };
  return fam;
}
