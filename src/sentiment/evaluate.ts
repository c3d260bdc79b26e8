import type { SentimentLabel } from "./score.ts";

export const LABELS: readonly SentimentLabel[] = ["positive", "negative", "neutral"];

export interface Metric {
  value: number;
  /** 95% percentile-bootstrap interval */
  low: number;
  high: number;
}

export interface Evaluation {
  n: number;
  accuracy: Metric;
  macroF1: Metric;
}

function accuracyOf(truth: Uint8Array, pred: Uint8Array, idx: ArrayLike<number>): number {
  let ok = 0;
  for (let k = 0; k < idx.length; k++) if (truth[idx[k]!] === pred[idx[k]!]) ok++;
  return ok / idx.length;
}

/** Mean over the three classes of F1 (a class never predicted nor present counts 0) */
function macroF1Of(truth: Uint8Array, pred: Uint8Array, idx: ArrayLike<number>): number {
  const tp = [0, 0, 0];
  const fp = [0, 0, 0];
  const fn = [0, 0, 0];
  for (let k = 0; k < idx.length; k++) {
    const t = truth[idx[k]!]!;
    const p = pred[idx[k]!]!;
    if (t === p) tp[t]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    const d = 2 * tp[c]! + fp[c]! + fn[c]!;
    sum += d === 0 ? 0 : (2 * tp[c]!) / d;
  }
  return sum / 3;
}

/**
 * Accuracy and macro-F1 of `pred` against `truth` with 95% percentile-bootstrap intervals
 * (`resamples` draws of the rows with replacement from a seeded generator, so reruns agree)
 */
export function evaluateLabels(
  truth: readonly SentimentLabel[],
  pred: readonly SentimentLabel[],
  resamples = 1000,
  seed = 20,
): Evaluation {
  const n = truth.length;
  const code = (l: SentimentLabel): number => LABELS.indexOf(l);
  const t = Uint8Array.from(truth, code);
  const p = Uint8Array.from(pred, code);
  const all = Array.from({ length: n }, (_, i) => i);
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const accs: number[] = [];
  const f1s: number[] = [];
  const idx = new Uint32Array(n);
  for (let r = 0; r < resamples && n > 0; r++) {
    for (let k = 0; k < n; k++) idx[k] = Math.floor(rnd() * n);
    accs.push(accuracyOf(t, p, idx));
    f1s.push(macroF1Of(t, p, idx));
  }
  const ci = (xs: number[], value: number): Metric => {
    xs.sort((x, y) => x - y);
    const q = (f: number): number =>
      xs[Math.min(xs.length - 1, Math.max(0, Math.floor(f * xs.length)))] ?? value;
    return { value, low: q(0.025), high: q(0.975) };
  };
  return {
    n,
    accuracy: ci(accs, n === 0 ? Number.NaN : accuracyOf(t, p, all)),
    macroF1: ci(f1s, n === 0 ? Number.NaN : macroF1Of(t, p, all)),
  };
}

/** The most frequent label of `truth` (ties: positive, negative, neutral order) */
export function majorityLabel(truth: readonly SentimentLabel[]): SentimentLabel {
  const counts = LABELS.map((l) => truth.filter((x) => x === l).length);
  return LABELS[counts.indexOf(Math.max(...counts))]!;
}
