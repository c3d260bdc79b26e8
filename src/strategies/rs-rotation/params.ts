import { z } from "zod";

export const rsRotationParams = z
  .object({
    /** relative strength = the symbol's return minus BTC's over this many bars */
    lookback: z.number().int().min(2).max(5000).default(168),
    /** hold at most this many outperformers, 1/K each */
    topK: z.number().int().min(1).max(20).default(2),
    rebalance: z.number().int().min(1).max(5000).default(24),
  })
  .strict();
export type RsRotationParams = z.infer<typeof rsRotationParams>;
