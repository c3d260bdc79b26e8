import { z } from "zod";
import { eventFormOf } from "../_kit/event-form.ts";
import type { StrategyFamily } from "../family.ts";

export const buyAndHoldParams = z.object({}).strict();
export type BuyAndHoldParams = z.infer<typeof buyAndHoldParams>;

/** The baseline every report shows: all-in from the first bar, never sold */
export const buyAndHoldFamily: StrategyFamily<BuyAndHoldParams> = {
  name: "buy-and-hold",
  description: "Baseline: fully long from the first bar to the last",
  params: buyAndHoldParams,
  grid: {},
  warmup: () => 0,
  exposures(s, _p, out = new Float64Array(s.close.length)) {
    out.fill(1);
    return out;
  },
  create() {
    return eventFormOf("buy-and-hold", 0, (s) => this.exposures(s, {}));
  },
};
