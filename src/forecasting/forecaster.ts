/**
 * What a forecaster sees. Arrays are views truncated by the evaluator so that a model cannot read
 * past the last bar it is allowed to know: at fit time the label bar of the last training sample,
 * at predict time the last test sample's own bar.
 */
export interface ForecastView {
  /** bar open times, epoch ms */
  ts: Float64Array;
  open: Float64Array;
  close: Float64Array;
  /** row-major feature matrix, `featureNames.length` columns, one row per bar known so far */
  features: Float64Array;
  featureNames: readonly string[];
}

export interface FitInput {
  view: ForecastView;
  horizon: number;
  /** training sample indices (bars), ascending */
  train: Int32Array;
  /** h-bar log return label of each training sample, aligned with `train` */
  target: Float64Array;
  seed: number;
}

/** Forecasts for a batch of samples; NaN (or 0 in `dir`) where a model has no opinion */
export interface ForecastBatch {
  /** predicted h-bar log return */
  ret: Float64Array;
  /** predicted probability that the h-bar return is positive */
  probUp: Float64Array;
  /** predicted direction: +1 up, -1 down, 0 none */
  dir: Int8Array;
}

export interface Predictor {
  predict(view: ForecastView, samples: Int32Array): ForecastBatch;
  /** frees what the fit holds outside the JS heap (tensors); called once the fold is scored */
  dispose?(): void;
}

/** `naive`: the references everything is tested against; `baseline`: simple models; `model`: learners */
export type ForecasterRole = "naive" | "baseline" | "model";

export interface Forecaster {
  readonly name: string;
  readonly role: ForecasterRole;
  /** which outputs carry a forecast (drives which metrics and tests apply) */
  readonly outputs: { value: boolean; direction: boolean };
  fit(input: FitInput): Promise<Predictor>;
}

/** Builds a batch where the direction follows the value forecast, or the probability when no value */
export function batchFrom(ret: Float64Array, probUp: Float64Array): ForecastBatch {
  const dir = new Int8Array(ret.length);
  for (let i = 0; i < ret.length; i++) {
    const r = ret[i]!;
    const p = probUp[i]!;
    if (Number.isFinite(r) && r !== 0) dir[i] = r > 0 ? 1 : -1;
    else if (Number.isFinite(p) && p !== 0.5) dir[i] = p > 0.5 ? 1 : -1;
  }
  return { ret, probUp, dir };
}
