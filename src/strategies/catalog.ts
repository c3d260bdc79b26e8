import type { BasketFamily } from "./_kit/basket.ts";
import { adxTrendFamily } from "./adx-trend/strategy.ts";
import { bollingerReversionFamily } from "./bollinger-reversion/strategy.ts";
import { buyAndHoldFamily } from "./buy-and-hold/strategy.ts";
import { dcaFamily } from "./dca/strategy.ts";
import type { StrategyFamily } from "./family.ts";
import { gridFamily } from "./grid/strategy.ts";
import { macdFamily } from "./macd/strategy.ts";
import { modelSign } from "./model-sign/strategy.ts";
import { regimeFilter } from "./regime-filter/strategy.ts";
import { rsRotationFamily } from "./rs-rotation/strategy.ts";
import { supertrendFamily } from "./supertrend/strategy.ts";
import { volTarget } from "./vol-target/strategy.ts";
import { xsMomentumFamily } from "./xs-momentum/strategy.ts";
import { zscoreReversionFamily } from "./zscore-reversion/strategy.ts";

// biome-ignore lint/suspicious/noExplicitAny: families differ in their params; callers parse with each family's schema
export type AnySingleFamily = StrategyFamily<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type AnyBasketFamily = BasketFamily<any>;
export type AnyFamily = AnySingleFamily | AnyBasketFamily;

export const isBasket = (f: AnyFamily): f is AnyBasketFamily => "kind" in f && f.kind === "basket";

/** The families issue 6 adds (the backtest engineer's sma-cross, ema-cross, rsi-reversion, donchian join in the screen's registry) */
export const SCREEN_FAMILIES: readonly AnyFamily[] = [
  macdFamily,
  supertrendFamily,
  adxTrendFamily,
  bollingerReversionFamily,
  zscoreReversionFamily,
  gridFamily,
  dcaFamily,
  volTarget(macdFamily),
  volTarget(supertrendFamily),
  regimeFilter(bollingerReversionFamily),
  regimeFilter(zscoreReversionFamily),
  xsMomentumFamily,
  rsRotationFamily,
];

/** Families the screen runs only when named with --families (a model refit costs about a second per variant) */
export const OPT_IN_FAMILIES: readonly AnySingleFamily[] = [modelSign];

export { buyAndHoldFamily };
