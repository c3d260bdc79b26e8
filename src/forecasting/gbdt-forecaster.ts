import { normalCdf } from "../maths/distributions.ts";
import { batchFrom, type FitInput, type Forecaster, type ForecastView } from "./forecaster.ts";
import type { FeatureMatrix } from "./gbdt/binning.ts";
import type { GbdtParamsInput } from "./gbdt/params.ts";
import { predict } from "./gbdt/predict.ts";
import { trainGbdt } from "./gbdt/train.ts";

/** Rows of the view's row-major features as the GBDT's column matrix */
function columns(view: ForecastView, rows: Int32Array): FeatureMatrix {
  const k = view.featureNames.length;
  const cols = Array.from({ length: k }, () => new Float64Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let j = 0; j < k; j++) cols[j]![i] = view.features[r * k + j]!;
  }
  return { rows: rows.length, cols };
}

/**
 * Shrunk stumps for noisy returns: depth-1 trees with a small learning rate add up a smooth
 * response to each feature (a weak linear effect costs deep trees many noisy splits), early-stopped
 * on the last 15% of the fold's training samples
 */
export const evaluationGbdtParams: GbdtParamsInput = {
  nTrees: 600,
  learningRate: 0.02,
  maxDepth: 1,
  minSamplesLeaf: 300,
  lambda: 10,
  subsample: 0.8,
  colsample: 1,
  earlyStoppingRounds: 60,
};

/**
 * Gradient-boosted trees (the GBDT issue's learner) as a walk-forward forecaster. `squared` fits
 * the h-bar return (value forecast, up probability from normal residuals); `logistic` fits the sign.
 * Early stopping uses the last 15% of the fold's training samples, purged by h. The value forecast
 * is the trees' conditional deviation only (base margin dropped): the training-window mean return
 * is mostly noise, and the random walk it is judged against assumes zero drift (the drift baseline
 * tests the mean separately).
 */
export function gbdtForecaster(
  objective: "squared" | "logistic",
  params: GbdtParamsInput = evaluationGbdtParams,
): Forecaster {
  return {
    name: objective === "squared" ? "gbdt" : "gbdt-sign",
    role: "model",
    outputs: { value: objective === "squared", direction: true },
    fit: async ({ view, train, target, horizon, seed }: FitInput) => {
      const n = train.length;
      const nVal = Math.floor(n * 0.15);
      const nFit = n - nVal - horizon;
      const y = objective === "squared" ? target : Float64Array.from(target, (v) => (v > 0 ? 1 : 0));
      const fitX = columns(view, train.subarray(0, nFit));
      const valX = columns(view, train.subarray(n - nVal));
      const model = trainGbdt(
        { x: fitX, y: y.slice(0, nFit) },
        { ...params, objective, seed },
        { valid: { x: valX, y: y.slice(n - nVal) }, featureNames: view.featureNames },
      );
      let sigma = 1;
      if (objective === "squared") {
        const pv = predict(model, valX);
        let s = 0;
        for (let i = 0; i < nVal; i++) s += (y[n - nVal + i]! - pv[i]!) ** 2;
        sigma = Math.sqrt(s / Math.max(1, nVal)) || 1;
      }
      return {
        predict: (v, s) => {
          const out = predict(model, columns(v, s));
          if (objective !== "squared") return batchFrom(new Float64Array(s.length).fill(Number.NaN), out);
          for (let i = 0; i < out.length; i++) out[i] = out[i]! - model.baseMargin;
          return batchFrom(
            out,
            Float64Array.from(out, (r) => normalCdf(r / sigma)),
          );
        },
      };
    },
  };
}
