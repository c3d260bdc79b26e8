import type { CandleSeries } from "../../domain/candle-series.ts";
import { atr } from "../../indicators/atr.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type SupertrendParams, supertrendParams } from "./params.ts";

/**
 * Supertrend direction (the common TradingView definition): bands hl2 ± m·ATR that only tighten
 * while price stays on their side; the trend flips up when the close crosses the upper band.
 * Writes +1 (up) / -1 (down) / NaN (warm-up) into `dir`.
 */
export function supertrendDirection(
  s: CandleSeries,
  period: number,
  mult: number,
  dir: Float64Array,
): Float64Array {
  const n = s.close.length;
  const a = atr(s.high, s.low, s.close, period);
  let upPrev = Number.NaN;
  let dnPrev = Number.NaN;
  let d = 1;
  for (let t = 0; t < n; t++) {
    const at = a[t]!;
    if (Number.isNaN(at)) {
      dir[t] = Number.NaN;
      continue;
    }
    const hl2 = (s.high[t]! + s.low[t]!) / 2;
    let up = hl2 + mult * at;
    let dn = hl2 - mult * at;
    const pc = t > 0 ? s.close[t - 1]! : Number.NaN;
    if (!Number.isNaN(upPrev) && up > upPrev && !(pc > upPrev)) up = upPrev;
    if (!Number.isNaN(dnPrev) && dn < dnPrev && !(pc < dnPrev)) dn = dnPrev;
    const c = s.close[t]!;
    if (Number.isNaN(upPrev)) {
      // the first bar with bands has no previous band to cross: no direction yet (inside the declared warm-up)
      dir[t] = Number.NaN;
      upPrev = up;
      dnPrev = dn;
      continue;
    }
    if (d < 0 && c > upPrev) d = 1;
    else if (d > 0 && c < dnPrev) d = -1;
    dir[t] = d;
    upPrev = up;
    dnPrev = dn;
  }
  return dir;
}

/** Long while the Supertrend points up */
export const supertrendFamily: StrategyFamily<SupertrendParams> = {
  name: "supertrend",
  description: "Long while price holds above the ATR trailing band (Supertrend up), flat when it flips down",
  params: supertrendParams,
  grid: { period: [7, 10, 14, 21], multiplier: [2, 3, 4] },
  warmup: (p) => p.period + 1,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    supertrendDirection(s, p.period, p.multiplier, out);
    for (let t = 0; t < out.length; t++) out[t] = out[t]! > 0 ? 1 : 0;
    return out;
  },
  create(p) {
    const q = supertrendParams.parse(p);
    return eventFormOf(`supertrend(${q.period},${q.multiplier})`, this.warmup(q), (s) =>
      this.exposures(s, q),
    );
  },
};
