// Synthetic classification data with a planted non-linear signal, shared by the gbdt tests and bench/gbdt.ts
import { createRng } from "../../src/domain/random.ts";

export interface SyntheticSet {
  rows: number;
  cols: Float64Array[];
  y: Float64Array;
}

/** 30 standard-normal features; the log-odds mix thresholds, interactions and curves of 8 of them */
export function plantedNonLinear(rows: number, nFeatures: number, seed: number): SyntheticSet {
  const rng = createRng(seed);
  const cols = Array.from({ length: nFeatures }, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < nFeatures; f++) cols[f]![r] = rng.normal();
    const x = (f: number): number => cols[f % nFeatures]![r]!;
    const z =
      1.2 * Math.sin(1.5 * x(0)) +
      0.9 * x(1) * x(2) +
      (x(3) > 0.5 ? 1 : -0.5) +
      0.4 * x(4) * x(4) -
      0.8 * Math.abs(x(5)) +
      (x(6) > 0 && x(7) > 0 ? 1 : 0) -
      0.2;
    y[r] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { rows, cols, y };
}
