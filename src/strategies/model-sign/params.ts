import { z } from "zod";

export const modelSignParams = z.object({
  /** forecast horizon in bars: the model predicts the sign of the next h-bar return */
  horizon: z.number().int().min(1).max(168).default(1),
  /** go long when the predicted up-probability exceeds this */
  threshold: z.number().min(0.5).max(0.95).default(0.53),
  /** refit the model every this many bars, on data known at the refit bar only */
  retrainEvery: z.number().int().min(50).max(20_000).default(1000),
  /** training window in bars (the most recent ones before the refit) */
  trainWindow: z.number().int().min(300).max(200_000).default(8000),
});

export type ModelSignParams = z.infer<typeof modelSignParams>;
