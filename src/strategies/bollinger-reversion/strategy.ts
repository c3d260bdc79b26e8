import { bollinger } from "../../indicators/bollinger.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type BollingerReversionParams, bollingerReversionParams } from "./params.ts";

/** Buy a close below the lower band, sell when the close recovers to the middle band */
export const bollingerReversionFamily: StrategyFamily<BollingerReversionParams> = {
  name: "bollinger-reversion",
  description: "Long after a close below the lower Bollinger band, out at the middle band",
  params: bollingerReversionParams,
  grid: { period: [10, 20, 30, 50], k: [1.5, 2, 2.5, 3] },
  warmup: (p) => p.period - 1,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const b = bollinger(s.close, p.period, p.k);
    let pos = 0;
    for (let t = 0; t < out.length; t++) {
      const c = s.close[t]!;
      if (pos === 0 && c < b.lower[t]!) pos = 1;
      else if (pos === 1 && c >= b.middle[t]!) pos = 0;
      out[t] = pos;
    }
    return out;
  },
  create(p) {
    const q = bollingerReversionParams.parse(p);
    return eventFormOf(`bollinger-reversion(${q.period},${q.k})`, this.warmup(q), (s) =>
      this.exposures(s, q),
    );
  },
};
