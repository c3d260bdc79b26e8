import type { CandleSeries } from "../domain/candle-series.ts";
import { ema } from "../indicators/ema.ts";
import { rollingMax, rollingMin } from "../indicators/rolling-extrema.ts";
import { rsi } from "../indicators/rsi.ts";
import { sma } from "../indicators/sma.ts";
import type { ConditionDescriber, FamilyParams } from "./condition-types.ts";
import {
  adxDescriber,
  bollingerDescriber,
  dcaDescriber,
  gridDescriber,
  macdDescriber,
  regimeDescriber,
  supertrendDescriber,
  volTargetDescriber,
  zscoreDescriber,
} from "./family-conditions.ts";
import { round, roundPrice } from "./format.ts";
import { modelSignDescriber } from "./model-sign-conditions.ts";
import type { Condition } from "./types.ts";

export type { ConditionDescriber, FamilyParams } from "./condition-types.ts";

const numParam = (p: FamilyParams, names: readonly string[], fallback: number): number => {
  for (const n of names) {
    const v = p[n];
    if (typeof v === "number") return v;
  }
  return fallback;
};

/** Bars since the exposure last changed, counted back from the last bar */
export function barsSinceChange(exposure: Float64Array): number {
  const n = exposure.length;
  let k = 0;
  while (k + 1 < n && exposure[n - 2 - k] === exposure[n - 1]) k++;
  return k;
}

/** Any family: how long its current target has been held */
export const heldFor: ConditionDescriber = (family, _s, _p, exposure) => {
  const e = exposure[exposure.length - 1] ?? 0;
  const word = e > 0 ? "long" : e < 0 ? "short" : "flat";
  return [{ family, template: `has been ${word} for {} bars`, values: [barsSinceChange(exposure)] }];
};

function crossDescriber(kind: "SMA" | "EMA"): ConditionDescriber {
  return (family, s, p) => {
    const fast = numParam(p, ["fast", "fastPeriod", "short"], 20);
    const slow = numParam(p, ["slow", "slowPeriod", "long"], 50);
    const f = kind === "EMA" ? ema(s.close, fast) : sma(s.close, fast);
    const sl = kind === "EMA" ? ema(s.close, slow) : sma(s.close, slow);
    const n = s.close.length;
    const above = f[n - 1]! > sl[n - 1]!;
    let k = 0;
    while (k + 1 < n && Number.isFinite(sl[n - 2 - k]!) && f[n - 2 - k]! > sl[n - 2 - k]! === above) k++;
    const gap = round((f[n - 1]! / sl[n - 1]! - 1) * 100, 2);
    const dir = above ? "above" : "below";
    return [
      {
        family,
        template: `${kind} {} crossed ${dir} ${kind} {} {} bars ago and sits {}% from it`,
        values: [fast, slow, k, gap],
      },
    ];
  };
}

const rsiDescriber: ConditionDescriber = (family, s, p) => {
  const period = numParam(p, ["period", "rsiPeriod"], 14);
  const lower = numParam(p, ["lower", "oversold", "buyBelow", "entry"], 30);
  const upper = numParam(p, ["upper", "overbought", "sellAbove", "exit"], 70);
  const r = rsi(s.close, period);
  const v = round(r[r.length - 1]!, 1);
  return [
    { family, template: "RSI {} at {} (buys below {}, sells above {})", values: [period, v, lower, upper] },
  ];
};

const donchianDescriber: ConditionDescriber = (family, s, p) => {
  const entry = numParam(p, ["entry", "period", "entryPeriod", "channel"], 20);
  const exit = numParam(p, ["exit", "exitPeriod"], entry);
  const n = s.close.length;
  // the channel of the bars before the last one, as a breakout is judged against it
  const hi = rollingMax(s.high, entry)[n - 2] ?? Number.NaN;
  const lo = rollingMin(s.low, exit)[n - 2] ?? Number.NaN;
  return [
    {
      family,
      template: "close at {} against the {} bar high of {} and the {} bar low of {}",
      values: [roundPrice(s.close[n - 1]!), entry, roundPrice(hi), exit, roundPrice(lo)],
    },
  ];
};

/** Describers by family name; the strategy library adds its families here */
export const CONDITION_DESCRIBERS: Readonly<Record<string, ConditionDescriber>> = {
  "sma-cross": crossDescriber("SMA"),
  "ema-cross": crossDescriber("EMA"),
  "rsi-reversion": rsiDescriber,
  "donchian-breakout": donchianDescriber,
  macd: macdDescriber,
  supertrend: supertrendDescriber,
  "bollinger-reversion": bollingerDescriber,
  "zscore-reversion": zscoreDescriber,
  "adx-trend": adxDescriber,
  grid: gridDescriber,
  dca: dcaDescriber,
  "model-sign": modelSignDescriber,
};

/** The describer of a family, unwrapping vol-target(...) and regime-filter(...) around a known one */
export function describerFor(family: string): ConditionDescriber {
  const direct = CONDITION_DESCRIBERS[family];
  if (direct !== undefined) return direct;
  const m = /^(vol-target|regime-filter)\((.+)\)$/.exec(family);
  if (m === null) return heldFor;
  const inner = describerFor(m[2]!);
  return m[1] === "vol-target" ? volTargetDescriber(inner) : regimeDescriber(inner);
}

/** The conditions of one member at the last bar, through its family's describer or `heldFor` */
export function describeConditions(
  family: string,
  series: CandleSeries,
  params: FamilyParams,
  exposure: Float64Array,
): Condition[] {
  const d = describerFor(family);
  const out = d(family, series, params, exposure);
  return out.every((c) => c.values.every(Number.isFinite)) ? out : heldFor(family, series, params, exposure);
}
