import type { CandleSeries } from "../../domain/candle-series.ts";
import { shapValues } from "../../forecasting/gbdt/shap.ts";
import type { StrategyFamily } from "../family.ts";
import { strategyFromFamily } from "../from-family.ts";
import { MIN_TRAIN, rollingSignForecast } from "./model-probabilities.ts";
import { type ModelSignParams, modelSignParams } from "./params.ts";

/** Long while the walk-forward model's up-probability for the next h bars clears the threshold */
export const modelSign: StrategyFamily<ModelSignParams> = {
  name: "model-sign",
  description:
    "gradient-boosted sign forecast, refitted walk-forward; long when P(up over h bars) > threshold",
  params: modelSignParams,
  grid: { horizon: [1, 24], threshold: [0.52, 0.55, 0.6] },
  // the feature warm-up (about 200 bars) plus the first training window
  warmup: (p) => 200 + MIN_TRAIN + p.horizon,
  indicators: (s: CandleSeries, p) => ({
    probUp: rollingSignForecast(s, p.horizon, p.retrainEvery, p.trainWindow).probUp,
  }),
  exposures(s, p, out = new Float64Array(s.close.length)) {
    const { probUp } = rollingSignForecast(s, p.horizon, p.retrainEvery, p.trainWindow);
    for (let t = 0; t < out.length; t++) out[t] = probUp[t]! > p.threshold ? 1 : 0;
    return out;
  },
  create: (p) => strategyFromFamily(modelSign, p),
};

export interface Contribution {
  feature: string;
  value: number;
  /** change of the up-probability in percentage points when this feature's contribution is removed */
  points: number;
}

/**
 * Why the model said what it said at bar t: the top TreeSHAP contributions of the model in force,
 * converted to probability points, with a sentence for each.
 */
export function explainModelSign(
  s: CandleSeries,
  p: ModelSignParams,
  t = s.close.length - 1,
  top = 3,
): { probUp: number; contributions: Contribution[]; sentences: string[] } {
  const f = rollingSignForecast(s, p.horizon, p.retrainEvery, p.trainWindow);
  const seg = f.segments.find((g) => t >= g.from && t < g.to);
  if (seg === undefined)
    return {
      probUp: Number.NaN,
      contributions: [],
      sentences: ["no model yet: not enough history before this bar"],
    };
  const sh = shapValues(seg.model, { rows: 1, cols: f.cols.map((c) => c.subarray(t, t + 1)) });
  const phi = sh.values[0]!;
  let margin = sh.base;
  for (const v of phi) margin += v;
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const prob = sig(margin);
  const contributions = Array.from(phi, (v, j) => ({
    feature: f.featureNames[j]!,
    value: f.cols[j]![t]!,
    points: 100 * (prob - sig(margin - v)),
  }))
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, top);
  const hz = p.horizon === 1 ? "next-bar" : `${p.horizon}-bar`;
  const sentences = contributions.map(
    (c) =>
      `${c.feature} at ${Number.isFinite(c.value) ? c.value.toPrecision(3) : "n/a"} pulled the ${hz} up-probability ${c.points >= 0 ? "up" : "down"} by ${Math.abs(c.points).toFixed(1)} points`,
  );
  return { probUp: prob, contributions, sentences };
}
