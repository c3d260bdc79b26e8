import type { FeatureMatrix } from "./binning.ts";
import type { GbdtModel } from "./model.ts";
import { type Tree, treeDepth } from "./tree.ts";

/** One step of the decision path TreeSHAP tracks: a feature and the fractions of paths through it */
interface PathBuffers {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2): per-feature contributions
 * of row r to the tree's output, added into phi. Sum of phi over features = f(x) - E[f(x)].
 */
function treeShapRow(
  t: Tree,
  cols: readonly Float64Array[],
  r: number,
  phi: Float64Array,
  buf: PathBuffers,
): void {
  const recurse = (
    node: number,
    parent: number,
    depth: number,
    zeroFrac: number,
    oneFrac: number,
    feat: number,
  ): void => {
    // each level works on its own copy of the path, stored right after its parent's
    const path = parent + depth + 1;
    buf.feature.copyWithin(path, parent, parent + depth + 1);
    buf.zero.copyWithin(path, parent, parent + depth + 1);
    buf.one.copyWithin(path, parent, parent + depth + 1);
    buf.weight.copyWithin(path, parent, parent + depth + 1);
    extend(buf, path, depth, zeroFrac, oneFrac, feat);
    const f = t.feature[node]!;
    if (f < 0) {
      const v = t.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(buf, path, depth, i);
        phi[buf.feature[path + i]!]! += w * (buf.one[path + i]! - buf.zero[path + i]!) * v;
      }
      return;
    }
    const x = cols[f]![r]!;
    const goLeft = x <= t.threshold[node]! || Number.isNaN(x);
    const hot = goLeft ? t.left[node]! : t.right[node]!;
    const cold = goLeft ? t.right[node]! : t.left[node]!;
    const cover = t.cover[node]!;
    const hotFrac = t.cover[hot]! / cover;
    const coldFrac = t.cover[cold]! / cover;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    // a feature met again on the path is unwound first, so it is counted once
    let k = 1;
    for (; k <= d; k++) if (buf.feature[path + k] === f) break;
    if (k <= d) {
      inZero = buf.zero[path + k]!;
      inOne = buf.one[path + k]!;
      unwind(buf, path, d, k);
      d -= 1;
    }
    recurse(hot, path, d + 1, hotFrac * inZero, inOne, f);
    recurse(cold, path, d + 1, coldFrac * inZero, 0, f);
  };
  recurse(0, 0, 0, 1, 1, -1);
}

function extend(b: PathBuffers, p: number, depth: number, zero: number, one: number, feat: number): void {
  b.feature[p + depth] = feat;
  b.zero[p + depth] = zero;
  b.one[p + depth] = one;
  b.weight[p + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    b.weight[p + i + 1]! += (one * b.weight[p + i]! * (i + 1)) / (depth + 1);
    b.weight[p + i] = (zero * b.weight[p + i]! * (depth - i)) / (depth + 1);
  }
}

function unwind(b: PathBuffers, p: number, depth: number, k: number): void {
  const one = b.one[p + k]!;
  const zero = b.zero[p + k]!;
  let next = b.weight[p + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = b.weight[p + i]!;
      b.weight[p + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (b.weight[p + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      b.weight[p + i] = (b.weight[p + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    b.feature[p + i] = b.feature[p + i + 1]!;
    b.zero[p + i] = b.zero[p + i + 1]!;
    b.one[p + i] = b.one[p + i + 1]!;
  }
}

function unwoundSum(b: PathBuffers, p: number, depth: number, k: number): number {
  const one = b.one[p + k]!;
  const zero = b.zero[p + k]!;
  let next = b.weight[p + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = b.weight[p + i]! - (tmp * zero * (depth - i)) / (depth + 1);
    } else {
      total += (b.weight[p + i]! / zero) * ((depth + 1) / (depth - i));
    }
  }
  return total;
}

/** Expected output of a tree over its training cover: the base value TreeSHAP starts from */
export function treeExpectation(t: Tree): number {
  let s = 0;
  for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! < 0) s += t.value[i]! * t.cover[i]!;
  return s / t.cover[0]!;
}

/** Per-row contributions on the margin scale: phi[r][f], plus the shared base value */
export interface Contributions {
  readonly base: number;
  readonly values: Float64Array[];
}

/** TreeSHAP contributions (margin / log-odds scale) for every row of x */
export function shapValues(model: GbdtModel, x: FeatureMatrix): Contributions {
  const nf = model.featureNames.length;
  let maxDepth = 0;
  let base = model.baseMargin;
  for (const t of model.trees) {
    maxDepth = Math.max(maxDepth, treeDepth(t));
    base += treeExpectation(t);
  }
  const size = ((maxDepth + 3) * (maxDepth + 4)) / 2 + 1;
  const buf: PathBuffers = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  const values: Float64Array[] = [];
  for (let r = 0; r < x.rows; r++) {
    const phi = new Float64Array(nf);
    for (const t of model.trees) if (t.feature[0]! >= 0) treeShapRow(t, x.cols, r, phi, buf);
    values.push(phi);
  }
  return { base, values };
}
