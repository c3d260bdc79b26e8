/**
 * A session's fills with their times (what the dashboard marks on its chart beside a backtest of the
 * same strategy) and its P&L today. "Today" is the UTC calendar day of the trading clock's now, the
 * day the daily-loss check counts: P&L today = the session's equity now minus its equity at 00:00 UTC,
 * each marked at the last close the session could have seen (a candle closed by that moment, never
 * past the last bar it acted on), with the fills recorded before that moment. A replay's fills carry
 * their bars' times, so they count on those bars' days, not on the day the replay ran.
 */
import { z } from "zod";
import { timeframeMs } from "../domain/timeframe.ts";
import { type Account, applyFills, assetsOf, emptyAccount } from "../execution/accounting.ts";
import { type Amount, amount, formatAmount, ZERO } from "../execution/amount.ts";
import { parseInput, wholeNumberField } from "./contract.ts";
import { configOf, getSession, type SessionConfig, type TradingDeps } from "./trade-runtime.ts";

const DAY = 86_400_000;

export const TradeFillsInput = z
  .object({
    id: z.string().regex(/^[a-z0-9]{1,12}$/, "a session id: 1-12 lower-case letters or digits"),
    /** the newest this many fills (all are counted in `total`) */
    limit: wholeNumberField({ min: 1, max: 10_000 }).default(1_000),
  })
  .strict();
export type TradeFillsInput = z.input<typeof TradeFillsInput>;

export interface TradeFill {
  /** when the venue filled it, epoch ms UTC (a paper fill: its bar's open time) */
  ts: number;
  time: string;
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  price: string;
  fee: string;
  feeAsset: string;
  clientOrderId: string;
  tradeId: string;
}

export interface TradeFills {
  id: string;
  mode: string;
  strategy: string;
  params: Record<string, number | boolean>;
  exchange: string;
  symbols: string[];
  timeframe: string;
  /** first bar the session acted on, ISO UTC (a backtest of the same period starts here) */
  from: string;
  /** the fills in time order, the newest `limit` of them */
  fills: TradeFill[];
  total: number;
  today: {
    /** the UTC day, YYYY-MM-DD */
    day: string;
    /** 00:00 UTC of that day, epoch ms */
    startTs: number;
    equityAtStart: string;
    equity: string;
    pnl: string;
    /** fills recorded since 00:00 UTC */
    fills: number;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Quote balance plus every position at the last close of a candle that ended by `at` (positions without one count 0) */
function equityAt(
  deps: TradingDeps,
  cfg: SessionConfig,
  acc: Account,
  at: number,
  lastBarTs: number | undefined,
): Amount {
  const tf = timeframeMs(cfg.timeframe);
  // a candle that opened at T is closed at T + tf; the session saw closes up to its last bar
  const to = Math.min(at - tf + 1, lastBarTs === undefined ? at : lastBarTs + 1);
  let e = acc.balances.get(assetsOf(cfg.symbols[0]!).quote) ?? ZERO;
  for (const [sym, p] of acc.positions) {
    const s = deps.store.read({ exchange: cfg.exchange, symbol: sym, timeframe: cfg.timeframe }, { to });
    const n = s.close.length;
    if (n > 0 && p.qty !== ZERO) e += (p.qty * amount(s.close[n - 1]!)) / 10n ** 18n;
  }
  return e;
}

/** The session's fills with times, and its P&L since 00:00 UTC of the clock's day */
export function tradeFills(deps: TradingDeps, raw: TradeFillsInput): TradeFills {
  const input = parseInput(TradeFillsInput, raw);
  const s = getSession(deps.orders, input.id);
  const cfg = configOf(s);
  const all = [...deps.orders.fillsOf(input.id)].sort((a, b) => a.ts - b.ts);
  const now = deps.clock.now();
  const startTs = Math.floor(now / DAY) * DAY;
  const before = all.filter((f) => f.ts < startTs);
  const atStart = equityAt(deps, cfg, applyFills(emptyAccount(cfg.baseline), before), startTs, s.lastBarTs);
  const current = equityAt(deps, cfg, applyFills(emptyAccount(cfg.baseline), all), now + 1, s.lastBarTs);
  return {
    id: s.id,
    mode: s.mode,
    strategy: cfg.strategy,
    params: cfg.params,
    exchange: cfg.exchange,
    symbols: cfg.symbols,
    timeframe: cfg.timeframe,
    from: iso(cfg.startTs),
    fills: all.slice(-input.limit).map((f) => ({
      ts: f.ts,
      time: iso(f.ts),
      symbol: f.symbol,
      side: f.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      feeAsset: f.feeAsset,
      clientOrderId: f.clientOrderId,
      tradeId: f.tradeId,
    })),
    total: all.length,
    today: {
      day: iso(startTs).slice(0, 10),
      startTs,
      equityAtStart: formatAmount(atStart),
      equity: formatAmount(current),
      pnl: formatAmount(current - atStart),
      fills: all.length - before.length,
    },
  };
}
