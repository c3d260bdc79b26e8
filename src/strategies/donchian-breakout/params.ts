import { z } from "zod";

export const donchianBreakoutParams = z.object({
  /** enter long when the close breaks above the highest high of the previous `entry` bars */
  entry: z.number().int().min(2).max(1000).default(20),
  /** leave when the close breaks below the lowest low of the previous `exit` bars */
  exit: z.number().int().min(2).max(1000).default(10),
});

export type DonchianBreakoutParams = z.infer<typeof donchianBreakoutParams>;
