import { invalidInput } from "../../errors.ts";

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
 * Expanding (or capped sliding) walk-forward folds with purging and an embargo: a training sample
 * t is kept only when its label bar t + h lies at least `embargo` bars before the test start, so no
 * fold's model sees any bar of its test segment. Test segments are contiguous and cover the tail.
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
  const per = Math.floor(testLen / folds);
  const minTrain = 50;
  if (per < 1 || firstTest - h - embargo - from < minTrain) {
    throw invalidInput(
      `too few samples for ${folds} walk-forward folds at horizon ${h} (${n} usable bars): use more data, fewer folds or a shorter horizon`,
    );
  }
  const out: Fold[] = [];
  for (let f = 0; f < folds; f++) {
    const testFrom = firstTest + f * per;
    const testTo = f === folds - 1 ? to : testFrom + per;
    // purge: label t + h must end before testFrom - embargo
    const trainTo = testFrom - h - embargo;
    const trainFrom = c.maxTrain === undefined ? from : Math.max(from, trainTo - c.maxTrain);
    out.push({ trainFrom, trainTo, testFrom, testTo });
  }
  return out;
}
