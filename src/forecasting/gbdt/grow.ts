import type { BinnedMatrix } from "./binning.ts";
import { findBestSplit, type SplitCandidate, type SplitRules, subtractHistogram } from "./histogram.ts";
import type { GbdtParams } from "./params.ts";
import type { Tree } from "./tree.ts";

/** Rows idx[start..end) whose histogram the driver must build into hist (zeroed by the driver) */
export interface HistRequest {
  start: number;
  end: number;
  hist: Float64Array;
}

/** Everything a histogram build reads; arrays may live on SharedArrayBuffers for worker threads */
export interface HistContext {
  readonly binned: BinnedMatrix;
  readonly idx: Uint32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** where row counts start in each histogram, -1 when not tracked */
  readonly countAt: number;
}

/** Recycles histogram buffers across nodes and trees */
export class HistPool {
  private readonly free: Float64Array[] = [];
  constructor(
    private readonly cells: number,
    private readonly shared: boolean,
  ) {}
  take(): Float64Array {
    const h = this.free.pop();
    if (h !== undefined) return h;
    return this.shared
      ? new Float64Array(new SharedArrayBuffer(this.cells * 8))
      : new Float64Array(this.cells);
  }
  give(h: Float64Array | undefined): void {
    if (h !== undefined) this.free.push(h);
  }
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  G: number;
  H: number;
  depth: number;
  hist: Float64Array | undefined;
  split: SplitCandidate;
}

const noSplit = (): SplitCandidate => ({ feature: -1, bin: -1, gain: 0, leftG: 0, leftH: 0 });

/**
 * Grows one tree on rows idx[0..m); yields batches of histogram requests (a whole level when
 * depth-wise, one node when leaf-wise) and leaves idx partitioned so each leaf owns a segment.
 * Returns the tree and, per node, its row segment.
 */
export function* growTree(
  ctx: HistContext,
  m: number,
  features: Int32Array,
  p: GbdtParams,
  pool: HistPool,
  scratch: Uint32Array,
  upper: readonly Float64Array[],
): Generator<HistRequest[], { tree: Tree; segStart: number[]; segEnd: number[] }, void> {
  const { binned, idx, grad, hess } = ctx;
  const n = binned.rows;
  const offset = binned.offset;
  const total = offset[binned.nFeatures]!;
  const countAt = ctx.countAt;
  const cells = countAt >= 0 ? 3 * total : 2 * total;
  const rules: SplitRules = p;
  const lr = p.learningRate;
  const lambda = p.lambda;
  const fe: number[] = [];
  const bn: number[] = [];
  const th: number[] = [];
  const lf: number[] = [];
  const rt: number[] = [];
  const val: number[] = [];
  const cov: number[] = [];
  const cnt: number[] = [];
  const gn: number[] = [];
  const segStart: number[] = [];
  const segEnd: number[] = [];
  const newNode = (G: number, H: number, start: number, end: number): number => {
    fe.push(-1);
    bn.push(-1);
    th.push(0);
    lf.push(-1);
    rt.push(-1);
    val.push((-lr * G) / (H + lambda));
    cov.push(H);
    cnt.push(end - start);
    gn.push(0);
    segStart.push(start);
    segEnd.push(end);
    return fe.length - 1;
  };
  const splittable = (depth: number, c: number, h: number): boolean =>
    (p.maxDepth === 0 || depth < p.maxDepth) && c >= 2 * p.minSamplesLeaf && h >= 2 * p.minChildWeight;

  let G = 0;
  let H = 0;
  for (let i = 0; i < m; i++) {
    const r = idx[i]!;
    G += grad[r]!;
    H += hess[r]!;
  }
  const root: Leaf = {
    node: newNode(G, H, 0, m),
    start: 0,
    end: m,
    G,
    H,
    depth: 0,
    hist: undefined,
    split: noSplit(),
  };
  let frontier: Leaf[] = [];
  if (splittable(0, m, H)) {
    root.hist = pool.take();
    yield [{ start: 0, end: m, hist: root.hist }];
    findBestSplit(root.hist, offset, features, G, H, rules, countAt, m, root.split);
    if (root.split.feature >= 0) frontier.push(root);
    else pool.give(root.hist);
  }
  let leaves = 1;
  const maxLeaves = p.growth === "leafwise" ? p.maxLeaves : Number.POSITIVE_INFINITY;
  while (frontier.length > 0 && leaves < maxLeaves) {
    let batch: Leaf[];
    if (p.growth === "leafwise") {
      let best = 0;
      for (let i = 1; i < frontier.length; i++)
        if (frontier[i]!.split.gain > frontier[best]!.split.gain) best = i;
      batch = [frontier[best]!];
      frontier.splice(best, 1);
    } else {
      batch = frontier;
      frontier = [];
    }
    const requests: HistRequest[] = [];
    const pending: { parent: Leaf; small: Leaf; large: Leaf }[] = [];
    for (const leaf of batch) {
      const s = leaf.split;
      const f = s.feature;
      // stable partition of the leaf's rows by the split: left rows stay in order, then right rows
      const col = binned.colBins.subarray(f * n, f * n + n);
      let l = leaf.start;
      let k = 0;
      const bin = s.bin;
      // branch-free: the side of a row is a coin flip to the predictor, so write both and advance one
      for (let i = leaf.start; i < leaf.end; i++) {
        const r = idx[i]!;
        const left = +(col[r]! <= bin);
        idx[l] = r;
        scratch[k] = r;
        l += left;
        k += 1 - left;
      }
      idx.set(scratch.subarray(0, k), l);
      const node = leaf.node;
      fe[node] = f;
      bn[node] = s.bin;
      th[node] = upper[f]![s.bin]!;
      gn[node] = s.gain;
      const lG = s.leftG;
      const lH = s.leftH;
      const rG = leaf.G - lG;
      const rH = leaf.H - lH;
      const d = leaf.depth + 1;
      const L: Leaf = {
        node: newNode(lG, lH, leaf.start, l),
        start: leaf.start,
        end: l,
        G: lG,
        H: lH,
        depth: d,
        hist: undefined,
        split: noSplit(),
      };
      const R: Leaf = {
        node: newNode(rG, rH, l, leaf.end),
        start: l,
        end: leaf.end,
        G: rG,
        H: rH,
        depth: d,
        hist: undefined,
        split: noSplit(),
      };
      lf[node] = L.node;
      rt[node] = R.node;
      leaves++;
      const lOk = splittable(d, L.end - L.start, lH);
      const rOk = splittable(d, R.end - R.start, rH);
      if (!lOk && !rOk) {
        pool.give(leaf.hist);
        continue;
      }
      const [small, large] = L.end - L.start <= R.end - R.start ? [L, R] : [R, L];
      small.hist = pool.take();
      requests.push({ start: small.start, end: small.end, hist: small.hist });
      pending.push({ parent: leaf, small, large });
    }
    if (requests.length > 0) yield requests;
    for (const { parent, small, large } of pending) {
      const ph = parent.hist!;
      subtractHistogram(ph, small.hist!, 0, cells);
      large.hist = ph;
      for (const c of [small, large]) {
        const cc = c.end - c.start;
        if (splittable(c.depth, cc, c.H)) {
          findBestSplit(c.hist!, offset, features, c.G, c.H, rules, countAt, cc, c.split);
        }
        if (c.split.feature >= 0) frontier.push(c);
        else {
          pool.give(c.hist);
          c.hist = undefined;
        }
      }
    }
    // keep creation order so depth-wise levels and leaf-wise ties are processed deterministically
    frontier.sort((a, b) => a.node - b.node);
  }
  for (const leaf of frontier) pool.give(leaf.hist);
  // internal covers as the sum of their children, so TreeSHAP's weights add up exactly
  for (let i = fe.length - 1; i >= 0; i--) {
    if (fe[i]! >= 0) {
      cov[i] = cov[lf[i]!]! + cov[rt[i]!]!;
      cnt[i] = cnt[lf[i]!]! + cnt[rt[i]!]!;
    }
  }
  const tree: Tree = {
    feature: Int32Array.from(fe),
    bin: Int32Array.from(bn),
    threshold: Float64Array.from(th),
    left: Int32Array.from(lf),
    right: Int32Array.from(rt),
    value: Float64Array.from(val),
    cover: Float64Array.from(cov),
    count: Float64Array.from(cnt),
    gain: Float64Array.from(gn),
  };
  return { tree, segStart, segEnd };
}
