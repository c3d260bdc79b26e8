import { z } from "zod";

export const gridParams = z
  .object({
    /** number of grid levels below the anchor; exposure steps 1/levels per level */
    levels: z.number().int().min(1).max(50).default(5),
    /** distance between levels as a fraction of the anchor */
    spacing: z.number().min(0.002).max(0.2).default(0.02),
    /** the anchor is the SMA of this many closes (a grid that follows the market slowly) */
    anchor: z.number().int().min(2).max(2000).default(100),
  })
  .strict();
export type GridParams = z.infer<typeof gridParams>;
