import { z } from "zod";

export const smaCrossParams = z
  .object({
    fast: z.number().int().min(1).max(1000).default(20),
    slow: z.number().int().min(2).max(2000).default(50),
    /** go short (-1) when fast < slow; needs a perpetual market */
    short: z.boolean().default(false),
  })
  .refine((p) => p.fast < p.slow, { message: "fast must be below slow", path: ["fast"] });

export type SmaCrossParams = z.infer<typeof smaCrossParams>;
