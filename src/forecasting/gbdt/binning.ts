import { invalidInput } from "../../errors.ts";

/** Features as columns: `cols[f][row]`, NaN means missing */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: readonly Float64Array[];
}

/**
 * Per-feature bin edges. A value v falls in the first bin k with v <= upper[k]; NaN falls in bin 0,
 * which is reserved for missing values when the training data had any (upper[0] = -Infinity then).
 */
export interface BinEdges {
  readonly upper: readonly Float64Array[];
}

/** Binned features: column-major uint8 (for partitioning) and row-major global bin ids (for histograms) */
export interface BinnedMatrix {
  readonly rows: number;
  readonly nFeatures: number;
  /** cols[f * rows + r] = bin of feature f at row r */
  readonly colBins: Uint8Array;
  /** rowBins[r * nFeatures + f] = offset[f] + bin: one load per histogram cell */
  readonly rowBins: Uint16Array | Uint32Array;
  /** offset[f] = first global bin of feature f; offset[nFeatures] = total bins */
  readonly offset: Int32Array;
}

export function checkMatrix(x: FeatureMatrix, what: string): void {
  for (let f = 0; f < x.cols.length; f++) {
    if (x.cols[f]!.length !== x.rows)
      throw invalidInput(
        `${what}: feature column ${f} has ${x.cols[f]!.length} rows, expected ${x.rows}; give every column the same length`,
      );
  }
}

/** Quantile bin edges from the training data (midpoints between distinct values, at most maxBins bins) */
export function computeBinEdges(x: FeatureMatrix, maxBins: number): BinEdges {
  const upper: Float64Array[] = [];
  const buf = new Float64Array(x.rows);
  for (const col of x.cols) {
    let m = 0;
    for (let r = 0; r < x.rows; r++) {
      const v = col[r]!;
      if (!Number.isNaN(v)) buf[m++] = v;
    }
    const hasMissing = m < x.rows;
    const realBins = hasMissing ? maxBins - 1 : maxBins;
    const sorted = buf.subarray(0, m).sort();
    const edges: number[] = hasMissing ? [Number.NEGATIVE_INFINITY] : [];
    // distinct values and their counts, then greedy equal-count cuts between distinct values
    let distinct = 0;
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct <= realBins) {
      for (let i = 1; i < m; i++) {
        if (sorted[i] !== sorted[i - 1]) edges.push(midpoint(sorted[i - 1]!, sorted[i]!));
      }
    } else {
      const perBin = m / realBins;
      let cuts = 0;
      for (let i = 1; i < m && cuts < realBins - 1; i++) {
        if (sorted[i] === sorted[i - 1]) continue;
        // cut before sorted[i] once the rows so far reach the next quantile
        if (i >= (cuts + 1) * perBin) {
          edges.push(midpoint(sorted[i - 1]!, sorted[i]!));
          cuts++;
        }
      }
    }
    edges.push(Number.POSITIVE_INFINITY);
    upper.push(Float64Array.from(edges));
  }
  return { upper };
}

const midpoint = (a: number, b: number): number => {
  const m = a + (b - a) / 2;
  // -Infinity and Infinity neighbours give NaN or b: keep the lower value as the edge
  return m >= b || Number.isNaN(m) ? a : m;
};

/** Bin of one value: binary search for the first upper edge >= v */
export function binOf(upper: Float64Array, v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = upper.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= upper[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Applies the edges to a matrix (training or validation data) */
export function binMatrix(x: FeatureMatrix, edges: BinEdges): BinnedMatrix {
  const n = x.rows;
  const nf = x.cols.length;
  if (edges.upper.length !== nf)
    throw invalidInput(`gbdt: the data has ${nf} features but the model was binned on ${edges.upper.length}`);
  const offset = new Int32Array(nf + 1);
  for (let f = 0; f < nf; f++) offset[f + 1] = offset[f]! + edges.upper[f]!.length;
  const colBins = new Uint8Array(nf * n);
  const total = offset[nf]!;
  const rowBins = total <= 0xffff ? new Uint16Array(n * nf) : new Uint32Array(n * nf);
  for (let f = 0; f < nf; f++) {
    const col = x.cols[f]!;
    const up = edges.upper[f]!;
    const off = offset[f]!;
    const base = f * n;
    const lookup = gridLookup(up);
    for (let r = 0; r < n; r++) {
      const b = lookup(col[r]!);
      colBins[base + r] = b;
      rowBins[r * nf + f] = off + b;
    }
  }
  return { rows: n, nFeatures: nf, colBins, rowBins, offset };
}

const GRID = 2048;

/**
 * binOf through a uniform grid over the finite edges: start at the bin of the value's grid cell,
 * then step to the exact bin, so the answer is binOf's whatever the grid's rounding
 */
function gridLookup(up: Float64Array): (v: number) => number {
  let first = 0;
  while (first < up.length && !Number.isFinite(up[first]!)) first++;
  const last = up.length - 2;
  const lo = up[first] ?? 0;
  const hi = up[last] ?? 0;
  // one finite edge or none: nothing to speed up
  if (first >= last || !(hi > lo)) return (v) => binOf(up, v);
  const inv = GRID / (hi - lo);
  const start = new Int32Array(GRID + 1);
  for (let c = 0; c <= GRID; c++) start[c] = binOf(up, lo + c / inv);
  return (v) => {
    if (Number.isNaN(v)) return 0;
    let c = Math.floor((v - lo) * inv);
    c = c < 0 ? 0 : Math.min(c, GRID);
    let k = start[c]!;
    while (k > 0 && v <= up[k - 1]!) k--;
    while (v > up[k]!) k++;
    return k;
  };
}
