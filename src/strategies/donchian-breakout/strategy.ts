import type { CandleSeries } from "../../domain/candle-series.ts";
import { getIndicator } from "../../indicators/registry.ts";
import { rollingMax, rollingMin } from "../../indicators/rolling-extrema.ts";
import type { StrategyFamily } from "../family.ts";
import { strategyFromFamily } from "../from-family.ts";
import { type DonchianBreakoutParams, donchianBreakoutParams } from "./params.ts";

/** Channels of the previous bars (excluding the current one), so a close can break them */
function channels(s: CandleSeries, p: DonchianBreakoutParams): { upper: Float64Array; lower: Float64Array } {
  const n = s.close.length;
  const hi = rollingMax(s.high, p.entry);
  const lo = rollingMin(s.low, p.exit);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    upper[i] = i > 0 ? hi[i - 1]! : Number.NaN;
    lower[i] = i > 0 ? lo[i - 1]! : Number.NaN;
  }
  return { upper, lower };
}

/** Turtle-style breakout: long on a close above the entry channel, flat on a close below the exit channel */
export const donchianBreakout: StrategyFamily<DonchianBreakoutParams> = {
  name: "donchian-breakout",
  description: "long on a close above the prior N-bar high, flat on a close below the prior M-bar low",
  params: donchianBreakoutParams,
  grid: { entry: [10, 20, 55, 100], exit: [5, 10, 20, 50] },
  // channels of the previous bars: the rolling extremum's warm-up plus the one-bar shift
  warmup: (p) =>
    1 +
    Math.max(
      getIndicator("rolling-max").warmup({ period: p.entry }),
      getIndicator("rolling-min").warmup({ period: p.exit }),
    ),
  indicators: (s, p) => channels(s, p),
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const { upper, lower } = channels(s, p);
    let e = 0;
    for (let i = 0; i < out.length; i++) {
      const c = s.close[i]!;
      if (c > upper[i]!) e = 1;
      else if (c < lower[i]!) e = 0;
      out[i] = e;
    }
    return out;
  },
  create: (p) => strategyFromFamily(donchianBreakout, p),
};
