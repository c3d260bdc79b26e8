import { z } from "zod";

/** Every validation setting of the screen, with the defaults of issue 6; printed in every report */
export const validationConfigSchema = z
  .object({
    /** walk-forward folds (anchored and rolling); the bars form folds + 1 chunks, the first trains only */
    walkForwardFolds: z.number().int().min(1).max(50).default(5),
    /** combinatorially purged CV: groups, test groups per split, embargo and purge */
    cpcvGroups: z.number().int().min(2).max(20).default(6),
    cpcvTestGroups: z.number().int().min(1).max(19).default(2),
    embargoFraction: z.number().min(0).max(0.2).default(0.01),
    purgeBars: z.number().int().min(0).default(1),
    /** CSCV submatrices for the probability of backtest overfitting */
    pboBlocks: z.number().int().min(2).max(20).default(16),
    /** a family whose PBO exceeds this is flagged and its variants cannot pass */
    pboLimit: z.number().min(0).max(1).default(0.5),
    /** minimum deflated-Sharpe probability to pass */
    dsrThreshold: z.number().min(0).max(1).default(0.95),
    /** random-entry baseline: draws and the percentile a variant must beat */
    randomDraws: z.number().int().min(1).max(100_000).default(200),
    randomPercentile: z.number().min(0).max(1).default(0.95),
    /** Monte Carlo for the best variants: how many, and resamples each */
    monteCarloTop: z.number().int().min(0).default(50),
    monteCarloResamples: z.number().int().min(1).default(200),
    /** block length of the block bootstrap in bars; 0 = sqrt(bars) */
    blockLength: z.number().int().min(0).default(0),
    /** execution costs as fractions (DESIGN.md units) */
    fee: z.number().min(0).max(0.1).default(0.001),
    slippage: z.number().min(0).max(0.1).default(0.0005),
  })
  .strict()
  .refine((c) => c.cpcvTestGroups < c.cpcvGroups, { message: "cpcvTestGroups must be below cpcvGroups" })
  .refine((c) => c.pboBlocks % 2 === 0, { message: "pboBlocks must be even" });

export type ValidationConfig = z.infer<typeof validationConfigSchema>;
export type ValidationConfigInput = z.input<typeof validationConfigSchema>;

/** The defaults, for reports and tests */
export const defaultValidationConfig = (over: ValidationConfigInput = {}): ValidationConfig =>
  validationConfigSchema.parse(over);

/** One line per setting, for the text report */
export function describeConfig(c: ValidationConfig): string {
  return [
    `walk-forward ${c.walkForwardFolds} folds (anchored + rolling)`,
    `CPCV ${c.cpcvGroups} groups / ${c.cpcvTestGroups} test, embargo ${(c.embargoFraction * 100).toFixed(1)}%, purge ${c.purgeBars} bar`,
    `PBO by CSCV S=${c.pboBlocks}, limit ${c.pboLimit}`,
    `DSR >= ${c.dsrThreshold}`,
    `random entry p${Math.round(c.randomPercentile * 100)} of ${c.randomDraws} draws`,
    `Monte Carlo top ${c.monteCarloTop} x ${c.monteCarloResamples}`,
    `fee ${c.fee}, slippage ${c.slippage}`,
  ].join("; ");
}
