import type { z } from "zod";
import { invalidInput } from "../errors.ts";
import type { Strategy } from "../strategies/types.ts";
import { icebergParams, icebergStrategy } from "./iceberg.ts";
import { twapParams, twapStrategy } from "./twap.ts";

/**
 * The bots kairos runs. grid and dca are the strategy families of the backtest (src/strategies/grid,
 * src/strategies/dca) run as they are; twap and iceberg are execution algorithms defined here.
 * Every one is a `Strategy`, so the backtest engine and a trading session run the same object.
 */
export const BOT_KINDS = ["grid", "dca", "twap", "iceberg"] as const;
export type BotKind = (typeof BOT_KINDS)[number];
export const isBotKind = (s: string): s is BotKind => (BOT_KINDS as readonly string[]).includes(s);

interface Algorithm {
  readonly params: z.ZodObject<z.ZodRawShape>;
  /** what a person gives (kairos fills in the rest from the market: the schedule's start, the step) */
  readonly flags: string;
  create(p: Record<string, number | boolean>): Strategy;
}

/** The execution algorithms by name (the families come from the strategy registry) */
export const ALGORITHMS: Readonly<Record<"twap" | "iceberg", Algorithm>> = {
  twap: {
    params: twapParams,
    flags: "--qty, --side buy|sell, --bars N or --duration 1d, --participation",
    create: (p) => twapStrategy(twapParams.parse(p)),
  },
  iceberg: {
    params: icebergParams,
    flags: "--qty, --side buy|sell, --price, --clip",
    create: (p) => icebergStrategy(icebergParams.parse(p)),
  },
};

/** The algorithm's strategy with validated parameters; undefined when `name` is not an algorithm */
export function algorithmStrategyOf(
  name: string,
  params: Record<string, unknown>,
): { strategy: Strategy; params: Record<string, number | boolean> } | undefined {
  const algo = (ALGORITHMS as Record<string, Algorithm | undefined>)[name];
  if (algo === undefined) return undefined;
  const shape = algo.params.shape;
  const flag = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const k of Object.keys(params))
    if (!(k in shape))
      throw invalidInput(`${name} has no parameter ${flag(k)}; it takes ${algo.flags}`, {
        field: `params.${k}`,
      });
  const parsed = algo.params.safeParse(params);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const key = String(i.path[0] ?? "params");
    const what =
      i.path.length > 0 && params[key] === undefined
        ? `${name} needs ${flag(key)}`
        : `${name} ${flag(key)}: ${i.message}`;
    throw invalidInput(`${what}; it takes ${algo.flags}`, { field: `params.${key}` });
  }
  const p = parsed.data as Record<string, number | boolean>;
  return { strategy: algo.create(p), params: p };
}
