import { z } from "zod";

export const bollingerReversionParams = z
  .object({
    period: z.number().int().min(2).max(200).default(20),
    k: z.number().min(0.5).max(5).default(2),
  })
  .strict();
export type BollingerReversionParams = z.infer<typeof bollingerReversionParams>;
