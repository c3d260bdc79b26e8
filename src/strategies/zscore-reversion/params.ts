import { z } from "zod";

export const zscoreReversionParams = z
  .object({
    period: z.number().int().min(5).max(500).default(50),
    entryZ: z.number().min(0.5).max(5).default(2),
    exitZ: z.number().min(-2).max(3).default(0),
  })
  .strict()
  .refine((p) => p.exitZ < p.entryZ, { message: "exitZ must be below entryZ", path: ["exitZ"] });
export type ZscoreReversionParams = z.infer<typeof zscoreReversionParams>;
