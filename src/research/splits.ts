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

/**
 * Walk-forward splits over bars [0, n): the bars are cut into folds + 1 equal chunks; fold k tests
 * on chunk k and trains on every earlier chunk (anchored) or on chunk k-1 only (rolling).
 */
export function walkForwardSplits(n: number, folds: number, mode: WalkForwardMode): Split[] {
  if (!Number.isInteger(folds) || folds < 1)
    throw invalidInput(`walk-forward: folds must be an integer >= 1, got ${folds}`);
  if (n < 2 * (folds + 1)) throw invalidInput(`walk-forward: ${n} bars are too few for ${folds} folds`);
  const edge = (k: number): number => Math.floor((k * n) / (folds + 1));
  const out: Split[] = [];
  for (let k = 1; k <= folds; k++) {
    const test = { start: edge(k), end: edge(k + 1) };
    const train = mode === "anchored" ? { start: 0, end: edge(k) } : { start: edge(k - 1), end: edge(k) };
    out.push({ train: [train], test: [test] });
  }
  return out;
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
