import { invalidInput } from "../../errors.ts";
import { checkMatrix, type FeatureMatrix } from "./binning.ts";
import type { GbdtModel } from "./model.ts";
import { link } from "./objective.ts";
import { addTreeRaw } from "./tree.ts";

/** Raw margins (log-odds for logistic) for every row */
export function predictMargin(model: GbdtModel, x: FeatureMatrix): Float64Array {
  checkMatrix(x, "gbdt prediction data");
  if (x.cols.length !== model.featureNames.length)
    throw invalidInput(
      `gbdt: the model takes ${model.featureNames.length} features, the data has ${x.cols.length}`,
    );
  const out = new Float64Array(x.rows).fill(model.baseMargin);
  for (const t of model.trees) addTreeRaw(t, x, out);
  return out;
}

/** Predictions: probabilities for logistic, values for squared error */
export function predict(model: GbdtModel, x: FeatureMatrix): Float64Array {
  const m = predictMargin(model, x);
  if (model.objective === "logistic") for (let r = 0; r < m.length; r++) m[r] = link("logistic", m[r]!);
  return m;
}
