import { z } from "zod";

export const rsiReversionParams = z
  .object({
    period: z.number().int().min(2).max(500).default(14),
    /** enter long when RSI closes below this */
    lower: z.number().min(1).max(99).default(30),
    /** leave when RSI closes above this */
    upper: z.number().min(1).max(99).default(70),
  })
  .refine((p) => p.lower < p.upper, { message: "lower must be below upper", path: ["lower"] });

export type RsiReversionParams = z.infer<typeof rsiReversionParams>;
