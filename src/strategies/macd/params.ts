import { z } from "zod";

export const macdParams = z
  .object({
    fast: z.number().int().min(2).max(100).default(12),
    slow: z.number().int().min(3).max(300).default(26),
    signal: z.number().int().min(1).max(100).default(9),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: "fast must be below slow", path: ["fast"] });
export type MacdParams = z.infer<typeof macdParams>;
