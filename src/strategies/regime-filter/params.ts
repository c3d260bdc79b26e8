import { z } from "zod";

export const regimeFilterParams = z
  .object({
    /** 0: trend regime (close above its SMA of `regimeLength`); 1: calm regime (realised vol below its median) */
    regime: z.number().int().min(0).max(1).default(0),
    regimeLength: z.number().int().min(10).max(5000).default(200),
  })
  .strict();
export type RegimeFilterParams = z.infer<typeof regimeFilterParams>;
