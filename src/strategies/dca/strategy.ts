import { resumableEventFormOf, runSteps, type Stepper } from "../_kit/resumable-form.ts";
import type { StrategyFamily } from "../family.ts";
import { type DcaParams, dcaParams } from "./params.ts";

/** What dca carries from bar to bar: bars since its first, exposure, and the cost basis of its buys */
interface DcaState {
  bars: number;
  e: number;
  costSum: number;
  wSum: number;
}

/**
 * One bar of dca. The cadence counts bars since the first one the strategy stepped over (in a
 * backtest, the first loaded bar: t % every as before) and the cost basis is the buys' closes since
 * the last take-profit. Both are state, not functions of the bars at hand, so a live session that
 * only keeps a rolling window carries them across windows (resumableEventFormOf) instead of
 * counting again from the window's first bar. Anchoring the cadence to the clock instead (open
 * time / bar length) would not be enough (the exposure reached and the cost basis still need every
 * buy since the start) and would move every backtest's buy bars; carrying the state changes no
 * backtest number.
 */
const dcaStepper = (p: DcaParams): Stepper<DcaState> => ({
  init: () => ({ bars: 0, e: 0, costSum: 0, wSum: 0 }),
  step(st, s, t) {
    const c = s.close[t]!;
    if (p.takeProfit > 0 && st.e > 0 && c > (st.costSum / st.wSum) * (1 + p.takeProfit)) {
      st.e = 0;
      st.costSum = 0;
      st.wSum = 0;
    } else if (st.bars % p.every === 0 && st.e < 1) {
      const add = Math.min(p.step, 1 - st.e);
      st.e += add;
      st.costSum += add * c;
      st.wSum += add;
    }
    st.bars++;
    return st.e;
  },
});

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
  exposures: (s, p, out) => runSteps(dcaStepper(p), s, out),
  create(p) {
    const q = dcaParams.parse(p);
    return resumableEventFormOf(`dca(${q.every},${q.step},${q.takeProfit})`, 0, dcaStepper(q));
  },
};
