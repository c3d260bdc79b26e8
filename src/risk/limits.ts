/**
 * Risk limits: one zod-validated, versioned document kept in the home (risk-limits.json). Every
 * decision of the pre-trade gate records the hash of the limits it was judged by. The defaults
 * are deliberately small: a fresh home can trade only a little until a person raises them.
 */
import { z } from "zod";

const positive = z.number().finite().positive();
const fraction = z.number().finite().positive().max(1);

/** Per-symbol overrides of the global order and exposure limits (quote currency, base quantity) */
export const SymbolLimits = z
  .object({
    maxOrderValue: positive.optional(),
    maxOrderQty: positive.optional(),
    maxExposure: positive.optional(),
  })
  .strict();
export type SymbolLimits = z.infer<typeof SymbolLimits>;

export const RiskLimits = z
  .object({
    /** schema version of this document */
    version: z.literal(1),
    /** bumped on every change; with the hash it names the limits a decision was judged by */
    revision: z.number().int().min(0),
    updatedAt: z.string(),
    updatedBy: z.string().min(1),
    /** symbols that may be traded at all (BASE/QUOTE) */
    allowlist: z.array(z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/)),
    /** a limit price may differ from the reference price by at most this fraction */
    priceCollar: fraction,
    /** the reference price may move at most this fraction within driftWindowMs (cumulative drift) */
    maxDrift: fraction,
    driftWindowMs: z.number().int().positive(),
    /** per order, quote value and base quantity (perSymbol may lower or raise them) */
    maxOrderValue: positive,
    maxOrderQty: positive,
    /** token buckets: messages per second (also the burst) per venue and per strategy */
    maxMessagesPerSecondVenue: positive,
    maxMessagesPerSecondStrategy: positive,
    /** absolute exposure in quote, per symbol and summed over symbols, in-flight orders included */
    maxExposurePerSymbol: positive,
    maxExposureTotal: positive,
    /** loss since the UTC day began (quote) and drawdown from the equity peak (fraction) */
    maxDailyLoss: positive,
    maxDrawdown: fraction,
    /** the same order (symbol, side, type, quantity, price, strategy) again within this window is refused */
    duplicateWindowMs: z.number().int().min(0),
    /** the reference price must be younger than this */
    maxPriceAgeMs: z.number().int().positive(),
    /** local clock against the venue's server time */
    maxClockSkewMs: z.number().int().positive().max(1000),
    /** repeated-execution throttle: this many executions per window per strategy latch HALTED */
    throttleExecutions: z.number().int().positive(),
    throttleWindowMs: z.number().int().positive(),
    perSymbol: z.record(z.string(), SymbolLimits),
  })
  .strict();
export type RiskLimits = z.infer<typeof RiskLimits>;

/** Conservative defaults: small orders on two majors, 5% collar, 1 s skew, 100 quote daily loss */
export function defaultRiskLimits(updatedAt: string): RiskLimits {
  return {
    version: 1,
    revision: 0,
    updatedAt,
    updatedBy: "defaults",
    allowlist: ["BTC/USDT", "ETH/USDT"],
    priceCollar: 0.05,
    maxDrift: 0.1,
    driftWindowMs: 300_000,
    maxOrderValue: 1_000,
    maxOrderQty: 1,
    maxMessagesPerSecondVenue: 10,
    maxMessagesPerSecondStrategy: 5,
    maxExposurePerSymbol: 2_000,
    maxExposureTotal: 5_000,
    maxDailyLoss: 100,
    maxDrawdown: 0.1,
    duplicateWindowMs: 2_000,
    maxPriceAgeMs: 5_000,
    maxClockSkewMs: 1_000,
    throttleExecutions: 20,
    throttleWindowMs: 60_000,
    perSymbol: {},
  };
}

/** The keys `kairos risk set` accepts: every scalar limit, `allowlist`, and perSymbol.SYMBOL.KEY */
export const SETTABLE_KEYS = Object.keys(RiskLimits.shape).filter(
  (k) => !["version", "revision", "updatedAt", "updatedBy", "perSymbol"].includes(k),
);

/**
 * Limits with one key changed (validated whole); the revision is bumped and the author recorded.
 * `value` is text as typed: a number, or for `allowlist` a comma-separated list of symbols.
 */
export function setRiskLimit(
  limits: RiskLimits,
  key: string,
  value: string,
  by: string,
  at: string,
): RiskLimits {
  const next: Record<string, unknown> = structuredClone(limits) as unknown as Record<string, unknown>;
  const num = (): number | string => (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(value.trim()) ? Number(value) : value);
  if (key === "allowlist")
    next.allowlist = value
      .split(",")
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== "");
  else if (key.startsWith("perSymbol.")) {
    const rest = key.slice("perSymbol.".length);
    const dot = rest.lastIndexOf(".");
    const sym = rest.slice(0, dot).toUpperCase();
    const field = rest.slice(dot + 1);
    if (dot <= 0 || !(field in SymbolLimits.shape))
      throw new RangeError(
        `unknown key ${key}: use perSymbol.SYMBOL.${Object.keys(SymbolLimits.shape).join("|")}`,
      );
    const per = next.perSymbol as Record<string, Record<string, unknown>>;
    per[sym] = { ...(per[sym] ?? {}), [field]: num() };
  } else if (SETTABLE_KEYS.includes(key)) next[key] = num();
  else
    throw new RangeError(`unknown key ${key}: use one of ${SETTABLE_KEYS.join(", ")}, perSymbol.SYMBOL.KEY`);
  next.revision = limits.revision + 1;
  next.updatedAt = at;
  next.updatedBy = by;
  return RiskLimits.parse(next);
}
