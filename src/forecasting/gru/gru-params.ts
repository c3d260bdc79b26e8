import { z } from "zod";

/** A small GRU by default: it trains on 2 cores in well under a minute per fit */
export const GruParamsSchema = z.object({
  /** bars per input sequence */
  lookback: z.number().int().min(2).max(256).default(24),
  units: z.number().int().min(1).max(256).default(16),
  /** most recent training samples used per fit (older ones are dropped) */
  maxSamples: z.number().int().min(100).max(1_000_000).default(4000),
  /** use every k-th training sample (overlapping h-bar labels carry little new information) */
  stride: z.number().int().min(1).max(1000).default(1),
  maxEpochs: z.number().int().min(1).max(500).default(20),
  patience: z.number().int().min(1).max(100).default(3),
  batchSize: z.number().int().min(1).max(4096).default(64),
  learningRate: z.number().positive().max(1).default(0.003),
  /** share of the (subsampled) training samples held out for early stopping */
  validationShare: z.number().gt(0).lt(0.5).default(0.15),
});
export type GruParams = z.infer<typeof GruParamsSchema>;
export type GruParamsInput = z.input<typeof GruParamsSchema>;
