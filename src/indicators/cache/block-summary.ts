/**
 * Block summaries of a series: per-block (8 bars) and per-super-block (64 bars) min/max, which the
 * sweep's per-trade scans use to skip stretches that cannot change a result. The indicator cache
 * stores every entry with them, and the sweep computes the same for closes.
 */

/** log2 of the block size used by every block summary (8 bars) */
export const BLOCK_SHIFT = 3;
export const BLOCK = 1 << BLOCK_SHIFT;

/** Allocates a Float64Array; the parallel path passes one backed by a SharedArrayBuffer */
export type F64Alloc = (n: number) => Float64Array;
export const heapAlloc: F64Alloc = (n) => new Float64Array(n);

/**
 * Per-block min and max of `src` (a block holding a NaN gets -Inf/+Inf so it is never skipped).
 * Unrolled for BLOCK = 8: a pairwise tree of compares, NaN detected once through the block's sum.
 * Branch-free: each compare's 0/1 picks an index and the value is loaded from there. V8 compiles
 * `a < b ? a : b` (and Math.min) to a branch, and on prices and short averages those flip at random,
 * each flip a mispredict: 4-7 ns per bar that way against ~1.8 here on any data.
 */
export function blockMinMax(src: Float64Array, min: Float64Array, max: Float64Array): void {
  const n = src.length;
  const full = n >> BLOCK_SHIFT;
  for (let b = 0; b < full; b++) {
    const i = b << BLOCK_SHIFT;
    const a0 = src[i]!;
    const a1 = src[i + 1]!;
    const a2 = src[i + 2]!;
    const a3 = src[i + 3]!;
    const a4 = src[i + 4]!;
    const a5 = src[i + 5]!;
    const a6 = src[i + 6]!;
    const a7 = src[i + 7]!;
    // 1 when the second of a pair is the smaller
    const c01 = +(a1 < a0);
    const c23 = +(a3 < a2);
    const c45 = +(a5 < a4);
    const c67 = +(a7 < a6);
    // where each pair's min and max are
    const l01 = i + c01;
    const l23 = i + 2 + c23;
    const l45 = i + 4 + c45;
    const l67 = i + 6 + c67;
    const h01 = i + 1 - c01;
    const h23 = i + 3 - c23;
    const h45 = i + 5 - c45;
    const h67 = i + 7 - c67;
    const l03 = l01 + (l23 - l01) * +(src[l23]! < src[l01]!);
    const l47 = l45 + (l67 - l45) * +(src[l67]! < src[l45]!);
    const h03 = h01 + (h23 - h01) * +(src[h23]! > src[h01]!);
    const h47 = h45 + (h67 - h45) * +(src[h67]! > src[h45]!);
    const lo = src[l03 + (l47 - l03) * +(src[l47]! < src[l03]!)]!;
    const hi = src[h03 + (h47 - h03) * +(src[h47]! > src[h03]!)]!;
    const bad = Number.isNaN(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    min[b] = bad ? Number.NEGATIVE_INFINITY : lo;
    max[b] = bad ? Number.POSITIVE_INFINITY : hi;
  }
  if (full << BLOCK_SHIFT < n) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = full << BLOCK_SHIFT; j < n; j++) {
      lo = Math.min(lo, src[j]!);
      hi = Math.max(hi, src[j]!);
    }
    min[full] = Number.isNaN(lo) ? Number.NEGATIVE_INFINITY : lo;
    max[full] = Number.isNaN(hi) ? Number.POSITIVE_INFINITY : hi;
  }
}

/** log2 of blocks per super block (64 bars): a second level of summaries for long skips */
export const SUPER_SHIFT = 3;

/** Per-super-block min/max from the block summaries */
export function superMinMax(
  min: Float64Array,
  max: Float64Array,
  smin: Float64Array,
  smax: Float64Array,
): void {
  const nb = min.length;
  const ns = (nb + (1 << SUPER_SHIFT) - 1) >> SUPER_SHIFT;
  for (let s = 0; s < ns; s++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const end = Math.min(nb, (s + 1) << SUPER_SHIFT);
    for (let b = s << SUPER_SHIFT; b < end; b++) {
      lo = Math.min(lo, min[b]!);
      hi = Math.max(hi, max[b]!);
    }
    smin[s] = lo;
    smax[s] = hi;
  }
}

export const superCount = (n: number): number => (blockCount(n) + (1 << SUPER_SHIFT) - 1) >> SUPER_SHIFT;

export const blockCount = (n: number): number => (n + BLOCK - 1) >> BLOCK_SHIFT;

/** An indicator array with its per-block min/max (see blockMinMax), computed once and shared */
export interface CachedArray {
  readonly values: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** min/max per super block of 64 bars */
  readonly min64: Float64Array;
  readonly max64: Float64Array;
}
