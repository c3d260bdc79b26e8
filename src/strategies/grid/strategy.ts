import { sma } from "../../indicators/sma.ts";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type GridParams, gridParams } from "./params.ts";

/**
 * A long grid bot as target exposures: each level crossed below the anchor adds 1/levels of equity,
 * each level regained sells it. Exposure changes only when price crosses a level, as a bot's
 * resting orders would fill (at the next open here, the engines' timing).
 */
export const gridFamily: StrategyFamily<GridParams> = {
  name: "grid",
  description: "Grid bot: buy 1/levels per level below a slow moving anchor, sell it back level by level",
  params: gridParams,
  grid: { levels: [3, 5, 10], spacing: [0.01, 0.02, 0.04], anchor: [50, 100, 200] },
  warmup: (p) => p.anchor - 1,
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const a = sma(s.close, p.anchor);
    for (let t = 0; t < out.length; t++) {
      const ref = a[t]!;
      if (!(ref > 0)) {
        out[t] = 0;
        continue;
      }
      const below = Math.floor((ref - s.close[t]!) / (p.spacing * ref));
      out[t] = Math.min(p.levels, Math.max(0, below)) / p.levels;
    }
    return out;
  },
  create(p) {
    const q = gridParams.parse(p);
    return eventFormOf(`grid(${q.levels},${q.spacing},${q.anchor})`, this.warmup(q), (s) =>
      this.exposures(s, q),
    );
  },
};
