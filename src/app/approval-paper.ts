/**
 * Approvals against a paper session: its current price is the close of the last bar it acted on
 * (the bar its proposals were made at), the dry-run checks are the pure pre-trade gate on the
 * session's account, and an approved order is placed as a new decision of the session: screened by
 * the session's risk gate (SessionRiskGate, recorded in risk-decisions.jsonl, counted by the
 * throttle), its intent committed, then sent by the order lifecycle to the session's paper venue.
 * Live sessions are refused here: their venue and keys live in the trading process.
 */
import { defineInstrument } from "../domain/instrument.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { toNumber, ZERO } from "../execution/amount.ts";
import { clientOrderId } from "../execution/client-order-id.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import type { ExactOrder, ProposalCheck, ProposalRecord } from "../ports/approval-store.ts";
import type { OrderRecord, SessionRecord } from "../ports/order-store.ts";
import { PreTradeGate } from "../risk/pre-trade-gate.ts";
import type { ApprovalDeps, ApprovalMarket } from "./approval-service.ts";
import { SessionRiskGate } from "./risk-gate.ts";
import { loadRiskLimits } from "./risk-limits.ts";
import { readTradingState } from "./risk-trading-state.ts";
import { configOf, getSession, quoteOf, type SessionConfig, type TradingDeps } from "./trade-runtime.ts";

function paperSession(deps: TradingDeps, id: string): { s: SessionRecord; cfg: SessionConfig } {
  const s = getSession(deps.orders, id);
  if (s.mode !== "paper")
    throw new AppError(
      "INVALID_INPUT",
      `session ${id} is ${s.mode}: approved orders are placed here for paper sessions only in this build`,
    );
  return { s, cfg: configOf(s) };
}

/** The bar a session stands at: the last it acted on (or its last stored bar), and every symbol's close then */
function marketAt(deps: TradingDeps, s: SessionRecord, cfg: SessionConfig) {
  const tf = timeframeMs(cfg.timeframe);
  const at = s.lastBarTs ?? cfg.endTs ?? Number.MAX_SAFE_INTEGER;
  const closes: Record<string, number> = {};
  let barTs = -1;
  for (const symbol of cfg.symbols) {
    const series = deps.store.read(
      { exchange: cfg.exchange, symbol, timeframe: cfg.timeframe },
      s.lastBarTs === undefined ? {} : { from: s.lastBarTs - 8 * tf, to: s.lastBarTs + 1 },
    );
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

export function paperApprovalMarket(deps: TradingDeps): ApprovalMarket {
  return {
    sessionOf(id) {
      const { cfg } = paperSession(deps, id);
      return { venue: "paper", quote: quoteOf(cfg) };
    },
    async price(order: ExactOrder) {
      const { s, cfg } = paperSession(deps, order.sessionId);
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
          reference: { price, ts: m.closeTs },
          venueTime: { server: m.closeTs, local: m.closeTs },
        },
        {
          positions: new Map(Object.entries(positions)),
          equity,
          peakEquity: equity,
          dayStartEquity: equity,
        },
        m.closeTs,
      );
      return { accepted: d.accepted, checks: d.checks.map((c): ProposalCheck => ({ ...c })) };
    },
    async place(p: ProposalRecord, price: number) {
      const { s, cfg } = paperSession(deps, p.order.sessionId);
      const m = marketAt(deps, s, cfg);
      const venue = deps.paperVenue({
        account: s.id,
        takerFee: String(cfg.fee),
        slippage: cfg.slippage,
        rules: cfg.rules,
      });
      const gate = new SessionRiskGate({
        home: deps.home,
        orders: deps.orders,
        broker: venue,
        clock: deps.clock,
        rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
        timing: "replay",
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
      const closes = { ...m.closes, [p.order.symbol]: price };
      const { positions, equity } = accountOf(deps, s, cfg, closes);
      // the same gate every session order passes: an approval never goes around it
      const screened = await gate.screen([intent], {
        sessionId: s.id,
        barTs: m.barTs,
        closeTs: m.closeTs,
        prices: closes,
        positions,
        equity,
      });
      const refused = screened.refused[0];
      if (refused !== undefined)
        return { placed: false, reason: `refused by the risk gate (${refused.reason})` };
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
    },
  };
}

/** The approval use cases' dependencies over a container's trading dependencies (paper sessions) */
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
