/**
 * `kairos bot backtest KIND`: the bot's strategy through the backtest engine on stored candles,
 * with the parameters and market rules a paper bot started on the same range would get, so the
 * orders it lists are the ones the bot would place there (test/bots checks this order by order).
 */
import { z } from "zod";
import { runEngine } from "../backtest/engine.ts";
import type { BacktestResult } from "../backtest/types.ts";
import { BOT_KINDS } from "../bots/registry.ts";
import { AppError } from "../errors.ts";
import { defaultRules } from "../execution/market-rules.ts";
import type { MarketRules } from "../ports/broker.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import { botParams, type RawBotParams } from "./bot-params.ts";
import {
  exchangeField,
  isoTimeField,
  numberFieldOf,
  parseInput,
  rateField,
  symbolField,
  timeframeField,
  timeOf,
} from "./contract.ts";
import { resolveSeries } from "./resolve-series.ts";
import { executionFromRequest, RunBacktestInput } from "./run-backtest.ts";
import { loadSeries, type SessionConfig, strategyOf } from "./trade-runtime.ts";

export const BotBacktestInput = z
  .object({
    kind: z.enum(BOT_KINDS),
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
    symbol: symbolField(),
    timeframe: timeframeField(),
    exchange: exchangeField().optional(),
    from: isoTimeField().optional(),
    to: isoTimeField().optional(),
    capital: numberFieldOf({ min: 0, minExclusive: true }).default(10_000),
    fee: rateField(0.1).default(0.001),
    slippage: rateField(0.1).default(0),
    size: numberFieldOf({ min: 0, max: 1, minExclusive: true }).default(1),
    /** the venue's rules when known (`kairos sim`, an exchange); default: the paper venue's for the price */
    lotSize: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    priceTick: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    minNotional: numberFieldOf({ min: 0 }).optional(),
  })
  .strict();
export type BotBacktestInput = z.input<typeof BotBacktestInput>;

export interface BotOrderLine {
  /** open time of the bar the fill happened in, ISO (a market order decided at a bar's close fills at the next open) */
  bar: string;
  type: string;
  side: "buy" | "sell";
  qty: number;
  price: number;
  fee: number;
}

export interface BotBacktestResult {
  kind: string;
  params: Record<string, unknown>;
  /** every fill: one per order the bot would place (market and limit orders fill whole here) */
  fills: BotOrderLine[];
  metrics: BacktestResult["metrics"];
  result: BacktestResult;
}

/**
 * Backtests a bot exactly as `kairos bot start` would run it on the same stored bars: the same
 * strategy object (strategyOf), the same loaded window (loadSeries: a strategy that counts bars
 * counts them from the same first bar), the same first bar acted on and the same market rules
 */
export function backtestBot(deps: { store: CandleStore }, raw: BotBacktestInput): BotBacktestResult {
  const input = parseInput(BotBacktestInput, raw);
  const key = resolveSeries(deps.store, {
    symbol: input.symbol,
    timeframe: input.timeframe,
    ...(input.exchange === undefined ? {} : { exchange: input.exchange }),
  });
  const from = timeOf(input.from, "from");
  const to = timeOf(input.to, "to");
  const s = deps.store.read(key, to === undefined ? {} : { to });
  const first = from ?? s.ts[0];
  const last = s.close[s.close.length - 1];
  if (first === undefined || last === undefined)
    throw new AppError("NOT_FOUND", `no stored ${input.symbol} ${input.timeframe} candles in the range`);
  const paper = defaultRules(input.symbol, last);
  const rules: MarketRules = {
    ...paper,
    ...(input.lotSize === undefined
      ? {}
      : { stepSize: String(input.lotSize), minQuantity: String(input.lotSize) }),
    ...(input.priceTick === undefined ? {} : { tickSize: String(input.priceTick) }),
    ...(input.minNotional === undefined ? {} : { minNotional: String(input.minNotional) }),
  };
  const params = botParams(input.kind, input.params as RawBotParams, {
    timeframe: input.timeframe,
    start: first,
    rules,
  });
  const { strategy, params: parsed } = strategyOf(input.kind, params);
  const windowFrom = (startTs: number): SessionConfig =>
    ({
      exchange: key.exchange,
      symbols: [input.symbol],
      timeframe: input.timeframe,
      startTs,
      ...(to === undefined ? {} : { endTs: to }),
    }) as SessionConfig;
  // without --from a paper bot starts after the warm-up of the stored bars (startTrading's rule)
  const probe = loadSeries(deps.store, windowFrom(from ?? 0), strategy.warmup)[0]!.ts;
  if (probe.length < 2)
    throw new AppError(
      "NOT_FOUND",
      `fewer than 2 stored ${input.symbol} ${input.timeframe} bars in the range`,
    );
  const startTs = from ?? probe[Math.min(strategy.warmup, probe.length - 1)]!;
  const series = loadSeries(deps.store, windowFrom(startTs), strategy.warmup);
  const ts = series[0]!.ts;
  let start = 0;
  while (start < ts.length && ts[start]! < startTs) start++;
  if (start >= ts.length - 1)
    throw new AppError(
      "NOT_FOUND",
      `fewer than 2 stored ${input.symbol} ${input.timeframe} bars in the range`,
    );
  const config = executionFromRequest(
    parseInput(RunBacktestInput, {
      strategy: input.kind,
      symbols: [input.symbol],
      timeframe: input.timeframe,
      fee: input.fee,
      slippage: input.slippage,
      initialCash: input.capital,
      lotSize: Number(rules.stepSize),
      priceTick: Number(rules.tickSize),
      ...(Number(rules.minNotional) > 0 ? { minNotional: Number(rules.minNotional) } : {}),
      ...(input.size === 1 ? {} : { sizeFraction: input.size }),
    }),
  );
  const result = runEngine({ series, strategy, config, start, params: parsed });
  return {
    kind: input.kind,
    params: parsed,
    fills: result.fills.map((f) => ({
      bar: new Date(f.ts).toISOString(),
      type: f.orderType,
      side: f.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
    })),
    metrics: result.metrics,
    result,
  };
}
