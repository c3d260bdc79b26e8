import { z } from "zod";
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import { invalidField, invalidInput } from "../errors.ts";
import { arForecaster } from "../forecasting/baselines/ar.ts";
import { logisticForecaster, ridgeForecaster } from "../forecasting/baselines/linear.ts";
import { alwaysUp, drift, lastSign, randomWalk } from "../forecasting/baselines/naive.ts";
import { withColumns } from "../forecasting/feature-subset.ts";
import { buildFeatures } from "../forecasting/features/build-features.ts";
import type { Forecaster } from "../forecasting/forecaster.ts";
import { gbdtForecaster } from "../forecasting/gbdt-forecaster.ts";
import { gruForecaster } from "../forecasting/gru/gru-forecaster.ts";
import type { GruParamsInput } from "../forecasting/gru/gru-params.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { NewsStore } from "../ports/news-store.ts";
import type { TensorBackend } from "../ports/tensor-backend.ts";
import {
  defaultEvaluationConfig,
  type EvaluationConfig,
  type EvaluationData,
  type EvaluationResult,
  evaluateForecasters,
} from "../research/evaluation/evaluate.ts";
import { fieldError, parseInput, rangeRefinement, rateField, wholeNumberField } from "./contract.ts";
import { sentimentColumns } from "./model-data.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";
import { featureSetsField } from "./train-model.ts";

/** Every forecaster `model evaluate` knows, by name; the naive ones are always included */
export const MODEL_NAMES = ["drift", "ar", "ridge", "logistic", "gbdt", "gbdt-sign", "gru"] as const;
const NAIVE = ["random-walk", "last-sign", "always-up"];
/** With `--features +sentiment`: these learners run twice, without and with the sentiment columns */
export const SENTIMENT_MODELS = ["ridge", "gbdt"] as const;
const isSentiment = (name: string): boolean => name.startsWith("sent_");

/** The GRU used by the evaluation: small enough for several fits in a few minutes on 2 cores */
export const evaluationGruParams: GruParamsInput = {
  lookback: 8,
  units: 16,
  maxSamples: 1500,
  stride: 2,
  maxEpochs: 8,
  patience: 2,
};

const wholeList = (b: { min: number; max: number }) =>
  z
    .union([z.string(), z.array(z.union([z.number(), z.string()]))])
    .transform((v) => (typeof v === "string" ? v.split(",").map((x) => x.trim()) : v))
    .pipe(z.array(wholeNumberField(b)).min(1));

/** What to evaluate: a stored series, horizons, folds and which forecasters beside the naive ones */
export const EvaluateModelsInput = SeriesRefInput.extend({
  ...rangeShape,
  /** horizons in bars, default 1 and 24 */
  horizons: wholeList({ min: 1, max: 10_000 }).optional(),
  folds: wholeNumberField({ min: 1, max: 100 }).optional(),
  /** subset of MODEL_NAMES; default all */
  models: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (typeof v === "string" ? v.split(",").map((x) => x.trim()) : v))
    .optional(),
  fee: rateField(0.1).optional(),
  embargo: wholeNumberField({ min: 0, max: 100_000 }).optional(),
  /** use at most the last N bars (keeps run time in minutes on long histories) */
  maxBars: wholeNumberField({ min: 500, max: 10_000_000 }).optional(),
  seed: wholeNumberField({ min: 0, max: 2 ** 32 - 1 }).optional(),
  /** "+sentiment": ridge and gbdt also run as ridge+sentiment and gbdt+sentiment (the others never see those columns) */
  features: featureSetsField().optional(),
}).superRefine(rangeRefinement);
export type EvaluateModelsInput = z.input<typeof EvaluateModelsInput>;

export interface EvaluateModelsDeps {
  store: CandleStore;
  /** the headlines `features: +sentiment` reads */
  news?: NewsStore;
  tensors: TensorBackend;
  clock: Clock;
}

export interface EvaluateModelsOutput {
  series: SeriesKey & { bars: number; from: number; to: number };
  features: string[];
  /** which feature builder produced the columns every model saw */
  featureSource: string;
  /**
   * with +sentiment: stored headlines naming the symbol; bars that had one in their last 24 h, of all
   * bars and of the out-of-sample bars (from the first test bar on)
   */
  sentiment?: { headlines: number; barsWithHeadlines: number; bars: number; testBarsWithHeadlines: number };
  pnlEngine: string;
  evaluation: EvaluationResult;
  /** open time of the first test bar per horizon */
  testStart: Record<number, number>;
  elapsedMs: number;
}

/** Builds the forecasters to evaluate from names (naive references first) */
export function buildForecasters(
  models: readonly string[] | undefined,
  gru: GruParamsInput = evaluationGruParams,
  sentiment = false,
): Forecaster[] {
  const wanted = models ?? [...MODEL_NAMES];
  for (const m of wanted) {
    if (!(MODEL_NAMES as readonly string[]).includes(m) && !NAIVE.includes(m)) {
      throw fieldError("models", `unknown model "${m}": use any of ${MODEL_NAMES.join(", ")}`);
    }
  }
  const all: Record<string, () => Forecaster> = {
    drift: () => drift,
    ar: () => arForecaster(),
    ridge: () => ridgeForecaster(),
    logistic: () => logisticForecaster(),
    gbdt: () => gbdtForecaster("squared"),
    "gbdt-sign": () => gbdtForecaster("logistic"),
    gru: () => gruForecaster(gru),
  };
  const plain = MODEL_NAMES.filter((m) => wanted.includes(m)).map((m) => all[m]!());
  if (!sentiment) return [randomWalk, lastSign, alwaysUp, ...plain];
  // the same learners on the same rows, once blind to the sentiment columns and once seeing them
  const blind = plain.map((f) => withColumns(f, f.name, (c) => !isSentiment(c)));
  const seeing = SENTIMENT_MODELS.filter((m) => wanted.includes(m)).map((m) =>
    withColumns(all[m]!(), `${m}+sentiment`, () => true),
  );
  return [randomWalk, lastSign, alwaysUp, ...blind, ...seeing];
}

/** Series -> the evaluation's data: the GBDT issue's features (bars <= t only), row-major for every model */
export function evaluationData(
  s: CandleSeries,
  extra?: { names: string[]; cols: Float64Array[] },
): { data: EvaluationData; source: string } {
  const b = buildFeatures({ series: s });
  const f =
    extra === undefined ? b : { names: [...b.names, ...extra.names], cols: [...b.cols, ...extra.cols] };
  const n = s.close.length;
  // cross-asset columns are all missing without a benchmark series: they carry nothing, drop them
  const keep = f.cols
    .map((c, j) => ({ c, name: f.names[j]! }))
    .filter(({ c }) => c.some((v) => Number.isFinite(v)));
  const k = keep.length;
  const values = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    const col = keep[j]!.c;
    for (let t = 0; t < n; t++) values[t * k + j] = col[t]!;
  }
  return {
    data: {
      ts: s.ts,
      open: s.open,
      close: s.close,
      features: values,
      featureNames: keep.map((x) => x.name),
      series: s,
    },
    source:
      extra === undefined
        ? "buildFeatures (src/forecasting/features/build-features.ts)"
        : "buildFeatures (src/forecasting/features/build-features.ts) + sentiment (src/sentiment/feature.ts; only the +sentiment models see it)",
  };
}

/**
 * `kairos model evaluate`: every model and baseline, refitted per walk-forward fold, scored out of
 * sample at each horizon and tested against the naive forecasts (Diebold-Mariano, Holm).
 */
export async function evaluateModels(
  deps: EvaluateModelsDeps,
  raw: EvaluateModelsInput,
  progress: (msg: string) => void = () => {},
): Promise<EvaluateModelsOutput> {
  const input = parseInput(EvaluateModelsInput, raw);
  const started = deps.clock.now();
  const key = resolveSeries(deps.store, input);
  let series = deps.store.read(key, {
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  });
  const maxBars = input.maxBars ?? 30_000;
  if (series.close.length > maxBars) series = sliceSeries(series, series.close.length - maxBars);
  if (series.close.length < 500) {
    throw invalidInput(
      `${key.symbol} ${key.timeframe} has ${series.close.length} bars in range; the evaluation needs at least 500`,
    );
  }
  const withSentiment = input.features?.includes("+sentiment") === true;
  const forecasters = buildForecasters(input.models, evaluationGruParams, withSentiment);
  if (forecasters.some((f) => f.name === "gru")) {
    progress(`tensor backend: ${await deps.tensors.ready()}`);
  }
  let sentiment: EvaluateModelsOutput["sentiment"];
  let extra: { names: string[]; cols: Float64Array[] } | undefined;
  if (withSentiment) {
    extra = sentimentColumns(
      deps.news,
      { symbol: key.symbol, windowMs: 86_400_000 },
      series.ts,
      series.timeframe,
    );
    const count = extra.cols[1]!;
    sentiment = {
      headlines: deps.news?.listItems({ symbol: key.symbol }).length ?? 0,
      barsWithHeadlines: count.filter((c) => c > 0).length,
      bars: count.length,
      testBarsWithHeadlines: 0,
    };
  }
  const { data, source } = evaluationData(series, extra);
  const config: EvaluationConfig = {
    ...defaultEvaluationConfig,
    ...(input.horizons === undefined ? {} : { horizons: input.horizons }),
    ...(input.folds === undefined ? {} : { folds: input.folds }),
    ...(input.fee === undefined ? {} : { fee: input.fee }),
    ...(input.embargo === undefined ? {} : { embargo: input.embargo }),
    ...(input.seed === undefined ? {} : { seed: input.seed }),
  };
  for (const h of config.horizons)
    if (!Number.isInteger(h) || h < 1)
      throw invalidField("horizons", `${h} is not a whole number of bars >= 1`);
  const evaluation = await evaluateForecasters(data, forecasters, config, () => deps.clock.now(), progress);
  if (sentiment !== undefined && extra !== undefined) {
    const first = Math.min(...config.horizons.map((h) => evaluation.folds[h]![0]!.testFrom));
    sentiment.testBarsWithHeadlines = extra.cols[1]!.subarray(first).filter((c) => c > 0).length;
  }
  return {
    series: { ...key, bars: series.close.length, from: series.ts[0]!, to: series.ts[series.ts.length - 1]! },
    features: [...data.featureNames],
    featureSource: source,
    ...(sentiment === undefined ? {} : { sentiment }),
    pnlEngine:
      "long/flat spot through the backtest engine (src/backtest/engine.ts): next-open fills, taker fee",
    evaluation,
    testStart: Object.fromEntries(
      config.horizons.map((h) => [h, series.ts[evaluation.folds[h]![0]!.testFrom]!]),
    ),
    elapsedMs: deps.clock.now() - started,
  };
}
