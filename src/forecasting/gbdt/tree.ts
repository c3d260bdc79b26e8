import type { BinnedMatrix, FeatureMatrix } from "./binning.ts";

/**
 * One regression tree in flat arrays; node 0 is the root. A row goes left when its value is
 * <= threshold or missing (NaN), the same rule as bin <= bin on binned data.
 */
export interface Tree {
  /** split feature, -1 on leaves */
  readonly feature: Int32Array;
  readonly bin: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** leaf output, learning rate included; internal nodes hold what they would output as leaves */
  readonly value: Float64Array;
  /** sum of hessians of the training rows through the node (TreeSHAP's cover) */
  readonly cover: Float64Array;
  /** training rows through the node */
  readonly count: Float64Array;
  /** loss reduction of the split, 0 on leaves */
  readonly gain: Float64Array;
}

export const treeSize = (t: Tree): number => t.feature.length;

/** Leaf reached by row r of a column-major matrix */
export function leafOf(t: Tree, cols: readonly Float64Array[], r: number): number {
  let node = 0;
  const feature = t.feature;
  for (;;) {
    const f = feature[node]!;
    if (f < 0) return node;
    const v = cols[f]![r]!;
    node = v <= t.threshold[node]! || Number.isNaN(v) ? t.left[node]! : t.right[node]!;
  }
}

/** Adds the tree's output for every row of a raw matrix to out */
export function addTreeRaw(t: Tree, x: FeatureMatrix, out: Float64Array): void {
  const value = t.value;
  for (let r = 0; r < x.rows; r++) out[r] = out[r]! + value[leafOf(t, x.cols, r)]!;
}

/** Adds the tree's output for every row of a binned matrix to out */
export function addTreeBinned(t: Tree, b: BinnedMatrix, out: Float64Array): void {
  const { feature, bin, left, right, value } = t;
  const n = b.rows;
  const cb = b.colBins;
  for (let r = 0; r < n; r++) {
    let node = 0;
    for (;;) {
      const f = feature[node]!;
      if (f < 0) break;
      node = cb[f * n + r]! <= bin[node]! ? left[node]! : right[node]!;
    }
    out[r] = out[r]! + value[node]!;
  }
}

/** Depth of the deepest leaf (root alone = 0) */
export function treeDepth(t: Tree): number {
  const depth = new Int32Array(t.feature.length);
  let max = 0;
  for (let i = 0; i < t.feature.length; i++) {
    if (t.feature[i]! >= 0) {
      depth[t.left[i]!] = depth[i]! + 1;
      depth[t.right[i]!] = depth[i]! + 1;
    } else if (depth[i]! > max) max = depth[i]!;
  }
  return max;
}
