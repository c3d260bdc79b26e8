import type { GbdtModel } from "./model.ts";

/** Global importance of one feature over the whole ensemble */
export interface FeatureImportance {
  feature: string;
  /** total loss reduction of its splits */
  gain: number;
  /** number of splits on it */
  splits: number;
}

/** Importance by total gain and split count, largest gain first */
export function featureImportance(model: GbdtModel): FeatureImportance[] {
  const gain = new Float64Array(model.featureNames.length);
  const splits = new Float64Array(model.featureNames.length);
  for (const t of model.trees) {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      if (f < 0) continue;
      gain[f] = gain[f]! + t.gain[i]!;
      splits[f] = splits[f]! + 1;
    }
  }
  return model.featureNames
    .map((feature, f) => ({ feature, gain: gain[f]!, splits: splits[f]! }))
    .sort((a, b) => b.gain - a.gain || b.splits - a.splits || a.feature.localeCompare(b.feature));
}
