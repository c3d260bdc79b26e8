import { donchianBreakout } from "./donchian-breakout/strategy.ts";
import { emaCross } from "./ema-cross/strategy.ts";
import type { StrategyFamily } from "./family.ts";
import { rsiReversion } from "./rsi-reversion/strategy.ts";
import { smaCross } from "./sma-cross/strategy.ts";

// biome-ignore lint/suspicious/noExplicitAny: families differ in their params type; each validates its own
type AnyFamily = StrategyFamily<any>;

/** The built-in strategy families by name */
export const FAMILIES: Readonly<Record<string, AnyFamily>> = {
  "sma-cross": smaCross,
  "ema-cross": emaCross,
  "rsi-reversion": rsiReversion,
  "donchian-breakout": donchianBreakout,
};

export const getFamily = (name: string): AnyFamily | undefined => FAMILIES[name];
