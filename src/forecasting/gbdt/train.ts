import { createRng } from "../../domain/random.ts";
import { invalidInput } from "../../errors.ts";
import { binMatrix, checkMatrix, computeBinEdges, type FeatureMatrix } from "./binning.ts";
import { growTree, type HistContext, HistPool, type HistRequest } from "./grow.ts";
import { buildHistogram, needsCounts } from "./histogram.ts";
import type { GbdtModel } from "./model.ts";
import { baseMargin, computeGradients, meanLoss } from "./objective.ts";
import { type GbdtParamsInput, GbdtParamsSchema } from "./params.ts";
import { addTreeBinned, type Tree } from "./tree.ts";

export interface Dataset {
  readonly x: FeatureMatrix;
  readonly y: Float64Array;
}

export interface TrainOptions {
  readonly valid?: Dataset;
  readonly featureNames?: readonly string[];
}

/** A batch of histogram builds the boosting loop waits for */
export interface HistJob {
  ctx: HistContext;
  requests: HistRequest[];
}

/**
 * The boosting loop as a generator: it yields histogram jobs and the driver (one thread, or the
 * WorkerPool) fulfils them, so both paths share every other line and give identical trees.
 */
export function* boost(
  train: Dataset,
  input: GbdtParamsInput,
  options: TrainOptions,
  shared: boolean,
): Generator<HistJob, GbdtModel, void> {
  const parsed = GbdtParamsSchema.safeParse(input);
  if (!parsed.success)
    throw invalidInput(
      `gbdt params: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const p = parsed.data;
  const { x, y } = train;
  checkMatrix(x, "gbdt training data");
  const n = x.rows;
  const nf = x.cols.length;
  if (y.length !== n) throw invalidInput(`gbdt: ${y.length} labels for ${n} rows; give one label per row`);
  if (n < 2 || nf < 1) throw invalidInput(`gbdt: need at least 2 rows and 1 feature, got ${n} x ${nf}`);
  for (let r = 0; r < n; r++) {
    const v = y[r]!;
    if (!Number.isFinite(v))
      throw invalidInput(`gbdt: label at row ${r} is ${v}; drop rows without a finite target`);
    if (p.objective === "logistic" && v !== 0 && v !== 1)
      throw invalidInput(`gbdt: logistic labels must be 0 or 1, row ${r} has ${v}`);
  }
  const names = options.featureNames ?? x.cols.map((_, f) => `f${f}`);
  if (names.length !== nf) throw invalidInput(`gbdt: ${names.length} feature names for ${nf} features`);

  const edges = computeBinEdges(x, p.maxBins);
  const binned = binMatrix(x, edges);
  const valid = options.valid;
  if (valid !== undefined) checkMatrix(valid.x, "gbdt validation data");
  const vBinned = valid === undefined ? undefined : binMatrix(valid.x, edges);

  const f64 = (len: number): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(len * 8)) : new Float64Array(len);
  const grad = f64(n);
  const hess = f64(n);
  const idx = shared ? new Uint32Array(new SharedArrayBuffer(n * 4)) : new Uint32Array(n);
  const rowBins = shared ? toShared(binned.rowBins) : binned.rowBins;
  const ctx: HistContext = {
    binned: { ...binned, rowBins },
    idx,
    grad,
    hess,
    countAt: needsCounts(p) ? 2 * binned.offset[nf]! : -1,
  };
  const scratch = new Uint32Array(n);
  const pool = new HistPool(binned.offset[nf]! * (needsCounts(p) ? 3 : 2), shared);

  const base = baseMargin(p.objective, y);
  const margin = new Float64Array(n).fill(base);
  const vMargin = valid === undefined ? undefined : new Float64Array(valid.y.length).fill(base);
  const rng = createRng(p.seed);
  const allFeatures = Int32Array.from({ length: nf }, (_, f) => f);
  const nSampledFeatures = Math.max(1, Math.round(p.colsample * nf));
  const trees: Tree[] = [];
  const validLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestRound = -1;

  for (let t = 0; t < p.nTrees; t++) {
    computeGradients(p.objective, margin, y, grad, hess);
    let m = 0;
    if (p.subsample < 1) {
      for (let r = 0; r < n; r++) if (rng.next() < p.subsample) idx[m++] = r;
      if (m === 0) idx[m++] = rng.int(n);
    } else {
      for (let r = 0; r < n; r++) idx[r] = r;
      m = n;
    }
    let features = allFeatures;
    if (nSampledFeatures < nf) {
      // partial Fisher-Yates, then ascending so split ties resolve the same way as with all features
      const perm = allFeatures.slice();
      for (let i = 0; i < nSampledFeatures; i++) {
        const j = i + rng.int(nf - i);
        const tmp = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = tmp;
      }
      features = perm.subarray(0, nSampledFeatures).sort();
    }
    const it = growTree(ctx, m, features, p, pool, scratch, edges.upper);
    let step = it.next();
    while (!step.done) {
      yield { ctx, requests: step.value };
      step = it.next();
    }
    const { tree, segStart, segEnd } = step.value;
    trees.push(tree);
    if (p.subsample < 1) addTreeBinned(tree, binned, margin);
    else {
      // every row sits in exactly one leaf's segment of idx: add without walking the tree
      for (let node = 0; node < tree.feature.length; node++) {
        if (tree.feature[node]! >= 0) continue;
        const v = tree.value[node]!;
        for (let i = segStart[node]!; i < segEnd[node]!; i++) {
          const r = idx[i]!;
          margin[r] = margin[r]! + v;
        }
      }
    }
    if (valid !== undefined && vBinned !== undefined && vMargin !== undefined) {
      addTreeBinned(tree, vBinned, vMargin);
      const loss = meanLoss(p.objective, vMargin, valid.y);
      validLoss.push(loss);
      if (loss < best) {
        best = loss;
        bestRound = t;
      } else if (p.earlyStoppingRounds > 0 && t - bestRound >= p.earlyStoppingRounds) break;
    }
  }
  const roundsTrained = trees.length;
  if (p.earlyStoppingRounds > 0 && bestRound >= 0) trees.length = bestRound + 1;
  return {
    objective: p.objective,
    baseMargin: base,
    trees,
    featureNames: [...names],
    params: p,
    edges,
    roundsTrained,
    validLoss,
  };
}

const toShared = (a: Uint16Array | Uint32Array): Uint16Array | Uint32Array => {
  const out =
    a instanceof Uint16Array
      ? new Uint16Array(new SharedArrayBuffer(a.byteLength))
      : new Uint32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
};

/** Builds a batch of histograms on the calling thread */
export function buildLocal(job: HistJob): void {
  const { binned, idx, grad, hess, countAt } = job.ctx;
  for (const q of job.requests) {
    q.hist.fill(0);
    buildHistogram(
      binned.rowBins,
      binned.nFeatures,
      0,
      binned.nFeatures,
      idx,
      q.start,
      q.end,
      grad,
      hess,
      q.hist,
      countAt,
    );
  }
}

/** Trains a gradient-boosted trees model on one thread; deterministic for a seed */
export function trainGbdt(train: Dataset, params: GbdtParamsInput, options: TrainOptions = {}): GbdtModel {
  const it = boost(train, params, options, false);
  let step = it.next();
  while (!step.done) {
    buildLocal(step.value);
    step = it.next();
  }
  return step.value;
}
