/**
 * Approvals against a trading session. Paper: the current price is the close of the last bar the
 * session acted on (the bar its proposals were made at). Live: the exchange's latest price (the
 * close of its current candle, observed at the exchange's time). The dry-run checks are the pure
 * pre-trade gate on the session's account; an approved order is placed as a new decision of the
 * session: screened by the session's risk gate (SessionRiskGate, recorded in risk-decisions.jsonl,
 * counted by the throttle), its intent committed, then sent by the order lifecycle to the session's
 * venue (the paper venue, or the exchange with the keys the session was started with).
 */
import type { CandleSeries } from "../domain/candle-series.ts";
import { defineInstrument } from "../domain/instrument.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError, isAppError } from "../errors.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { toNumber, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import type { ExactOrder, ProposalCheck, ProposalRecord } from "../ports/approval-store.ts";
import type { Broker } from "../ports/broker.ts";
import type { Clock } from "../ports/clock.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import type { OrderRecord, SessionRecord } from "../ports/order-store.ts";
import { PreTradeGate } from "../risk/pre-trade-gate.ts";
import type { ApprovalDeps, ApprovalMarket } from "./approval-service.ts";
import { SessionRiskGate } from "./risk-gate.ts";
import { loadRiskLimits } from "./risk-limits.ts";
import { readTradingState } from "./risk-trading-state.ts";
import { withLiveVenue } from "./trade-live-venue.ts";
import {
  configOf,
  getSession,
  quoteOf,
  type SessionConfig,
  storedGateClock,
  type TradingDeps,
} from "./trade-runtime.ts";

function paperSession(deps: TradingDeps, id: string): { s: SessionRecord; cfg: SessionConfig } {
  const s = getSession(deps.orders, id);
  if (s.mode === "live" && deps.live === undefined)
    throw new AppError("INTERNAL", `session ${id} is live and this build cannot reach live exchanges`);
  return { s, cfg: configOf(s) };
}

/** The bar a session stands at: the last it acted on (or its last stored bar), and every symbol's close then */
function marketAt(deps: TradingDeps, s: SessionRecord, cfg: SessionConfig) {
  const tf = timeframeMs(cfg.timeframe);
  const at = s.lastBarTs ?? cfg.endTs ?? Number.MAX_SAFE_INTEGER;
  const closes: Record<string, number> = {};
  let barTs = -1;
  for (const symbol of cfg.symbols) {
    let series: CandleSeries;
    try {
      series = deps.store.read(
        { exchange: cfg.exchange, symbol, timeframe: cfg.timeframe },
        s.lastBarTs === undefined ? {} : { from: s.lastBarTs - 8 * tf, to: s.lastBarTs + 1 },
      );
    } catch (err) {
      // a live session that has not acted yet may have stored nothing: its price comes from the exchange
      if (isAppError(err) && err.code === "NOT_FOUND") continue;
      throw err;
    }
    for (let i = series.ts.length - 1; i >= 0; i--)
      if (series.ts[i]! <= at) {
        closes[symbol] = series.close[i]!;
        barTs = Math.max(barTs, series.ts[i]!);
        break;
      }
  }
  return { barTs, closeTs: barTs + tf, closes };
}

function accountOf(deps: TradingDeps, s: SessionRecord, cfg: SessionConfig, closes: Record<string, number>) {
  const acc = applyFills(emptyAccount(cfg.baseline), deps.orders.fillsOf(s.id));
  const positions: Record<string, number> = {};
  for (const sym of cfg.symbols) positions[sym] = toNumber(acc.positions.get(sym)?.qty ?? ZERO);
  const cash = toNumber(acc.balances.get(quoteOf(cfg)) ?? ZERO);
  const equity = cash + cfg.symbols.reduce((e, sym) => e + (positions[sym] ?? 0) * (closes[sym] ?? 0), 0);
  return { positions, equity };
}

/**
 * The exchange's latest price of a symbol (its current candle's close) at the exchange's time, and
 * the clock the gate judges by: the machine's, or the exchange's own against a time-scaled
 * simulated exchange (`live.clock: "venue"`, as the live loop does)
 */
async function liveQuote(
  deps: TradingDeps,
  v: { broker: Broker; market: MarketDataSource },
  cfg: SessionConfig,
  symbol: string,
): Promise<{ price: number; ts: number; clock: Clock } | undefined> {
  const tf = timeframeMs(cfg.timeframe);
  const server = await v.broker.serverTime();
  const wall = Date.now();
  const page = await v.market.fetchCandles(symbol, cfg.timeframe, server - 3 * tf, 5);
  let i = page.ts.length - 1;
  while (i >= 0 && page.ts[i]! > server) i--;
  if (i < 0) return undefined;
  const clock: Clock =
    storedGateClock(deps, cfg) === "venue" ? { now: () => server + (Date.now() - wall) } : deps.clock;
  return { price: page.close[i]!, ts: clock.now(), clock };
}

export function paperApprovalMarket(deps: TradingDeps): ApprovalMarket {
  return {
    sessionOf(id) {
      const { s, cfg } = paperSession(deps, id);
      return { venue: s.venue, quote: quoteOf(cfg) };
    },
    async price(order: ExactOrder) {
      const { s, cfg } = paperSession(deps, order.sessionId);
      if (s.mode === "live")
        return (await withLiveVenue(deps, cfg, (v) => liveQuote(deps, v, cfg, order.symbol)))?.price;
      return marketAt(deps, s, cfg).closes[order.symbol];
    },
    async check(order: ExactOrder, price: number) {
      const { s, cfg } = paperSession(deps, order.sessionId);
      const m = marketAt(deps, s, cfg);
      const rules = cfg.rules.find((r) => r.symbol === order.symbol);
      const limits = loadRiskLimits(deps.home);
      // a fresh gate: a dry run reserves nothing and counts no message toward the session's budget
      const gate = new PreTradeGate(
        limits.ok ? limits.limits : undefined,
        limits.ok ? limits.hash : undefined,
      );
      gate.setMode(readTradingState(deps.home).state);
      const { positions, equity } = accountOf(deps, s, cfg, { ...m.closes, [order.symbol]: price });
      const at = s.mode === "live" ? deps.clock.now() : m.closeTs;
      const d = gate.check(
        {
          id: `dry-run-${order.sessionId}`,
          venue: order.venue,
          strategyId: order.sessionId,
          symbol: order.symbol,
          side: order.side,
          type: order.type,
          qty: Number(order.quantity),
          ...(order.price === undefined ? {} : { limitPrice: Number(order.price) }),
        },
        {
          instrument:
            rules === undefined
              ? undefined
              : defineInstrument({
                  symbol: rules.symbol,
                  market: rules.marketType,
                  tickSize: Number(rules.tickSize),
                  lotSize: Number(rules.stepSize),
                  minQty: Number(rules.minQuantity),
                  minNotional: Number(rules.minNotional),
                }),
          // live: the price was just read from the exchange; paper: it is the session's last close
          reference: { price, ts: at },
          venueTime: { server: at, local: at },
        },
        {
          positions: new Map(Object.entries(positions)),
          equity,
          peakEquity: equity,
          dayStartEquity: equity,
        },
        at,
      );
      return { accepted: d.accepted, checks: d.checks.map((c): ProposalCheck => ({ ...c })) };
    },
    async place(p: ProposalRecord, price: number) {
      const { s, cfg } = paperSession(deps, p.order.sessionId);
      if (s.mode === "live")
        return withLiveVenue(deps, cfg, async (v) => {
          // the price the gate judges is the exchange's latest, observed now
          const q = await liveQuote(deps, v, cfg, p.order.symbol);
          if (q === undefined) return { placed: false as const, reason: "no fresh price from the exchange" };
          return placeOn(deps, s, cfg, p, v.broker, "live", q.clock, { price: q.price, ts: q.ts });
        });
      const venue = deps.paperVenue({
        account: s.id,
        takerFee: String(cfg.fee),
        slippage: cfg.slippage,
        rules: cfg.rules,
      });
      return placeOn(deps, s, cfg, p, venue, "replay", deps.clock, {
        price,
        ts: marketAt(deps, s, cfg).closeTs,
      });
    },
  };
}

/** An approved order as a new decision of its session: the session's risk gate, the intent, the lifecycle */
async function placeOn(
  deps: TradingDeps,
  s: SessionRecord,
  cfg: SessionConfig,
  p: ProposalRecord,
  venue: Broker,
  timing: "live" | "replay",
  clock: Clock,
  ref: { price: number; ts: number },
): Promise<{ placed: true; clientOrderId: string; orderState: string } | { placed: false; reason: string }> {
  const m = marketAt(deps, s, cfg);
  const gate = new SessionRiskGate({
    home: deps.home,
    orders: deps.orders,
    broker: venue,
    clock,
    rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
    timing,
    ...(deps.audit === undefined ? {} : { audit: deps.audit }),
  });
  const seq = (deps.orders.lastDecision(s.id)?.seq ?? 0) + 1;
  const now = deps.clock.now();
  const intent: OrderRecord = {
    clientOrderId: clientOrderId(s.id, seq, 0),
    sessionId: s.id,
    decisionSeq: seq,
    leg: 0,
    venue: venue.venue,
    symbol: p.order.symbol,
    side: p.order.side,
    type: p.order.type,
    qty: p.order.quantity,
    ...(p.order.price === undefined ? {} : { limitPrice: p.order.price }),
    state: "intent",
    filledQty: "0",
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
  const closes = { ...m.closes, [p.order.symbol]: ref.price };
  const { positions, equity } = accountOf(deps, s, cfg, closes);
  // the same gate every session order passes: an approval never goes around it
  const screened = await gate.screen([intent], {
    sessionId: s.id,
    barTs: m.barTs,
    closeTs: ref.ts,
    prices: closes,
    positions,
    equity,
  });
  const refused = screened.refused[0];
  if (refused !== undefined) return { placed: false, reason: `refused by the risk gate (${refused.reason})` };
  deps.orders.recordDecision(
    {
      sessionId: s.id,
      seq,
      barTs: m.barTs,
      targets: {},
      explanation: `approved proposal ${p.id} (order hash ${p.orderHash.slice(0, 16)})`,
      createdAt: now,
    },
    [intent],
  );
  const lifecycle = new OrderLifecycle({
    store: deps.orders,
    broker: venue,
    clock: deps.clock,
    sleep: deps.sleep,
  });
  const [after] = await lifecycle.sendMany([intent.clientOrderId]);
  return { placed: true, clientOrderId: intent.clientOrderId, orderState: after?.state ?? "unknown" };
}

/** The approval use cases' dependencies over a container's trading dependencies (paper and live sessions) */
export function paperApprovalDeps(deps: TradingDeps): ApprovalDeps {
  if (deps.approvals === undefined)
    throw new AppError("INTERNAL", "approvals are not wired in this container");
  return {
    home: deps.home,
    store: deps.approvals.store,
    market: paperApprovalMarket(deps),
    clock: deps.clock,
    ...(deps.approvals.audit === undefined ? {} : { audit: deps.approvals.audit }),
    ...(deps.approvals.alerts === undefined ? {} : { alerts: deps.approvals.alerts }),
  };
}
