import { z } from "zod";

export const adxTrendParams = z
  .object({
    period: z.number().int().min(2).max(100).default(14),
    /** trade only when ADX is above this: a trend is present */
    adxMin: z.number().min(5).max(60).default(25),
  })
  .strict();
export type AdxTrendParams = z.infer<typeof adxTrendParams>;
