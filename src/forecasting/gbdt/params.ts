import { z } from "zod";

/** Hyper-parameters of the gradient-boosted trees learner; names follow LightGBM/XGBoost where they agree */
export const GbdtParamsSchema = z.object({
  objective: z.enum(["squared", "logistic"]).default("squared"),
  nTrees: z.number().int().min(1).max(100_000).default(100),
  learningRate: z.number().positive().max(1).default(0.1),
  /** depthwise grows a full level at a time (XGBoost); leafwise splits the best leaf first (LightGBM) */
  growth: z.enum(["depthwise", "leafwise"]).default("depthwise"),
  /** 0 = unlimited (leaf-wise growth is then bounded by maxLeaves alone) */
  maxDepth: z.number().int().min(0).max(64).default(6),
  /** only leaf-wise growth reads it */
  maxLeaves: z
    .number()
    .int()
    .min(2)
    .max(1 << 16)
    .default(31),
  lambda: z.number().min(0).default(1),
  /** minimum loss reduction for a split (XGBoost's gamma) */
  minSplitGain: z.number().min(0).default(0),
  minChildWeight: z.number().min(0).default(1),
  minSamplesLeaf: z.number().int().min(1).default(1),
  subsample: z.number().gt(0).max(1).default(1),
  colsample: z.number().gt(0).max(1).default(1),
  maxBins: z.number().int().min(2).max(256).default(256),
  /** stop when the validation loss has not improved for this many rounds; 0 = off */
  earlyStoppingRounds: z.number().int().min(0).default(0),
  seed: z.number().int().default(0),
});

export type GbdtParams = z.infer<typeof GbdtParamsSchema>;
export type GbdtParamsInput = z.input<typeof GbdtParamsSchema>;
