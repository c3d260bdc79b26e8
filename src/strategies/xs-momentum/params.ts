import { z } from "zod";

export const xsMomentumParams = z
  .object({
    /** momentum = return over this many bars */
    lookback: z.number().int().min(2).max(5000).default(168),
    /** hold the top K symbols, 1/K of equity each */
    topK: z.number().int().min(1).max(20).default(3),
    /** re-rank every this many bars */
    rebalance: z.number().int().min(1).max(5000).default(24),
  })
  .strict();
export type XsMomentumParams = z.infer<typeof xsMomentumParams>;
