/**
 * A bot's parameters as its strategy takes them: the flags a person gives (`--side sell`,
 * `--duration 1d`) turned into the algorithm's own parameters, and what only the market knows
 * (the schedule's first bar, the quantity step, the minimum notional) filled in from it, the same
 * way for a paper bot, a live bot and a backtest of it.
 */
import { type BotKind, isBotKind } from "../bots/registry.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { MarketRules } from "../ports/broker.ts";

/** What the market tells a bot before it starts */
export interface BotMarket {
  timeframe: Timeframe;
  /** open time of the first bar the bot acts on */
  start: number;
  rules: MarketRules;
}

export type RawBotParams = Readonly<Record<string, number | boolean | string>>;

const DURATION = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function checkBotKind(kind: string): BotKind {
  if (!isBotKind(kind))
    throw invalidInput(`unknown bot "${kind}": use grid, dca, twap or iceberg`, { field: "kind" });
  return kind;
}

function side(raw: RawBotParams): boolean {
  const s = raw.side ?? "buy";
  if (s !== "buy" && s !== "sell")
    throw invalidInput(`--side ${String(s)}: use buy or sell`, { field: "params.side" });
  return s === "sell";
}

function barsOf(raw: RawBotParams, tf: Timeframe): number | string | boolean | undefined {
  if (raw.duration === undefined) return raw.bars;
  if (raw.bars !== undefined)
    throw invalidInput("give --bars or --duration, not both", { field: "params.bars" });
  const m = DURATION.exec(String(raw.duration));
  const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  const bars = ms / timeframeMs(tf);
  if (!Number.isInteger(bars) || bars < 1)
    throw invalidInput(
      `--duration ${String(raw.duration)}: a whole number of ${tf} bars, e.g. 12h or 1d (units m, h, d, w)`,
      { field: "params.duration" },
    );
  return bars;
}

function onTick(price: number | string | boolean | undefined, tick: string): void {
  if (typeof price !== "number") return;
  const t = Number(tick);
  const n = price / t;
  if (Math.abs(n - Math.round(n)) > 1e-6)
    throw invalidInput(
      `--price ${price} is not on the market's tick ${tick}; e.g. ${(Math.round(n) * t).toFixed(tick.split(".")[1]?.length ?? 0)}`,
      {
        field: "params.price",
      },
    );
}

/**
 * The strategy parameters of a bot. grid and dca take the family's flags unchanged; twap and
 * iceberg take --qty and --side (plus --bars or --duration and --participation, or --price and
 * --clip), and kairos adds the schedule's start and the market's step and minimum notional.
 */
export function botParams(kind: BotKind, raw: RawBotParams, market: BotMarket): Record<string, unknown> {
  if (kind === "grid" || kind === "dca") return { ...raw };
  for (const k of ["start", "step", "minNotional", "sell"])
    if (k in raw)
      throw invalidInput(`--${k} is set by kairos from the market (or --side); leave it out`, {
        field: `params.${k}`,
      });
  const { side: _s, duration: _d, ...rest } = raw;
  if (kind === "twap")
    return {
      ...rest,
      bars: barsOf(raw, market.timeframe),
      sell: side(raw),
      start: market.start,
      step: Number(market.rules.stepSize),
      minNotional: Number(market.rules.minNotional),
    };
  if (raw.duration !== undefined)
    throw invalidInput("iceberg takes no --duration", { field: "params.duration" });
  onTick(raw.price, market.rules.tickSize);
  return { ...rest, sell: side(raw), step: Number(market.rules.stepSize) };
}
