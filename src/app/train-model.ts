import { availableParallelism } from "node:os";
import { z } from "zod";
import { invalidField } from "../errors.ts";
import { makeTargets } from "../forecasting/features/targets.ts";
import type { FeatureMatrix } from "../forecasting/gbdt/binning.ts";
import { accuracy, auc } from "../forecasting/gbdt/metrics.ts";
import type { GbdtModel } from "../forecasting/gbdt/model.ts";
import { meanLoss } from "../forecasting/gbdt/objective.ts";
import { trainGbdtParallel } from "../forecasting/gbdt/parallel.ts";
import { type GbdtParamsInput, GbdtParamsSchema } from "../forecasting/gbdt/params.ts";
import { predict } from "../forecasting/gbdt/predict.ts";
import { serializeModel } from "../forecasting/gbdt/serialize.ts";
import { trainGbdt } from "../forecasting/gbdt/train.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { ModelRecord, ModelStore } from "../ports/model-store.ts";
import type { NewsStore } from "../ports/news-store.ts";
import type { WorkerPool } from "../ports/worker-pool.ts";
import { dieboldMariano } from "../research/evaluation/diebold-mariano.ts";
import { fieldError, issueToError, parseInput, rangeRefinement, wholeNumberField } from "./contract.ts";
import { defaultSources, FEATURE_SETS, type FeatureSources, featuresFor } from "./model-data.ts";
import { rangeShape, resolveSeries, SeriesRefInput } from "./resolve-series.ts";

// more threads than cores only slow the histograms down; two are always allowed (see run-sweep)
const MAX_TRAIN_THREADS = Math.max(2, availableParallelism());

/** What to train on and how; `gbdt` holds the model's hyper-parameters (GbdtParamsSchema bounds them) */
export const TrainModelInput = SeriesRefInput.extend({
  ...rangeShape,
  /** bars ahead */
  horizon: wholeNumberField({ min: 1, max: 100_000 }),
  /** logistic forecasts the sign of the h-bar log return; squared forecasts the return or the volatility */
  objective: z.enum(["logistic", "squared"]).optional(),
  /** for squared error: "logret" (default) or "vol" */
  target: z.enum(["logret", "vol"]).optional(),
  gbdt: z.custom<GbdtParamsInput>((v) => v === undefined || (typeof v === "object" && v !== null)).optional(),
  /** threads for histogram building: the calling thread plus threads - 1 pool workers (same model for any count) */
  threads: wholeNumberField({ min: 1, max: MAX_TRAIN_THREADS, maxReason: "the machine's cores" }).optional(),
  /** opt-in feature sets beside the default columns: "+sentiment" (stored headlines, 24 h mean and count) */
  features: featureSetsField().optional(),
}).superRefine(rangeRefinement);
export type TrainModelInput = z.input<typeof TrainModelInput>;

/** `--features +sentiment` (comma-separated list of FEATURE_SETS) */
export function featureSetsField() {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (typeof v === "string" ? v.split(",").map((x) => x.trim()) : v))
    .pipe(z.array(z.enum(FEATURE_SETS)));
}

export interface TrainModelDeps {
  store: CandleStore;
  /** the headlines `--features +sentiment` reads */
  news?: NewsStore;
  models: ModelStore;
  clock: Clock;
  /** starts a WorkerPool with this many workers; needed only when threads > 1 */
  workers?: (threads: number) => Promise<WorkerPool>;
}

export interface TrainModelOutput {
  record: ModelRecord;
  rows: { train: number; valid: number; test: number };
  roundsTrained: number;
  trees: number;
  /** the registry already held this exact model (same payload): its first record is returned */
  alreadyStored: boolean;
  /** this run's training time (the record keeps the first run's when alreadyStored) */
  trainingMs: number;
}

/** Shallow, shrunk, early-stopped trees: returns are noisy and a deep model memorises them */
export const DEFAULT_MODEL_PARAMS: GbdtParamsInput = {
  nTrees: 500,
  learningRate: 0.05,
  maxDepth: 4,
  minSamplesLeaf: 100,
  lambda: 10,
  subsample: 0.8,
  colsample: 0.8,
  earlyStoppingRounds: 30,
  seed: 1,
};

const subset = (cols: readonly Float64Array[], rows: Int32Array): FeatureMatrix => ({
  rows: rows.length,
  cols: cols.map((c) => Float64Array.from(rows, (r) => c[r]!)),
});

/**
 * Parses a training request: the input schema, the options that contradict each other and the
 * model's hyper-parameters (GbdtParamsSchema), so a shell can refuse bad input before any work
 */
export function parseTrainModelInput(raw: TrainModelInput) {
  const input = parseInput(TrainModelInput, raw);
  const h = input.horizon;
  const objective = input.objective ?? "logistic";
  if (objective === "logistic" && input.target === "vol")
    throw fieldError("target", "{target} vol needs {objective} squared (volatility is a value, not a sign)");
  if (input.target === "vol" && h < 2)
    throw fieldError(
      "target",
      "{target} vol needs {horizon} 2 or more (one return has no realised volatility)",
    );
  // hyper-parameters out of range are bad input naming the parameter, before any data is read
  const hyper = GbdtParamsSchema.safeParse({ ...DEFAULT_MODEL_PARAMS, ...input.gbdt, objective });
  if (!hyper.success) {
    const e = issueToError(hyper.error.issues[0]!, { ...DEFAULT_MODEL_PARAMS, ...input.gbdt });
    throw invalidField(
      `gbdt.${String(e.details.field)}`,
      String(e.details.problem ?? e.message),
      e.details.allowed as string | undefined,
    );
  }
  return { ...input, objective, params: hyper.data };
}

/**
 * Trains a GBDT forecaster on one stored series: features from bars <= t, target h bars ahead;
 * chronological train / validation (early stopping) / test split with an h-bar purge gap before
 * each later segment so no label overlaps the next segment; metrics are on the test segment only.
 */
export async function trainModel(raw: TrainModelInput, deps: TrainModelDeps): Promise<TrainModelOutput> {
  const input = parseTrainModelInput(raw);
  const threads = input.threads ?? 1;
  const h = input.horizon;
  const objective = input.objective;
  const targetKind = objective === "logistic" ? "sign" : (input.target ?? "logret");
  const key = resolveSeries(deps.store, input);
  const { from, to } = input;
  const series = deps.store.read(key, {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
  const n = series.close.length;
  const sources: FeatureSources = defaultSources(deps.store, key);
  // stored with the model, so predict rebuilds the same columns from the same headlines
  if (input.features?.includes("+sentiment") === true)
    sources.sentiment = { symbol: key.symbol, windowMs: 86_400_000 };
  const t0 = deps.clock.now();
  const fs = featuresFor(deps.store, series, sources, to, deps.news);
  const y = makeTargets(series, h)[targetKind];
  const usable: number[] = [];
  for (let t = fs.warmup; t < n; t++) if (Number.isFinite(y[t]!)) usable.push(t);
  const m = usable.length;
  if (m < 500)
    throw fieldError(
      "from",
      `${key.symbol} ${key.timeframe}: only ${m} bars with features and a ${h}-bar target; need 500+ (widen {from}/{to} or lower {horizon})`,
    );
  // chronological 70/15/15 with h bars dropped before validation and test: their labels would peek into the next segment
  const trainEnd = Math.floor(m * 0.7);
  const validEnd = Math.floor(m * 0.85);
  const pick = (a: number, b: number): Int32Array => Int32Array.from(usable.slice(a, b));
  const trainRows = pick(0, trainEnd - h);
  const validRows = pick(trainEnd, validEnd - h);
  const testRows = pick(validEnd, m);
  const params = input.params;
  const label = (rows: Int32Array): Float64Array => Float64Array.from(rows, (r) => y[r]!);
  const data = { x: subset(fs.cols, trainRows), y: label(trainRows) };
  const opts = { valid: { x: subset(fs.cols, validRows), y: label(validRows) }, featureNames: fs.names };
  let model: GbdtModel;
  if (threads > 1 && deps.workers !== undefined) {
    const pool = await deps.workers(threads - 1);
    try {
      model = await trainGbdtParallel(data, params, pool, opts);
    } finally {
      await pool.close();
    }
  } else model = trainGbdt(data, params, opts);
  const trainingMs = deps.clock.now() - t0;
  const metrics = testMetrics(
    model,
    subset(fs.cols, testRows),
    label(testRows),
    targetKind,
    label(trainRows),
    h,
  );
  const payload = serializeModel(model);
  const createdAt = deps.clock.now();
  const record = deps.models.save(
    {
      kind: "gbdt",
      createdAt,
      params: {
        gbdt: params,
        sources,
        featureBuilder:
          sources.sentiment === undefined ? "buildFeatures v1" : "buildFeatures v1 + sentiment v1",
      },
      features: fs.names,
      target: { kind: targetKind, horizon: h },
      dataRange: {
        exchange: key.exchange,
        symbol: key.symbol,
        timeframe: key.timeframe,
        from: series.ts[trainRows[0]!]!,
        to: series.ts[validRows[validRows.length - 1]!]! + 1,
      },
      metrics: {
        ...metrics,
        testFrom: series.ts[testRows[0]!]!,
        testTo: series.ts[testRows[testRows.length - 1]!]! + 1,
        bestRound: model.trees.length,
      },
      trainingMs,
    },
    payload,
  );
  return {
    record,
    rows: { train: trainRows.length, valid: validRows.length, test: testRows.length },
    roundsTrained: model.roundsTrained,
    trees: model.trees.length,
    alreadyStored: record.createdAt !== createdAt,
    trainingMs,
  };
}

/** Out-of-sample quality beside the naive reference a forecast must beat */
function testMetrics(
  model: GbdtModel,
  x: FeatureMatrix,
  y: Float64Array,
  target: string,
  trainY: Float64Array,
  horizon: number,
): Record<string, number> {
  const p = predict(model, x);
  const n = y.length;
  // per-row naive loss minus model loss, for the Diebold-Mariano test against the naive reference
  const d = new Float64Array(n);
  let trainMean = 0;
  for (const v of trainY) trainMean += v;
  trainMean /= trainY.length;
  if (target === "sign") {
    const margin = p.map((q) => Math.log(q / (1 - q)));
    const base = new Float64Array(n).fill(Math.log(trainMean / (1 - trainMean)));
    let up = 0;
    for (const v of y) up += v;
    for (let i = 0; i < n; i++)
      d[i] =
        meanLoss("logistic", base.subarray(i, i + 1), y.subarray(i, i + 1)) -
        meanLoss("logistic", margin.subarray(i, i + 1), y.subarray(i, i + 1));
    return {
      testRows: n,
      auc: auc(y, p),
      accuracy: accuracy(y, p),
      logLoss: meanLoss("logistic", margin, y),
      naiveLogLoss: meanLoss("logistic", base, y),
      testUpRate: up / n,
      vsNaiveP: dieboldMariano(d, horizon).pValue,
    };
  }
  let se = 0;
  let seNaive = 0;
  let hit = 0;
  let sp = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    se += (p[i]! - y[i]!) ** 2;
    seNaive += (trainMean - y[i]!) ** 2;
    d[i] = (trainMean - y[i]!) ** 2 - (p[i]! - y[i]!) ** 2;
    if (Math.sign(p[i]!) === Math.sign(y[i]!)) hit++;
    sp += p[i]!;
    sy += y[i]!;
  }
  const mp = sp / n;
  const my = sy / n;
  let cov = 0;
  let vp = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    cov += (p[i]! - mp) * (y[i]! - my);
    vp += (p[i]! - mp) ** 2;
    vy += (y[i]! - my) ** 2;
  }
  return {
    testRows: n,
    rmse: Math.sqrt(se / n),
    naiveRmse: Math.sqrt(seNaive / n),
    ic: vp > 0 && vy > 0 ? cov / Math.sqrt(vp * vy) : 0,
    vsNaiveP: dieboldMariano(d, horizon).pValue,
    ...(target === "logret" ? { directionHitRate: hit / n } : {}),
  };
}

/** Whether a model's test figure beats the naive reference, in one sentence a trader can act on */
export function verdictVsNaive(
  m: Readonly<Record<string, number>>,
  kind: string,
): { beats: boolean; text: string } {
  const sign = kind === "sign";
  const [loss, naive, name] = sign ? [m.logLoss, m.naiveLogLoss, "log-loss"] : [m.rmse, m.naiveRmse, "RMSE"];
  const ref = sign ? "the naive base rate" : "the naive training mean";
  if (loss === undefined || naive === undefined || !Number.isFinite(loss) || !Number.isFinite(naive))
    return { beats: false, text: "no test figure to judge" };
  const rel = (naive - loss) / naive;
  const p = m.vsNaiveP;
  const pText =
    p === undefined || !Number.isFinite(p)
      ? ""
      : `, Diebold-Mariano p = ${p < 0.001 ? "<0.001" : p.toFixed(3)}`;
  if (loss >= naive)
    return {
      beats: false,
      text: `WORSE than ${ref} (test ${name} ${(100 * -rel).toFixed(2)}% higher${pText}): no edge; do not trade on it`,
    };
  if (p !== undefined && p < 0.05)
    return {
      beats: true,
      text: `better than ${ref} (test ${name} ${(100 * rel).toFixed(2)}% lower${pText})`,
    };
  return {
    beats: false,
    text: `not significantly better than ${ref} (test ${name} ${(100 * rel).toFixed(2)}% lower${pText === "" ? ", untested" : pText}): treat it as no edge`,
  };
}
