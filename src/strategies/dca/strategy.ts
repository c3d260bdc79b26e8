import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type DcaParams, dcaParams } from "./params.ts";

/**
 * Dollar-cost averaging as target exposures: exposure rises by `step` every `every` bars up to 1;
 * with a take-profit, everything is sold once the close exceeds the average entry close by that
 * fraction, and accumulation starts again.
 */
export const dcaFamily: StrategyFamily<DcaParams> = {
  name: "dca",
  description: "Accumulate a fixed slice every N bars; optional take-profit on the average cost",
  params: dcaParams,
  grid: { every: [24, 72, 168], step: [0.02, 0.05, 0.1], takeProfit: [0, 0.1, 0.3] },
  warmup: () => 0,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    let e = 0;
    let costSum = 0;
    let wSum = 0;
    for (let t = 0; t < out.length; t++) {
      const c = s.close[t]!;
      if (p.takeProfit > 0 && e > 0 && c > (costSum / wSum) * (1 + p.takeProfit)) {
        e = 0;
        costSum = 0;
        wSum = 0;
      } else if (t % p.every === 0 && e < 1) {
        const add = Math.min(p.step, 1 - e);
        e += add;
        costSum += add * c;
        wSum += add;
      }
      out[t] = e;
    }
    return out;
  },
  create(p) {
    const q = dcaParams.parse(p);
    return eventFormOf(`dca(${q.every},${q.step},${q.takeProfit})`, 0, (s) => this.exposures(s, q));
  },
};
