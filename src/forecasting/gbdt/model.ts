import type { BinEdges } from "./binning.ts";
import type { Objective } from "./objective.ts";
import type { GbdtParams } from "./params.ts";
import type { Tree } from "./tree.ts";

/** A trained ensemble: prediction = link(baseMargin + sum of tree outputs) */
export interface GbdtModel {
  readonly objective: Objective;
  readonly baseMargin: number;
  readonly trees: readonly Tree[];
  readonly featureNames: readonly string[];
  readonly params: GbdtParams;
  /** the training bin edges, so validation/new data bins the same way */
  readonly edges: BinEdges;
  /** rounds trained before early stopping truncated to the best one */
  readonly roundsTrained: number;
  /** validation loss per round, when a validation set was given */
  readonly validLoss: readonly number[];
}
