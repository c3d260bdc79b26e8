import * as tf from "@tensorflow/tfjs";
import { AppError } from "../../errors.ts";
import { fitScaler, type Scaler } from "../baselines/linalg.ts";
import type { ForecastView } from "../forecaster.ts";
import type { GruParams } from "./gru-params.ts";

/** Everything besides the network needed to reproduce predictions */
export interface GruMeta {
  params: GruParams;
  featureNames: string[];
  horizon: number;
  scaler: { mean: number[]; sd: number[] };
  targetMean: number;
  targetSd: number;
  /** residual sd of the return forecast on the validation samples (for the up probability) */
  residualSd: number;
  epochs: number;
  bestValLoss: number;
}

/** Sequences [samples, lookback, features] of standardised feature rows ending at each sample (missing = 0) */
export function buildSequences(
  view: ForecastView,
  samples: Int32Array,
  lookback: number,
  scaler: Scaler,
): Float32Array {
  const k = view.featureNames.length;
  const out = new Float32Array(samples.length * lookback * k);
  for (let i = 0; i < samples.length; i++) {
    const t = samples[i]!;
    for (let s = 0; s < lookback; s++) {
      const row = t - lookback + 1 + s;
      if (row < 0) continue;
      const at = (i * lookback + s) * k;
      for (let j = 0; j < k; j++) {
        const v = view.features[row * k + j]!;
        const z = Number.isFinite(v) ? (v - scaler.mean[j]!) / scaler.sd[j]! : 0;
        out[at + j] = Math.min(10, Math.max(-10, z));
      }
    }
  }
  return out;
}

function buildNetwork(p: GruParams, k: number, seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.gru({
      units: p.units,
      inputShape: [p.lookback, k],
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
    }),
  );
  // a zero output layer starts the net at the training mean: early stopping can then keep "no skill"
  m.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.zeros() }));
  m.compile({ optimizer: tf.train.adam(p.learningRate), loss: "meanSquaredError" });
  return m;
}

/** A trained GRU regressor of the h-bar log return */
export class GruModel {
  constructor(
    readonly network: tf.LayersModel,
    readonly meta: GruMeta,
  ) {}

  /** Predicted h-bar log returns for the given samples */
  predictReturns(view: ForecastView, samples: Int32Array): Float64Array {
    const { params, scaler } = this.meta;
    const k = this.meta.featureNames.length;
    const sc: Scaler = { mean: Float64Array.from(scaler.mean), sd: Float64Array.from(scaler.sd) };
    const out = new Float64Array(samples.length);
    const chunk = 2048;
    for (let from = 0; from < samples.length; from += chunk) {
      const part = samples.subarray(from, Math.min(samples.length, from + chunk));
      const x = buildSequences(view, part, params.lookback, sc);
      const y = tf.tidy(() =>
        (this.network.predict(tf.tensor3d(x, [part.length, params.lookback, k])) as tf.Tensor).dataSync(),
      );
      for (let i = 0; i < part.length; i++) out[from + i] = y[i]! * this.meta.targetSd + this.meta.targetMean;
    }
    return out;
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Deterministic Fisher-Yates from a 32-bit LCG: the pure modules' seeded shuffling without Math.random */
function shuffled(n: number, seed: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}

/**
 * Trains on training samples only: the last `validationShare` of them (after an h-bar purge gap)
 * drive early stopping, and the weights of the best validation epoch are kept. Deterministic for a
 * seed: seeded initialisers, a seeded shuffle, no dropout.
 */
export async function trainGru(
  view: ForecastView,
  train: Int32Array,
  target: Float64Array,
  horizon: number,
  params: GruParams,
  seed: number,
): Promise<GruModel> {
  const k = view.featureNames.length;
  if (k === 0)
    throw new AppError("INVALID_INPUT", "the GRU needs at least one feature column: check the feature set");
  // keep the most recent maxSamples, every stride-th, ending at the newest sample
  const keep: number[] = [];
  for (let i = train.length - 1; i >= 0 && keep.length < params.maxSamples; i -= params.stride) {
    if (Number.isFinite(target[i]!)) keep.push(i);
  }
  keep.reverse();
  const n = keep.length;
  const nVal = Math.max(1, Math.floor(n * params.validationShare));
  // purge: drop training samples whose label overlaps the validation samples
  const gap = Math.ceil(horizon / params.stride);
  const nFit = n - nVal - gap;
  if (nFit < 20) {
    throw new AppError(
      "INVALID_INPUT",
      `too few training samples for the GRU (${n}): give it more history or a smaller lookback`,
    );
  }
  const samples = Int32Array.from(keep, (i) => train[i]!);
  const y = Float64Array.from(keep, (i) => target[i]!);
  const fitRows = samples.subarray(0, nFit);
  const scaler = fitScaler(view.features, k, fitRows);
  let tm = 0;
  for (let i = 0; i < nFit; i++) tm += y[i]!;
  tm /= nFit;
  let tv = 0;
  for (let i = 0; i < nFit; i++) tv += (y[i]! - tm) ** 2;
  const tsd = Math.sqrt(tv / Math.max(1, nFit - 1)) || 1;
  const x = buildSequences(view, samples, params.lookback, scaler);
  const L = params.lookback;
  const xs = tf.tensor3d(x.slice(0, nFit * L * k), [nFit, L, k]);
  const ys = tf.tensor2d(
    Float32Array.from(y.subarray(0, nFit), (v) => (v - tm) / tsd),
    [nFit, 1],
  );
  const xv = tf.tensor3d(x.slice((n - nVal) * L * k), [nVal, L, k]);
  const yvRaw = y.subarray(n - nVal);
  const yv = tf.tensor2d(
    Float32Array.from(yvRaw, (v) => (v - tm) / tsd),
    [nVal, 1],
  );
  const net = buildNetwork(params, k, seed);
  let best = Infinity;
  let bestWeights: tf.Tensor[] | null = null;
  let since = 0;
  let epochs = 0;
  try {
    // epoch 0 (the mean forecast) is a candidate too: a net that never beats it on validation is not kept
    best = tf.tidy(() => (net.evaluate(xv, yv) as tf.Scalar).dataSync()[0]!);
    bestWeights = net.getWeights().map((w) => w.clone());
    for (let e = 0; e < params.maxEpochs; e++) {
      const order = tf.tensor1d(shuffled(nFit, seed * 7919 + e), "int32");
      const xe = tf.gather(xs, order);
      const ye = tf.gather(ys, order);
      await net.fit(xe, ye, { epochs: 1, batchSize: params.batchSize, shuffle: false, verbose: 0 });
      tf.dispose([order, xe, ye]);
      epochs++;
      const val = tf.tidy(() => (net.evaluate(xv, yv) as tf.Scalar).dataSync()[0]!);
      if (val < best - 1e-6) {
        best = val;
        if (bestWeights !== null) tf.dispose(bestWeights);
        bestWeights = net.getWeights().map((w) => w.clone());
        since = 0;
      } else if (++since >= params.patience) break;
    }
    if (bestWeights !== null) net.setWeights(bestWeights);
  } finally {
    tf.dispose([xs, ys, xv, yv]);
    if (bestWeights !== null) tf.dispose(bestWeights);
  }
  const meta: GruMeta = {
    params,
    featureNames: [...view.featureNames],
    horizon,
    scaler: { mean: Array.from(scaler.mean), sd: Array.from(scaler.sd) },
    targetMean: tm,
    targetSd: tsd,
    residualSd: 1,
    epochs,
    bestValLoss: best,
  };
  const model = new GruModel(net, meta);
  const pv = model.predictReturns(view, samples.subarray(n - nVal));
  let rs = 0;
  for (let i = 0; i < nVal; i++) rs += (yvRaw[i]! - pv[i]!) ** 2;
  meta.residualSd = Math.sqrt(rs / nVal) || tsd;
  return model;
}
