import { z } from "zod";

export const volTargetParams = z
  .object({
    /** annualised volatility the position is scaled to */
    targetVol: z.number().min(0.05).max(3).default(0.5),
    /** bars of close-to-close returns in the realised-volatility estimate */
    volLookback: z.number().int().min(5).max(2000).default(168),
  })
  .strict();
export type VolTargetParams = z.infer<typeof volTargetParams>;
