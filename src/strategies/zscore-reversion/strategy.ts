import { zscore } from "../../indicators/zscore.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type ZscoreReversionParams, zscoreReversionParams } from "./params.ts";

/** Buy when the close is entryZ deviations below its rolling mean; sell when z recovers above -exitZ */
export const zscoreReversionFamily: StrategyFamily<ZscoreReversionParams> = {
  name: "zscore-reversion",
  description:
    "Long when the rolling z-score of the close drops below -entryZ, out when it rises above -exitZ",
  params: zscoreReversionParams,
  grid: { period: [20, 50, 100, 200], entryZ: [1.5, 2, 2.5], exitZ: [0, 0.5] },
  warmup: (p) => p.period - 1,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const z = zscore(s.close, p.period);
    let pos = 0;
    for (let t = 0; t < out.length; t++) {
      const v = z[t]!;
      if (pos === 0 && v < -p.entryZ) pos = 1;
      else if (pos === 1 && v > -p.exitZ) pos = 0;
      out[t] = pos;
    }
    return out;
  },
  create(p) {
    const q = zscoreReversionParams.parse(p);
    return eventFormOf(`zscore-reversion(${q.period},${q.entryZ},${q.exitZ})`, this.warmup(q), (s) =>
      this.exposures(s, q),
    );
  },
};
