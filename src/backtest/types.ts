/**
 * Shapes of the backtest: execution configuration, results and metrics (the trading nouns are in
 * src/domain; the venue that applies these rules is src/execution/venue).
 *
 * THE EXECUTION MODEL (the event engine, the vectorised sweep engine and its C reference all
 * implement exactly these rules; src/backtest/README.md says the same at more length):
 *
 * 1. Timing. A strategy decides at bar t's close, seeing bars [0, t] only. Whatever it decides
 *    (target exposure or order) is acted on at bar t+1 at the earliest: market orders and target
 *    changes fill at bar t+1's open (the next bar present in the data; gaps are listed).
 * 2. Targets. A target exposure e is a fraction of equity (1 = all-in long, -1 = all-in short,
 *    |e| > 1 only with leverage). It is sized on equity marked at bar t's close:
 *    target qty = e * equity_t / close_t, then the order is delta = target qty - current qty.
 *    A position changes only when its target changes (no drift rebalancing); a target equal to
 *    the previous one does nothing, even after a stop closed the position.
 * 3. Prices. Taker fill price = open * (1 + slippage) for buys, open * (1 - slippage) for sells,
 *    then clamped into the fill bar's [low, high] (a fill never lies outside its bar), then
 *    rounded to the price tick when one is set (buys up, sells down, still inside the bar).
 * 4. Fees. fee = rate * |qty| * fillPrice, paid in quote; taker rate for market, stop and
 *    marketable orders, maker rate for resting limit fills. Fees are never negative.
 * 5. Spot cash cap. On spot (leverage 1) a buy is capped so cash never goes negative:
 *    qty <= cash / (fillPrice * (1 + fee)); shorts are not possible on spot (targets < 0 clip to 0).
 *    With several orders at the same open, sells fill before buys so freed cash can be used.
 * 6. Marking. equity_t = cash + sum(qty * close_t) for every bar; per-bar simple returns of that
 *    curve; Sharpe = mean / sd (ddof 1) * sqrt(barsPerYear(tf)); drawdowns on this curve.
 * 7. End of data. A position open at the last bar stays open, marked at the last close; its trade
 *    is listed with exitReason "end-of-data", exit price = last close and no exit fee.
 * 8. Inside a bar (stops, take-profit, trailing, limit/stop orders, liquidation). The path is
 *    unknown, so it is resolved pessimistically: a gap through a level fills at the open; when an
 *    adverse level (stop-loss, trailing stop, liquidation) and a favourable one (take-profit) both
 *    lie inside the bar's range, the adverse one is taken; among adverse levels the one nearer the
 *    open is hit first. Stop fills are taker fills at the level (with slippage, clamped to the bar);
 *    take-profit and resting limits fill at their price as maker. A trailing stop trails the
 *    highest high (long) / lowest low (short) of bars BEFORE the current one and since entry.
 *    With finer-timeframe detail bars, the same rules run on each detail bar in time order.
 * 9. Perpetuals (market "perp"): same cash accounting (cash may go negative: borrowed notional),
 *    isolated margin per position = |qty| * entryPrice / leverage. Liquidation price:
 *    long entry*(1-1/L)/(1-mm), short entry*(1+1/L)/(1+mm), checked against the bar's low (long)
 *    or high (short); the position closes there, a liquidation fee (fraction of notional) is
 *    charged and the loss is capped at the position's margin. Funding: every funding instant in
 *    [ts_t, ts_t + timeframe) charges qty * open_t * rate on the position held after bar t's open
 *    fills (longs pay a positive rate); rates from stored history when given, else the configured rate.
 * 10. Orders. Limit buy: fills at the open if open <= limit (taker), else at the limit if
 *    low <= limit (maker). Stop buy: at the open if open >= stop, else at the stop if high >= stop
 *    (taker, slippage). Stop-limit buy: triggers like a stop; fills in the trigger bar only if the
 *    trigger price <= limit (at the trigger price), else rests as a limit from the next bar.
 *    Sells mirror. Time in force: gtc rests until filled or expired (expireAfterBars), ioc fills
 *    what it can in its first active bar, fok fills fully in its first active bar or not at all.
 *    reduce-only orders are cut to the open position and cancelled when they would open or add.
 *    Participation cap: at most cap * bar volume fills per bar; the rest waits for the next bar.
 *    Orders below minNotional are rejected; quantities are floored to the lot size.
 * 11. Protections. cooldownBars: after a stop-loss, trailing-stop or liquidation exit on a symbol,
 *    no entry fills there for that many bars. maxDrawdownStop: when close-marked equity falls that
 *    fraction below its peak, everything is closed at the next open ("drawdown-stop") and later
 *    decisions are ignored.
 * Refinements: Sharpe and Sortino are 0 when their deviation is 0; on spot, sells are capped at the
 * position; position exits are resolved before resting orders in a bar, and a position opened
 * inside a bar is checked against its stop in that bar; exits ignore the participation cap.
 */
import type { Fill } from "../domain/fill.ts";
import type { MarketType } from "../domain/instrument.ts";
import type { Timeframe } from "../domain/timeframe.ts";
import type { Trade } from "../domain/trade.ts";
import type { VenueConfig } from "../execution/venue/types.ts";

/** The trading nouns (OrderRequest, Decision, Fill, Trade, ExitRules, ...) live in src/domain, the venue's config in src/execution/venue */
export type MarketKind = MarketType;

/** How a target exposure is turned into a quantity */
export type SizingSpec =
  | { kind: "fixed-fraction"; fraction: number }
  | { kind: "fixed-notional"; notional: number }
  | { kind: "vol-target"; annualVol: number; lookback: number; maxExposure: number };

/** Everything that decides how orders become fills (the venue's part) and how decisions are sized. Defaults in `defaultExecution()` */
export interface ExecutionConfig extends VenueConfig {
  sizing: SizingSpec;
  /** close everything and stop trading when equity falls this fraction below its peak */
  maxDrawdownStop?: number;
}

/** Summary figures of one run, all computed from the close-marked equity curve (see metrics.ts) */
export interface Metrics {
  bars: number;
  startTs: number;
  endTs: number;
  initialEquity: number;
  finalEquity: number;
  totalReturn: number;
  annualReturn: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  /** positive fraction, 0.25 = 25% below the running peak */
  maxDrawdown: number;
  maxDrawdownBars: number;
  maxDrawdownMs: number;
  trades: number;
  winRate: number;
  profitFactor: number;
  /** mean pnl per trade in quote */
  expectancy: number;
  avgTradeReturn: number;
  /** fraction of bars with an open position at the close */
  exposure: number;
  /** traded notional / mean equity */
  turnover: number;
  fees: number;
  funding: number;
  /** vs the benchmark's per-bar close returns; NaN without a benchmark */
  alpha: number;
  beta: number;
  informationRatio: number;
  buyAndHold: BuyAndHold;
}

/** The same figures for holding the traded symbol(s), equal-weighted, close to close, no fees */
export interface BuyAndHold {
  totalReturn: number;
  annualReturn: number;
  volatility: number;
  sharpe: number;
  maxDrawdown: number;
}

export interface GapCrossed {
  symbol: string;
  fromTs: number;
  toTs: number;
  missingBars: number;
}

export interface BacktestResult {
  strategy: string;
  params: Record<string, unknown>;
  timeframe: Timeframe;
  symbols: string[];
  config: ExecutionConfig;
  /** open times of the bars in the equity curve (from `from`, after warm-up) */
  ts: Float64Array;
  equity: Float64Array;
  /** close-marked equity of buy-and-hold, same start value */
  buyAndHoldEquity: Float64Array;
  cash: Float64Array;
  /** per symbol, quantity held at each bar's close */
  positions: Record<string, Float64Array>;
  fills: Fill[];
  trades: Trade[];
  metrics: Metrics;
  gaps: GapCrossed[];
  warmupBars: number;
  /** set when the drawdown stop fired */
  haltedAt?: number;
}

/** The defaults: spot, 10,000 quote, 0.1% taker fee, no slippage, all-in sizing */
export function defaultExecution(overrides: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return {
    initialCash: 10_000,
    market: "spot",
    fee: 0.001,
    slippage: { kind: "fixed", rate: 0 },
    leverage: 1,
    maintenanceMargin: 0.005,
    liquidationFee: 0.005,
    fundingRate: 0.0001,
    fundingIntervalMs: 8 * 3_600_000,
    sizing: { kind: "fixed-fraction", fraction: 1 },
    exits: {},
    cooldownBars: 0,
    ...overrides,
  };
}
