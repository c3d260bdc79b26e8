import { isBasket, OPT_IN_FAMILIES, SCREEN_FAMILIES } from "./catalog.ts";
import { donchianBreakout } from "./donchian-breakout/strategy.ts";
import { emaCross } from "./ema-cross/strategy.ts";
import type { StrategyFamily } from "./family.ts";
import { rsiReversion } from "./rsi-reversion/strategy.ts";
import { smaCross } from "./sma-cross/strategy.ts";

// biome-ignore lint/suspicious/noExplicitAny: families differ in their params type; each validates its own
type AnyFamily = StrategyFamily<any>;

/**
 * Every built-in single-symbol strategy family by name, so backtest, sweep, screen and ensemble
 * all see the same set (basket families such as xs-momentum run only in the screen)
 */
export const FAMILIES: Readonly<Record<string, AnyFamily>> = {
  "sma-cross": smaCross,
  "ema-cross": emaCross,
  "rsi-reversion": rsiReversion,
  "donchian-breakout": donchianBreakout,
  ...Object.fromEntries(
    SCREEN_FAMILIES.filter((f) => !isBasket(f)).map((f): [string, AnyFamily] => [f.name, f as AnyFamily]),
  ),
};

/** Opt-in families (model-sign): replayable by name, but left out of FAMILIES so sweeps and listings stay fast */
const OPT_IN: Readonly<Record<string, AnyFamily>> = Object.fromEntries(
  OPT_IN_FAMILIES.map((f) => [f.name, f]),
);

export const getFamily = (name: string): AnyFamily | undefined => FAMILIES[name] ?? OPT_IN[name];
