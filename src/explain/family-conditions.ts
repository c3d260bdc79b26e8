import { adx } from "../indicators/adx.ts";
import { bollinger } from "../indicators/bollinger.ts";
import { macd } from "../indicators/macd.ts";
import { sma } from "../indicators/sma.ts";
import { zscore } from "../indicators/zscore.ts";
import { supertrendDirection } from "../strategies/supertrend/strategy.ts";
import { realisedVol } from "../strategies/vol-target/strategy.ts";
import type { ConditionDescriber, FamilyParams } from "./condition-types.ts";
import { round, roundPrice } from "./format.ts";

const num = (p: FamilyParams, name: string, fallback: number): number => {
  const v = p[name];
  return typeof v === "number" ? v : fallback;
};

/** Bars since a boolean series last changed, counted back from its last value */
function barsSince(flag: (t: number) => boolean, n: number): number {
  const now = flag(n - 1);
  let k = 0;
  while (k + 1 < n && flag(n - 2 - k) === now) k++;
  return k;
}

/** Significant digits for oscillator readings that may be tiny (MACD on a cheap coin) */
const sig = (x: number): number => roundPrice(x);

export const macdDescriber: ConditionDescriber = (family, s, p) => {
  const fast = num(p, "fast", 12);
  const slow = num(p, "slow", 26);
  const signal = num(p, "signal", 9);
  const m = macd(s.close, fast, slow, signal);
  const n = s.close.length;
  const above = m.hist[n - 1]! > 0;
  const k = barsSince((t) => m.hist[t]! > 0, n);
  return [
    {
      family,
      template: `MACD ({}, {}, {}) is ${above ? "above" : "below"} its signal line since {} bars, histogram at {}`,
      values: [fast, slow, signal, k, sig(m.hist[n - 1]!)],
    },
  ];
};

export const supertrendDescriber: ConditionDescriber = (family, s, p) => {
  const period = num(p, "period", 10);
  const mult = num(p, "multiplier", 3);
  const dir = supertrendDirection(s, period, mult, new Float64Array(s.close.length));
  const n = s.close.length;
  const k = barsSince((t) => dir[t]! > 0, n);
  return [
    {
      family,
      template: `Supertrend ({}, {}) has pointed ${dir[n - 1]! > 0 ? "up" : "down"} for {} bars`,
      values: [period, mult, k],
    },
  ];
};

export const bollingerDescriber: ConditionDescriber = (family, s, p) => {
  const period = num(p, "period", 20);
  const k = num(p, "k", 2);
  const b = bollinger(s.close, period, k);
  const n = s.close.length;
  return [
    {
      family,
      template: "close at {} against the Bollinger ({}, {}) lower band at {} and middle at {}",
      values: [
        roundPrice(s.close[n - 1]!),
        period,
        k,
        roundPrice(b.lower[n - 1]!),
        roundPrice(b.middle[n - 1]!),
      ],
    },
  ];
};

export const zscoreDescriber: ConditionDescriber = (family, s, p) => {
  const period = num(p, "period", 50);
  const z = zscore(s.close, period);
  const n = s.close.length;
  return [
    {
      family,
      template: "z-score of the close over {} bars at {} (buys below {}, sells above {})",
      values: [period, round(z[n - 1]!, 2), round(-num(p, "entryZ", 2), 6), round(-num(p, "exitZ", 0), 6)],
    },
  ];
};

export const adxDescriber: ConditionDescriber = (family, s, p) => {
  const period = num(p, "period", 14);
  const a = adx(s.high, s.low, s.close, period);
  const n = s.close.length;
  return [
    {
      family,
      template: "ADX {} at {} (needs above {}), plus DI at {} against minus DI at {}",
      values: [
        period,
        round(a.adx[n - 1]!, 1),
        num(p, "adxMin", 25),
        round(a.plusDi[n - 1]!, 1),
        round(a.minusDi[n - 1]!, 1),
      ],
    },
  ];
};

export const gridDescriber: ConditionDescriber = (family, s, p, exposure) => {
  const levels = num(p, "levels", 5);
  const anchor = num(p, "anchor", 100);
  const a = sma(s.close, anchor);
  const n = s.close.length;
  return [
    {
      family,
      template: "close {}% from its {} bar anchor at {}, {} of {} grid levels filled ({}% apart)",
      values: [
        round((s.close[n - 1]! / a[n - 1]! - 1) * 100, 2),
        anchor,
        roundPrice(a[n - 1]!),
        Math.round((exposure[n - 1] ?? 0) * levels),
        levels,
        round(num(p, "spacing", 0.02) * 100, 2),
      ],
    },
  ];
};

export const dcaDescriber: ConditionDescriber = (family, s, p, exposure) => [
  {
    family,
    template: "adds {}% of equity every {} bars and holds {}% now",
    values: [
      round(num(p, "step", 0.05) * 100, 2),
      num(p, "every", 24),
      round((exposure[s.close.length - 1] ?? 0) * 100, 1),
    ],
  },
];

/** vol-target(inner): the inner family's conditions plus the volatility scaling */
export function volTargetDescriber(inner: ConditionDescriber): ConditionDescriber {
  return (family, s, p, exposure) => {
    const lookback = num(p, "volLookback", 168);
    const v = realisedVol(s, lookback);
    const n = s.close.length;
    return [
      ...inner(family, s, p, exposure),
      {
        family,
        template: "scaled to a {}% volatility target against {}% realised over {} bars",
        values: [round(num(p, "targetVol", 0.5) * 100, 1), round(v[n - 1]! * 100, 1), lookback],
      },
    ];
  };
}

/** regime-filter(inner): the inner family's conditions plus whether the regime lets them through */
export function regimeDescriber(inner: ConditionDescriber): ConditionDescriber {
  return (family, s, p, exposure) => {
    const len = num(p, "regimeLength", 200);
    const n = s.close.length;
    const trend = num(p, "regime", 0) === 0;
    let open: boolean;
    if (trend) open = s.close[n - 1]! > sma(s.close, len)[n - 1]!;
    else {
      const vol = realisedVol(s, Math.max(5, Math.floor(len / 4)));
      const avg = sma(
        vol.map((x) => (Number.isNaN(x) ? 0 : x)),
        len,
      );
      open = vol[n - 1]! < avg[n - 1]!;
    }
    const what = trend ? "trend filter: the close is" : "calm filter: volatility is";
    const side = trend ? (open ? "above" : "below") : open ? "below" : "above";
    return [
      ...inner(family, s, p, exposure),
      {
        family,
        template: `${what} ${side} its {} bar average, so trades are ${open ? "allowed" : "blocked"}`,
        values: [len],
      },
    ];
  };
}
