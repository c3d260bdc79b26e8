/**
 * What every trading use case shares: the dependencies, the persisted session configuration, and
 * rebuilding a running session (series, strategy, venue, lifecycle) from it after any restart.
 */
import { algorithmStrategyOf } from "../bots/registry.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { AppError, invalidInput } from "../errors.ts";
import type { CrashHook } from "../execution/crash-points.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import { type ReconcileDeps, type ReconcileScope, reconcile } from "../execution/reconcile.ts";
import { type SessionRisk, TradingSession } from "../execution/trading-session.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import type { Broker, MarketRules } from "../ports/broker.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import type { OrderStore, ReconciliationRecord, SessionRecord } from "../ports/order-store.ts";
import type { PaperVenue, PaperVenueOptions } from "../ports/paper-venue.ts";
import { FAMILIES, getFamily } from "../strategies/registry.ts";
import type { Strategy } from "../strategies/types.ts";
import { ApprovalHold, type ApprovalWiring } from "./approval-hold.ts";
import { SessionRiskGate } from "./risk-gate.ts";
import { type KeySources, type LiveKeys, liveGateClock, type SimClockInfo } from "./trade-live.ts";

export interface TradingDeps {
  /** the home: its risk-limits.json and trading state screen every order (the pre-trade gate) */
  home: string;
  store: CandleStore;
  orders: OrderStore;
  /** the in-process paper venue for one session's account (its books persist in the home) */
  paperVenue(opts: PaperVenueOptions): PaperVenue;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** test hook: kill the process at a lifecycle point (KAIROS_CRASH_AT) */
  crash?: CrashHook;
  /**
   * the process's termination request (SIGTERM): a running session pulls the kill switch on it
   * (app/trade-terminate.ts); returns the function that stops listening
   */
  signals?: { onTerminate(fn: () => void): () => void };
  /** the chained audit log: risk checks, limits in force, latches and kills (the order store logs its own changes) */
  audit?: AuditLog;
  /** human approval: sessions in an approval mode (approvals.json) hold orders as proposals (approval-hold.ts) */
  approvals?: ApprovalWiring;
  /** live trading: where keys come from, and a broker for an exchange (ccxt) */
  live?: {
    keys: KeySources;
    broker(exchange: string, keys: LiveKeys, apiBase?: string): Promise<Broker>;
    /** the exchange's public candles (the live loop follows its closed klines) */
    market?(exchange: string, apiBase?: string): Promise<MarketDataSource>;
    /** how often the live loop polls for newly closed candles, wall ms (default 2000) */
    pollMs?: number;
    /**
     * the pre-trade gate's clock for every live session of this container (tests, benches); without
     * it each session's own (`liveGateClock`: the machine's, or a local simulated exchange's)
     */
    clock?: "wall" | "venue";
    /** what a simulated exchange at `apiBase` says of its clock (GET /sim/clock); undefined = not one */
    simClock?(apiBase: string): Promise<SimClockInfo | undefined>;
  };
}

/** A session's configuration as persisted (never a secret) */
export interface SessionConfig {
  strategy: string;
  params: Record<string, number | boolean>;
  exchange: string;
  symbols: string[];
  timeframe: Timeframe;
  capital: number;
  /** taker fee and slippage of the paper venue, fractions */
  fee: number;
  slippage: number;
  /** first bar acted on, and the end of a replay (exclusive; none = follow the store) */
  startTs: number;
  endTs?: number;
  rules: MarketRules[];
  /** the account when the session began, or as a person last accepted it */
  baseline: Record<string, string>;
  /** venue time the session began: fills before it are not the session's */
  sinceMs: number;
  /** fills on the venue not sent by kairos that a person accepted (`foreignFillKey(symbol, tradeId)`) */
  acceptedForeignFills?: string[];
  /** share of equity a target of 1 means (the backtest's --size), default 1 */
  sizeFraction?: number;
  /** reconcile every this many bars (besides at start) */
  reconcileEveryBars: number;
  /** live: the API origin the session trades at when not the exchange's own (the simulated exchange) */
  apiBase?: string;
  /** live: the key file the keys came from (its path, never its contents); else the environment */
  keyFile?: string;
  /** live: the pre-trade gate keeps the simulated exchange's clock (a local `kairos sim`, checked again at resume) */
  venueClock?: boolean;
}

/**
 * The pre-trade gate's clock of a live session: the container's setting where it has one, else the
 * session's own, checked again (a session on the venue's clock still needs a local simulated
 * exchange; one that was not asked for takes it when that exchange is time-scaled)
 */
export function gateClockOf(deps: TradingDeps, cfg: SessionConfig): Promise<"wall" | "venue"> {
  if (deps.live?.clock !== undefined) return Promise.resolve(deps.live.clock);
  return liveGateClock(deps.live?.simClock, cfg.apiBase, cfg.venueClock === true ? true : undefined);
}

/** The gate's clock as the session recorded it (no exchange asked): for reads beside a running session */
export const storedGateClock = (deps: TradingDeps, cfg: SessionConfig): "wall" | "venue" =>
  deps.live?.clock ?? (cfg.venueClock === true ? "venue" : "wall");

export const configOf = (s: SessionRecord): SessionConfig => s.config as unknown as SessionConfig;

export function getSession(orders: OrderStore, id: string): SessionRecord {
  const s = orders.getSession(id);
  if (s === undefined)
    throw new AppError("NOT_FOUND", `no trading session "${id}"; \`kairos trade list\` shows them`);
  return s;
}

/** The family's event strategy with validated parameters */
export function strategyOf(
  name: string,
  params: Record<string, unknown>,
): { strategy: Strategy; params: Record<string, number | boolean> } {
  // the execution algorithms (twap, iceberg) run in sessions as strategies too (src/bots)
  const algo = algorithmStrategyOf(name, params);
  if (algo !== undefined) return algo;
  const fam = getFamily(name);
  if (fam === undefined)
    throw invalidInput(`unknown strategy "${name}": use one of ${Object.keys(FAMILIES).join(", ")}`);
  const shape = (fam.params as { shape?: Record<string, unknown> }).shape;
  if (shape !== undefined)
    for (const k of Object.keys(params))
      if (!(k in shape))
        throw invalidInput(
          `${fam.name} has no parameter --${k}; its parameters: ${Object.keys(shape)
            .map((x) => `--${x}`)
            .join(", ")}`,
          { field: `params.${k}` },
        );
  const parsed = fam.params.safeParse(params);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw invalidInput(`${fam.name} --${String(i.path[0] ?? "params")}: ${i.message}`);
  }
  const p = parsed.data as Record<string, number | boolean>;
  return { strategy: fam.create(p), params: p };
}

/** The stored bars of the session's markets from `warmup` bars before its start, aligned on one clock */
export function loadSeries(store: CandleStore, cfg: SessionConfig, warmup: number): CandleSeries[] {
  const tf = timeframeMs(cfg.timeframe);
  const from = cfg.startTs - (warmup + 1) * tf * 4;
  const raw = cfg.symbols.map((symbol) =>
    store.read(
      { exchange: cfg.exchange, symbol, timeframe: cfg.timeframe },
      { from, ...(cfg.endTs === undefined ? {} : { to: cfg.endTs }) },
    ),
  );
  // only the timestamps every market has: a session acts on one clock
  const common = new Set(raw[0]?.ts ?? []);
  for (const s of raw.slice(1)) {
    const has = new Set(s.ts);
    for (const t of common) if (!has.has(t)) common.delete(t);
  }
  return raw.map((s) => {
    const idx: number[] = [];
    for (let i = 0; i < s.ts.length; i++) if (common.has(s.ts[i]!)) idx.push(i);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, (i) => a[i]!);
    return {
      ...s,
      ts: pick(s.ts),
      open: pick(s.open),
      high: pick(s.high),
      low: pick(s.low),
      close: pick(s.close),
      volume: pick(s.volume),
    };
  });
}

/**
 * The pre-trade risk gate of a session (src/app/risk-gate.ts): every intent is screened before it is
 * stored; no limits file, no price, an unreadable store or a HALTED account means no order. Paper
 * sessions replay stored bars and live at each bar's close; live sessions use the clock and the venue's time.
 */
export function sessionRiskGate(
  deps: TradingDeps,
  broker: Broker,
  cfg: SessionConfig,
  timing: "replay" | "live",
): SessionRisk {
  const gate = new SessionRiskGate({
    home: deps.home,
    orders: deps.orders,
    broker,
    clock: deps.clock,
    rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
    timing,
    ...(deps.audit === undefined ? {} : { audit: deps.audit }),
  });
  // orders the gate accepted wait for a person when the session is in an approval mode
  return deps.approvals === undefined
    ? gate
    : new ApprovalHold(gate, { ...deps.approvals, home: deps.home, clock: deps.clock, quote: quoteOf(cfg) });
}

/** A session rebuilt from its record: ready to reconcile and to act on bars */
export interface LiveSession {
  record: SessionRecord;
  cfg: SessionConfig;
  venue: PaperVenue;
  lifecycle: OrderLifecycle;
  session: TradingSession;
  series: CandleSeries[];
  reconcile(settle?: boolean): Promise<ReconciliationRecord>;
}

export function openSession(deps: TradingDeps, id: string): LiveSession {
  const record = getSession(deps.orders, id);
  const cfg = configOf(record);
  if (record.mode !== "paper")
    throw new AppError(
      "INVALID_INPUT",
      `session ${id} is ${record.mode}: only paper sessions run in this build`,
    );
  const { strategy } = strategyOf(cfg.strategy, cfg.params);
  const series = loadSeries(deps.store, cfg, strategy.warmup);
  if (series[0] === undefined || series[0].ts.length === 0)
    throw new AppError(
      "NOT_FOUND",
      `no stored ${cfg.symbols.join(", ")} ${cfg.timeframe} candles for session ${id}`,
    );
  const venue = deps.paperVenue({
    account: id,
    takerFee: String(cfg.fee),
    slippage: cfg.slippage,
    rules: cfg.rules,
  });
  const lifecycle = new OrderLifecycle({
    store: deps.orders,
    broker: venue,
    clock: deps.clock,
    sleep: deps.sleep,
    ...(deps.crash === undefined ? {} : { crash: deps.crash }),
  });
  const session = new TradingSession(
    {
      store: deps.orders,
      broker: venue,
      lifecycle,
      clock: deps.clock,
      ...(deps.crash === undefined ? {} : { crash: deps.crash }),
      risk: sessionRiskGate(deps, venue, cfg, "replay"),
    },
    {
      session: record,
      strategy,
      series,
      rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
      baseline: cfg.baseline,
      startTs: cfg.startTs,
      ...(cfg.sizeFraction === undefined ? {} : { sizeFraction: cfg.sizeFraction }),
    },
  );
  const rdeps: ReconcileDeps = {
    store: deps.orders,
    broker: venue,
    lifecycle,
    clock: deps.clock,
    sleep: deps.sleep,
  };
  return {
    record,
    cfg,
    venue,
    lifecycle,
    session,
    series,
    reconcile: (settle = true) => reconcile(rdeps, reconcileScope(id, cfg, settle)),
  };
}

/** What a session's reconciliation compares: its symbols, from its baseline, since it started */
export const reconcileScope = (sessionId: string, cfg: SessionConfig, settle: boolean): ReconcileScope => ({
  sessionId,
  symbols: cfg.symbols,
  baseline: cfg.baseline,
  sinceMs: cfg.sinceMs,
  ...(cfg.acceptedForeignFills === undefined ? {} : { acceptedForeignFills: cfg.acceptedForeignFills }),
  settle,
});

/** Progress of a run, one report per bar acted on */
export interface RunProgress {
  barTs: number;
  decided: boolean;
  orders: number;
  notes: string[];
}

/**
 * Runs the session over the loaded bars after the last one it acted on: the paper venue matches
 * each bar (fills of the previous decision at its open), fills are recorded, then the strategy
 * decides at its close. Reconciles every `reconcileEveryBars`; a halted session stops deciding.
 */
export async function runBars(
  deps: TradingDeps,
  live: LiveSession,
  onBar?: (p: RunProgress) => void,
  /** checked before each bar: true stops the run (a termination request) */
  stopIf?: () => boolean,
): Promise<number> {
  const { series, venue, lifecycle, session, cfg } = live;
  const first = series[0]!;
  const id = live.record.id;
  let acted = 0;
  for (let t = 0; t < first.ts.length; t++) {
    if (stopIf?.() === true) break;
    const ts = first.ts[t]!;
    const last = deps.orders.getSession(id)?.lastBarTs;
    if (ts >= cfg.startTs && (last === undefined || ts > last)) {
      const fills = venue.onBars(
        series.map((s) => ({
          symbol: s.symbol,
          bar: {
            ts,
            open: s.open[t]!,
            high: s.high[t]!,
            low: s.low[t]!,
            close: s.close[t]!,
            volume: s.volume[t]!,
          },
        })),
      );
      lifecycle.recordFills(fills, "paper");
      await lifecycle.settle(id);
      deps.crash?.("after-bar");
      if (++acted % cfg.reconcileEveryBars === 0) await live.reconcile(false);
    }
    const r = await session.onClosedBar(t);
    if (t === first.ts.length - 1 && (deps.orders.getSession(id)?.lastBarTs ?? -1) < ts)
      deps.orders.setLastBar(id, ts);
    if (r.decided || r.notes.length > 0)
      onBar?.({ barTs: r.barTs, decided: r.decided, orders: r.orders.length, notes: r.notes });
  }
  return acted;
}

export const quoteOf = (cfg: SessionConfig): string => cfg.rules[0]?.quote ?? "USDT";
