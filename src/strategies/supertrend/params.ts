import { z } from "zod";

export const supertrendParams = z
  .object({
    period: z.number().int().min(2).max(200).default(10),
    multiplier: z.number().min(0.5).max(10).default(3),
  })
  .strict();
export type SupertrendParams = z.infer<typeof supertrendParams>;
