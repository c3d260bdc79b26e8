/**
 * A live session's venue: the broker and market data rebuilt from a session's stored configuration
 * (keys checked again), and a new live session created on an account (rules, balances and clock
 * read from the exchange). The loop that trades it is trade-live-run.ts
 */
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import type { Broker } from "../ports/broker.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import { checkKeyPermissions, loadLiveKeys } from "./trade-live.ts";
import type { SessionConfig, TradingDeps } from "./trade-runtime.ts";

/**
 * The broker and market data of a live session rebuilt from its stored configuration: the same
 * exchange and API origin, keys from the same key file (or the environment), checked again
 * (a key that can withdraw is refused). The caller closes both
 */
export async function openLiveVenue(
  deps: TradingDeps,
  cfg: SessionConfig,
): Promise<{ broker: Broker; market: MarketDataSource }> {
  if (deps.live === undefined || deps.live.market === undefined)
    throw new AppError("INTERNAL", "live trading is not wired in this container");
  const keys = loadLiveKeys(deps.live.keys, cfg.exchange, cfg.keyFile);
  const broker = await deps.live.broker(cfg.exchange, keys, cfg.apiBase);
  try {
    await checkKeyPermissions(broker);
    const market = await deps.live.market(cfg.exchange, cfg.apiBase);
    return { broker, market };
  } catch (err) {
    await broker.close();
    throw err;
  }
}

/** Runs `fn` with the live session's broker and market data, closing them afterwards */
export async function withLiveVenue<T>(
  deps: TradingDeps,
  cfg: SessionConfig,
  fn: (v: { broker: Broker; market: MarketDataSource }) => Promise<T>,
): Promise<T> {
  const v = await openLiveVenue(deps, cfg);
  try {
    return await fn(v);
  } finally {
    await v.broker.close();
    await v.market.close();
  }
}

/** Creates a live session on `broker`'s account: rules, balances and clock read from the venue */
export async function createLiveSession(
  deps: TradingDeps,
  id: string,
  base: Omit<SessionConfig, "rules" | "baseline" | "sinceMs" | "startTs" | "exchange">,
  // (base may carry apiBase and keyFile: a resume rebuilds the broker from them)
  exchange: string,
  broker: Broker,
): Promise<void> {
  const now = await broker.serverTime();
  const tf = timeframeMs(base.timeframe);
  const rules = await Promise.all(base.symbols.map((s) => broker.marketRules(s)));
  const baseline: Record<string, string> = {};
  for (const b of await broker.balances()) baseline[b.asset] = addStrings(b.free, b.locked);
  const cfg: SessionConfig = {
    ...base,
    exchange,
    // the first bar acted on is the one in progress now: only candles closing after the start act
    startTs: Math.floor(now / tf) * tf,
    rules,
    baseline,
    // a venue may stamp a fill with its candle's time rather than the moment it matched: fills are
    // the session's from the open of the bar in progress (an earlier fill of another order there is
    // flagged as foreign, a halt, never silently counted)
    sinceMs: Math.floor(now / tf) * tf,
  };
  const wall = deps.clock.now();
  deps.orders.createSession({
    id,
    mode: "live",
    venue: broker.venue,
    state: "starting",
    config: cfg as unknown as Record<string, unknown>,
    createdAt: wall,
    updatedAt: wall,
  });
}

// balances arrive as decimal strings; summing them through the venue's own precision keeps them exact
function addStrings(a: string, b: string): string {
  const scale = Math.max(a.split(".")[1]?.length ?? 0, b.split(".")[1]?.length ?? 0);
  const big = (x: string): bigint => {
    const [i, f = ""] = x.split(".");
    return BigInt((i ?? "0") + f.padEnd(scale, "0"));
  };
  const s = (big(a) + big(b)).toString().padStart(scale + 1, "0");
  return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, "");
}
