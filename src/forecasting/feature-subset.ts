import type { Forecaster, ForecastView } from "./forecaster.ts";

/** The view with only the feature columns `keep` accepts (same rows, same bars) */
export function selectColumns(view: ForecastView, keep: (name: string) => boolean): ForecastView {
  const k = view.featureNames.length;
  const idx: number[] = [];
  for (let j = 0; j < k; j++) if (keep(view.featureNames[j]!)) idx.push(j);
  if (idx.length === k) return view;
  const rows = Math.floor(view.features.length / Math.max(1, k));
  const m = idx.length;
  const features = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < m; j++) features[r * m + j] = view.features[r * k + idx[j]!]!;
  return { ...view, features, featureNames: idx.map((j) => view.featureNames[j]!) };
}

/**
 * The forecaster fitted and asked on the columns `keep` accepts only: every model in one evaluation
 * shares one feature matrix, so an opt-in feature (sentiment) is hidden from the models that did not
 * opt in, and "model" and "model+sentiment" differ in nothing but those columns.
 */
export function withColumns(f: Forecaster, name: string, keep: (name: string) => boolean): Forecaster {
  return {
    name,
    role: f.role,
    outputs: f.outputs,
    fit: async (input) => {
      const p = await f.fit({ ...input, view: selectColumns(input.view, keep) });
      return {
        predict: (view, samples) => p.predict(selectColumns(view, keep), samples),
        ...(p.dispose === undefined ? {} : { dispose: () => p.dispose!() }),
      };
    },
  };
}
