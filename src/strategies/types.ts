/**
 * What a strategy is, for every engine. An event-driven strategy is an object whose `onBar(ctx)`
 * returns target exposures and/or orders; it sees only closed bars through `ctx`. A family adds a
 * vectorised form, `exposures(series, params, out)`, that the sweep engine runs over whole arrays.
 */

import type { CandleSeries } from "../domain/candle-series.ts";
import type { Decision } from "../domain/decision.ts";
import type { Timeframe } from "../domain/timeframe.ts";

/** What a strategy sees at bar t's close: bars [0, t] of each symbol and its own book */
export interface StrategyContext {
  /** index of the current (just closed) bar in the loaded data, warm-up included */
  readonly bar: number;
  /** open time of the current bar */
  readonly ts: number;
  readonly timeframe: Timeframe;
  readonly symbols: readonly string[];
  /** true while the bar lies in the warm-up before `from`: decisions are ignored */
  readonly warmingUp: boolean;
  /** bars [0, t] of the symbol (the first symbol when omitted); a view, no copy */
  series(symbol?: string): CandleSeries;
  /** closed bars of a higher timeframe (built from the base bars), never the one still forming */
  higher(timeframe: Timeframe, symbol?: string): CandleSeries;
  /** quantity held (negative when short) */
  position(symbol?: string): number;
  /** last target exposure the engine acted on for the symbol */
  target(symbol?: string): number;
  readonly equity: number;
  readonly cash: number;
  /**
   * The strategy's orders still working on the venue for the symbol (quantity not yet filled);
   * execution algorithms (src/bots: iceberg clips, TWAP slices in flight) read it. Hosts that place
   * no explicit orders may leave it out
   */
  openOrders?(symbol?: string): readonly WorkingOrderView[];
}

/** An order of the strategy's still working on the venue, as `ctx.openOrders` reports it */
export interface WorkingOrderView {
  readonly side: "buy" | "sell";
  readonly type: string;
  /** base quantity not yet filled */
  readonly remaining: number;
  readonly limitPrice?: number;
}

/** The full data handed to `prepare` for batch indicators; the look-ahead check guards its use */
export interface PreparedData {
  readonly timeframe: Timeframe;
  readonly series: Readonly<Record<string, CandleSeries>>;
}

export interface Strategy {
  readonly id: string;
  /** bars needed before the first meaningful decision; the engine loads that many before `from` */
  readonly warmup: number;
  /** higher timeframes `ctx.higher` will be asked for */
  readonly higherTimeframes?: readonly Timeframe[];
  /** optional batch precomputation over the loaded arrays (must stay causal: checked by --check-lookahead) */
  prepare?(data: PreparedData): void;
  onBar(ctx: StrategyContext): Decision | undefined;
}
