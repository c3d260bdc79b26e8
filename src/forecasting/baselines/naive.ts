import {
  batchFrom,
  type FitInput,
  type ForecastBatch,
  type Forecaster,
  type ForecastView,
} from "../forecaster.ts";

const nanArray = (n: number): Float64Array => new Float64Array(n).fill(Number.NaN);
const upShare = (target: Float64Array): number => {
  let up = 0;
  for (const v of target) if (v > 0) up++;
  return target.length === 0 ? 0.5 : up / target.length;
};

/** Random walk: the price stays where it is (a zero return); no direction */
export const randomWalk: Forecaster = {
  name: "random-walk",
  role: "naive",
  outputs: { value: true, direction: false },
  fit: async () => ({
    predict: (_v, s) => ({
      ret: new Float64Array(s.length),
      probUp: nanArray(s.length),
      dir: new Int8Array(s.length),
    }),
  }),
};

/** Random walk with drift: the mean training h-bar return, every time */
export const drift: Forecaster = {
  name: "drift",
  role: "baseline",
  outputs: { value: true, direction: true },
  fit: async ({ target }: FitInput) => {
    let s = 0;
    for (const v of target) s += v;
    const mu = target.length === 0 ? 0 : s / target.length;
    const p = upShare(target);
    return {
      predict: (_v, smp) =>
        batchFrom(new Float64Array(smp.length).fill(mu), new Float64Array(smp.length).fill(p)),
    };
  },
};

/** Always up, with the training share of up moves as its probability */
export const alwaysUp: Forecaster = {
  name: "always-up",
  role: "naive",
  outputs: { value: false, direction: true },
  fit: async ({ target }: FitInput) => {
    const p = upShare(target);
    return {
      predict: (_v, s): ForecastBatch => ({
        ret: nanArray(s.length),
        probUp: new Float64Array(s.length).fill(p),
        dir: new Int8Array(s.length).fill(1),
      }),
    };
  },
};

const lastReturn = (v: ForecastView, t: number, h: number): number =>
  t - h >= 0 ? Math.log(v.close[t]! / v.close[t - h]!) : Number.NaN;

/**
 * The sign of the last return over the same horizon (momentum persistence). Its probability is the
 * training frequency of an up move after an up (or down) move, so it is calibrated in-sample.
 */
export const lastSign: Forecaster = {
  name: "last-sign",
  role: "naive",
  outputs: { value: false, direction: true },
  fit: async ({ view, train, target, horizon: h }: FitInput) => {
    const cnt = { upUp: 1, up: 2, downUp: 1, down: 2 };
    for (let i = 0; i < train.length; i++) {
      const r = lastReturn(view, train[i]!, h);
      if (!Number.isFinite(r) || r === 0) continue;
      const up = target[i]! > 0 ? 1 : 0;
      if (r > 0) {
        cnt.up++;
        cnt.upUp += up;
      } else {
        cnt.down++;
        cnt.downUp += up;
      }
    }
    const pAfterUp = cnt.upUp / cnt.up;
    const pAfterDown = cnt.downUp / cnt.down;
    return {
      predict: (v, s): ForecastBatch => {
        const probUp = nanArray(s.length);
        const dir = new Int8Array(s.length);
        for (let i = 0; i < s.length; i++) {
          const r = lastReturn(v, s[i]!, h);
          if (!Number.isFinite(r) || r === 0) continue;
          dir[i] = r > 0 ? 1 : -1;
          probUp[i] = r > 0 ? pAfterUp : pAfterDown;
        }
        return { ret: nanArray(s.length), probUp, dir };
      },
    };
  },
};
