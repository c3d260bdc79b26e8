/**
 * `kairos bot start KIND`: a bot is a trading session whose strategy is one of the four bots
 * (src/bots/registry.ts). It starts through `startTrading`, so every order it places passes the
 * pre-trade risk gate, is stored as an intent under a client order id before it is sent, and is
 * reconciled with the venue: paper on stored candles by default, live (or against `kairos sim`)
 * behind the same confirmation, key and permission gates as `kairos trade start --live`.
 */
import { z } from "zod";
import { BOT_KINDS } from "../bots/registry.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError, invalidInput } from "../errors.ts";
import { defaultRules } from "../execution/market-rules.ts";
import type { MarketRules } from "../ports/broker.ts";
import { botParams, type RawBotParams } from "./bot-params.ts";
import { exchangeField, parseInput, symbolField, timeframeField, timeOf } from "./contract.ts";
import { resolveSeries } from "./resolve-series.ts";
import { checkKeyPermissions, checkLiveConfirmation, liveGateClock, loadLiveKeys } from "./trade-live.ts";
import type { RunProgress, TradingDeps } from "./trade-runtime.ts";
import { SESSION_RUN_FIELDS, startTrading, type TradeStartResult } from "./trade-start.ts";

export const BotStartInput = z
  .object({
    kind: z.enum(BOT_KINDS),
    /** the bot's own flags (grid/dca: the family's; twap: qty, side, bars|duration, participation; iceberg: qty, side, price, clip) */
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
    symbol: symbolField(),
    timeframe: timeframeField(),
    exchange: exchangeField().optional(),
    ...SESSION_RUN_FIELDS,
  })
  .strict();
export type BotStartInput = z.input<typeof BotStartInput>;

export interface BotStartResult extends TradeStartResult {
  kind: string;
  params: Record<string, unknown>;
}

/** The bar the paper session will start on and the rules it will use, read as `startTrading` does */
function paperMarket(deps: TradingDeps, input: z.output<typeof BotStartInput>) {
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
  return { start: first, rules: defaultRules(input.symbol, last) };
}

/**
 * A live bot's first bar (the one in progress, as the live session takes it), the venue's rules, and
 * the pre-trade gate's clock, chosen as `trade start` chooses it (`liveGateClock`) and before any
 * request to the exchange: a time-scaled local `kairos sim` lends its clock, `--venue-clock` for a
 * host that is not this machine is refused here with nothing sent
 */
async function liveMarket(
  deps: TradingDeps,
  input: z.output<typeof BotStartInput>,
): Promise<{ market: { start: number; rules: MarketRules }; clock: "wall" | "venue" }> {
  const exchange = checkLiveConfirmation(input.exchange, input.confirmLive);
  if (deps.live === undefined) throw new AppError("INTERNAL", "live trading is not wired in this container");
  const clock = deps.live.clock ?? (await liveGateClock(deps.live.simClock, input.apiBase, input.venueClock));
  const broker = await deps.live.broker(
    exchange,
    loadLiveKeys(deps.live.keys, exchange, input.keyFile),
    input.apiBase,
  );
  try {
    await checkKeyPermissions(broker);
    const tf = timeframeMs(input.timeframe);
    const now = await broker.serverTime();
    return {
      market: { start: Math.floor(now / tf) * tf, rules: await broker.marketRules(input.symbol) },
      clock,
    };
  } finally {
    await broker.close();
  }
}

/** Starts a bot: paper by default (replaying stored candles), or live after every live gate */
export async function startBot(
  deps: TradingDeps,
  raw: BotStartInput,
  onBar?: (p: RunProgress) => void,
): Promise<BotStartResult> {
  const input = parseInput(BotStartInput, raw);
  if (input.kind === "twap" || input.kind === "iceberg") {
    const sym = input.symbol.split(":")[0]!;
    if (sym.split("/").length !== 2)
      throw invalidInput(`--symbol ${input.symbol}: BASE/QUOTE, e.g. BTC/USDT`);
  }
  if (!input.live && (input.kind === "twap" || input.kind === "iceberg") && input.params.side === "sell")
    throw invalidInput(
      `a paper bot's account holds only --capital in ${input.symbol.split("/")[1]?.split(":")[0]}: a selling ${input.kind} needs ${input.symbol.split("/")[0]} to sell; run it live or against \`kairos sim\` (its --balance)`,
      { field: "params.side" },
    );
  const live = input.live ? await liveMarket(deps, input) : undefined;
  const params = botParams(input.kind, input.params as RawBotParams, {
    timeframe: input.timeframe,
    ...(live?.market ?? paperMarket(deps, input)),
  });
  const { kind, symbol, params: _p, ...rest } = input;
  // the session keeps the clock chosen above (the exchange is not asked twice, nor may answer otherwise)
  const run =
    live === undefined || deps.live === undefined
      ? deps
      : { ...deps, live: { ...deps.live, clock: live.clock } };
  const r = await startTrading(
    run,
    { ...rest, strategy: kind, symbols: symbol, params: params as Record<string, number | boolean | string> },
    onBar,
  );
  return { ...r, kind, params };
}
