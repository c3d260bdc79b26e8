/**
 * Gradient/hessian histogram of the rows idx[start..end) over features [f0, f1), into
 * hist[2 * globalBin] (grad) and hist[2 * globalBin + 1] (hess), plus row counts at
 * hist[countAt + globalBin] when countAt >= 0 (the caller zeroes the features' cells).
 * Each feature's sums follow row order only, so splitting features across threads gives the
 * same floats as one thread.
 */
export function buildHistogram(
  rowBins: Uint16Array | Uint32Array,
  nFeatures: number,
  f0: number,
  f1: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  hist: Float64Array,
  countAt: number,
): void {
  const width = f1 - f0;
  const width4 = width - (width & 3);
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const g = grad[r]!;
    const h = hess[r]!;
    const p0 = r * nFeatures + f0;
    const p4 = p0 + width4;
    const pe = p0 + width;
    let p = p0;
    // unrolled by four: the loop is instruction-bound, not memory-bound
    for (; p < p4; p += 4) {
      const a = rowBins[p]! << 1;
      const b = rowBins[p + 1]! << 1;
      const c = rowBins[p + 2]! << 1;
      const d = rowBins[p + 3]! << 1;
      hist[a]! += g;
      hist[a + 1]! += h;
      hist[b]! += g;
      hist[b + 1]! += h;
      hist[c]! += g;
      hist[c + 1]! += h;
      hist[d]! += g;
      hist[d + 1]! += h;
    }
    for (; p < pe; p++) {
      const a = rowBins[p]! << 1;
      hist[a]! += g;
      hist[a + 1]! += h;
    }
    if (countAt >= 0) for (p = p0; p < pe; p++) hist[countAt + rowBins[p]!]! += 1;
  }
}

/** parent -= child over [lo, hi) cells: the sibling's histogram without a pass over its rows */
export function subtractHistogram(parent: Float64Array, child: Float64Array, lo: number, hi: number): void {
  for (let k = lo; k < hi; k++) parent[k] = parent[k]! - child[k]!;
}

/** Whether split search needs exact row counts: otherwise minChildWeight alone keeps children non-empty */
export const needsCounts = (r: SplitRules): boolean => r.minSamplesLeaf > 1 || r.minChildWeight < 1e-6;

/** Best split found for one node; gain <= 0 means none */
export interface SplitCandidate {
  feature: number;
  /** rows with bin <= bin go left */
  bin: number;
  gain: number;
  leftG: number;
  leftH: number;
}

export interface SplitRules {
  lambda: number;
  minSplitGain: number;
  minChildWeight: number;
  minSamplesLeaf: number;
}

/** Scans every allowed feature's bins for the split with the largest loss reduction (XGBoost's gain) */
export function findBestSplit(
  hist: Float64Array,
  offset: Int32Array,
  features: Int32Array,
  G: number,
  H: number,
  rules: SplitRules,
  /** where row counts start in hist, or -1 when minSamplesLeaf is 1 and minChildWeight keeps children non-empty */
  countAt: number,
  C: number,
  out: SplitCandidate,
): void {
  const { lambda, minChildWeight, minSamplesLeaf } = rules;
  const parentScore = (G * G) / (H + lambda);
  let bestGain = 0;
  let bestF = -1;
  let bestB = -1;
  let bestG = 0;
  let bestH = 0;
  for (let j = 0; j < features.length; j++) {
    const f = features[j]!;
    const lo = offset[f]!;
    const hi = offset[f + 1]! - 1;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = lo; b < hi; b++) {
      gl += hist[2 * b]!;
      hl += hist[2 * b + 1]!;
      if (countAt >= 0) {
        cl += hist[countAt + b]!;
        if (cl < minSamplesLeaf) continue;
        if (C - cl < minSamplesLeaf) break;
      }
      if (hl < minChildWeight) continue;
      const hr = H - hl;
      if (hr < minChildWeight) continue;
      const gr = G - gl;
      const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
      if (gain > bestGain) {
        bestGain = gain;
        bestF = f;
        bestB = b - lo;
        bestG = gl;
        bestH = hl;
      }
    }
  }
  // tiny positive gains are rounding noise, not structure
  const ok = bestF >= 0 && bestGain > rules.minSplitGain && bestGain > 1e-12 * (1 + Math.abs(parentScore));
  out.feature = ok ? bestF : -1;
  out.bin = bestB;
  out.gain = ok ? bestGain : 0;
  out.leftG = bestG;
  out.leftH = bestH;
}
