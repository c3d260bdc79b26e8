import { z } from "zod";

export const dcaParams = z
  .object({
    /** buy every this many bars */
    every: z.number().int().min(1).max(10_000).default(24),
    /** fraction of equity added per buy, until fully invested */
    step: z.number().min(0.005).max(1).default(0.05),
    /** sell everything once price is this fraction above the average cost (0 = never: accumulate) */
    takeProfit: z.number().min(0).max(10).default(0),
  })
  .strict();
export type DcaParams = z.infer<typeof dcaParams>;
