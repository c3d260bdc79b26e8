import { invalidInput } from "../errors.ts";
import { combinations } from "./stats.ts";

/** Half-open bar range [start, end) */
export interface BarRange {
  start: number;
  end: number;
}

/** One validation split: the bars a selection may learn from, and the bars it is judged on */
export interface Split {
  train: BarRange[];
  test: BarRange[];
}

export type WalkForwardMode = "anchored" | "rolling";

/** Edge k (0..parts) of [from, to) cut into `parts` contiguous segments: from + floor(k * (to - from) / parts) */
const segmentEdge = (from: number, to: number, parts: number, k: number): number =>
  from + Math.floor((k * (to - from)) / parts);

/**
 * [from, to) cut into `parts` contiguous segments that differ in length by at most one bar: the test
 * segments of walkForward, and the windows of anything else that is judged fold by fold
 */
export function segments(from: number, to: number, parts: number): BarRange[] {
  return Array.from({ length: parts }, (_, k) => ({
    start: segmentEdge(from, to, parts, k),
    end: segmentEdge(from, to, parts, k + 1),
  }));
}

/** Where a walk-forward runs and how it trains */
export interface WalkForwardOptions {
  /** bars (or samples) [from, to) */
  from: number;
  to: number;
  /** first test bar: [testFrom, to) is cut into `folds` contiguous segments */
  testFrom: number;
  folds: number;
  /** anchored: train from `from`; rolling: train on the segment just before the test segment */
  mode: WalkForwardMode;
  /** cap on training bars (a sliding window over anchored training) */
  maxTrain?: number;
  /** bars removed from the end of training: a label that reaches `purge` bars ahead (0 by default) */
  purge?: number;
  /** further bars removed between the purged training end and the test start (0 by default) */
  embargo?: number;
}

/**
 * The walk-forward splitter of kairos (the screen and the forecast evaluation both use it): the test
 * span [testFrom, to) is cut into `folds` segments at testFrom + floor(k * (to - testFrom) / folds),
 * so they tile it in order and differ in length by at most one bar. Fold k tests on segment k and
 * trains on [from, start_k) (anchored) or on the segment before it, [start_{k-1}, start_k) with
 * start_{-1} = from (rolling), its end pulled back by `purge + embargo` bars and its length capped
 * at `maxTrain`. No fold trains on a bar at or after its test start.
 */
export function walkForward(o: WalkForwardOptions): Split[] {
  const { from, to, testFrom, folds } = o;
  const gap = (o.purge ?? 0) + (o.embargo ?? 0);
  if (!Number.isInteger(folds) || folds < 1)
    throw invalidInput(`walk-forward: folds must be an integer >= 1, got ${folds}`);
  if (!(Number.isInteger(gap) && gap >= 0))
    throw invalidInput(`walk-forward: purge and embargo must be whole numbers >= 0, got ${gap}`);
  const span = to - testFrom;
  if (!(testFrom > from && span >= folds))
    throw invalidInput(
      `walk-forward: bars [${from}, ${to}) with tests from ${testFrom} are too few for ${folds} folds`,
    );
  const start = (k: number): number => (k < 0 ? from : segmentEdge(testFrom, to, folds, k));
  const out: Split[] = [];
  for (let k = 0; k < folds; k++) {
    const test = { start: start(k), end: start(k + 1) };
    const end = test.start - gap;
    let begin = o.mode === "anchored" ? from : start(k - 1);
    if (o.maxTrain !== undefined) begin = Math.max(begin, end - o.maxTrain);
    if (end <= begin)
      throw invalidInput(`walk-forward: fold ${k + 1} has no training bars left after a gap of ${gap}`);
    out.push({ train: [{ start: begin, end }], test: [test] });
  }
  return out;
}

/**
 * The screen's walk-forward over bars [0, n): the first of folds + 1 equal parts only trains, the
 * rest is tested in `folds` segments (see walkForward)
 */
export function walkForwardSplits(n: number, folds: number, mode: WalkForwardMode): Split[] {
  if (!Number.isInteger(folds) || folds < 1)
    throw invalidInput(`walk-forward: folds must be an integer >= 1, got ${folds}`);
  if (n < 2 * (folds + 1)) throw invalidInput(`walk-forward: ${n} bars are too few for ${folds} folds`);
  return walkForward({ from: 0, to: n, testFrom: Math.floor(n / (folds + 1)), folds, mode });
}

export interface CpcvOptions {
  groups: number;
  testGroups: number;
  /** bars removed from training after each test range, as a fraction of n (rounded up) */
  embargoFraction: number;
  /** bars removed from training before each test range: the label horizon (1 for next-bar returns) */
  purgeBars: number;
}

/**
 * Combinatorially purged cross-validation (López de Prado, AFML ch. 12): n bars in `groups`
 * contiguous groups; every choice of `testGroups` groups is a test set; training bars whose label
 * window reaches into a test range are purged, and an embargo follows each test range.
 */
export function cpcvSplits(n: number, o: CpcvOptions): Split[] {
  const { groups, testGroups } = o;
  if (!Number.isInteger(groups) || groups < 2)
    throw invalidInput(`cpcv: groups must be an integer >= 2, got ${groups}`);
  if (!Number.isInteger(testGroups) || testGroups < 1 || testGroups >= groups)
    throw invalidInput(`cpcv: test groups must be in [1, ${groups - 1}], got ${testGroups}`);
  if (n < groups * 2) throw invalidInput(`cpcv: ${n} bars are too few for ${groups} groups`);
  const embargo = Math.ceil(o.embargoFraction * n);
  const purge = Math.max(0, Math.floor(o.purgeBars));
  const edge = (g: number): number => Math.floor((g * n) / groups);
  const out: Split[] = [];
  for (const combo of combinations(groups, testGroups)) {
    // merge adjacent test groups into one range so the purge and embargo apply at real borders
    const test: BarRange[] = [];
    for (const g of combo) {
      const r = { start: edge(g), end: edge(g + 1) };
      const last = test[test.length - 1];
      if (last !== undefined && last.end === r.start) last.end = r.end;
      else test.push(r);
    }
    const banned = new Uint8Array(n);
    for (const r of test) {
      for (let i = Math.max(0, r.start - purge); i < Math.min(n, r.end + embargo); i++) banned[i] = 1;
    }
    const train: BarRange[] = [];
    let i = 0;
    while (i < n) {
      if (banned[i] === 1) {
        i++;
        continue;
      }
      const s = i;
      while (i < n && banned[i] === 0) i++;
      train.push({ start: s, end: i });
    }
    out.push({ train, test });
  }
  return out;
}

/** Number of bars covered by ranges */
export const rangesLength = (rs: readonly BarRange[]): number =>
  rs.reduce((s, r) => s + (r.end - r.start), 0);

/** One walk-forward fold over sample indices (a sample t uses bars <= t; its label ends at bar t + h) */
export interface Fold {
  /** training samples [trainFrom, trainTo) */
  trainFrom: number;
  trainTo: number;
  /** test samples [testFrom, testTo) */
  testFrom: number;
  testTo: number;
}

export interface WalkForwardConfig {
  /** first usable sample (features warmed up) and one past the last labelled one */
  from: number;
  to: number;
  /** forecast horizon in bars: the label of sample t is known at bar t + h */
  horizon: number;
  folds: number;
  /** share of [from, to) given to the test segments together */
  testFraction: number;
  /** extra bars dropped between the purged training end and the test start */
  embargo: number;
  /** cap on training samples per fold (a sliding window); undefined = expanding window */
  maxTrain?: number;
}

/**
 * The forecast evaluation's walk-forward (see walkForward): the last `testFraction` of the samples
 * is tested in `folds` segments, each model trained on the expanding (or `maxTrain`-capped) window
 * before it, purged by the horizon and an embargo: a training sample t is kept only when its label
 * bar t + h lies at least `embargo` bars before the test start, so no fold's model sees any bar of
 * its test segment.
 */
export function walkForwardFolds(c: WalkForwardConfig): Fold[] {
  const { from, to, horizon: h, folds, testFraction, embargo } = c;
  if (!Number.isInteger(folds) || folds < 1)
    throw invalidInput(`folds must be a positive integer, got ${folds}`);
  if (!(testFraction > 0 && testFraction < 1))
    throw invalidInput(`testFraction must be in (0, 1), got ${testFraction}`);
  if (!Number.isInteger(h) || h < 1)
    throw invalidInput(`horizon must be a positive integer number of bars, got ${h}`);
  if (!Number.isInteger(embargo) || embargo < 0)
    throw invalidInput(`embargo must be a non-negative integer, got ${embargo}`);
  const n = to - from;
  const testLen = Math.floor(n * testFraction);
  const firstTest = to - testLen;
  const minTrain = 50;
  if (testLen < folds || firstTest - h - embargo - from < minTrain) {
    throw invalidInput(
      `too few samples for ${folds} walk-forward folds at horizon ${h} (${n} usable bars): use more data, fewer folds or a shorter horizon`,
    );
  }
  const splits = walkForward({
    from,
    to,
    testFrom: firstTest,
    folds,
    mode: "anchored",
    purge: h,
    embargo,
    ...(c.maxTrain === undefined ? {} : { maxTrain: c.maxTrain }),
  });
  return splits.map(({ train, test }) => ({
    trainFrom: train[0]!.start,
    trainTo: train[0]!.end,
    testFrom: test[0]!.start,
    testTo: test[0]!.end,
  }));
}
