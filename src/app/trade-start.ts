import { z } from "zod";
import { AppError, invalidInput } from "../errors.ts";
import { checkSessionId } from "../execution/client-order-id.ts";
import { defaultRules } from "../execution/market-rules.ts";
import {
  exchangeField,
  isoTimeField,
  numberFieldOf,
  parseInput,
  rateField,
  symbolListField,
  timeframeField,
  timeOf,
  wholeNumberField,
} from "./contract.ts";
import { resolveSeries } from "./resolve-series.ts";
import { ensureRiskLimits } from "./risk-limits.ts";
import { checkKeyPermissions, checkLiveConfirmation, liveGateClock, loadLiveKeys } from "./trade-live.ts";
import { runLiveSession } from "./trade-live-run.ts";
import { createLiveSession } from "./trade-live-venue.ts";
import {
  loadSeries,
  openSession,
  type RunProgress,
  runBars,
  type SessionConfig,
  strategyOf,
  type TradingDeps,
} from "./trade-runtime.ts";
import { guardTermination, type TerminationOutcome } from "./trade-terminate.ts";

/** How any trading session runs (a strategy's or a bot's): venue mode, money, replay range, keys */
export const SESSION_RUN_FIELDS = {
  /** paper is the default; live needs --live, an exchange and a typed confirmation */
  live: z.boolean().default(false),
  capital: numberFieldOf({ min: 0, minExclusive: true }).default(10_000),
  fee: rateField(0.1).default(0.001),
  slippage: rateField(0.1).default(0),
  /** replay stored bars from here (paper): the session acts on each of them as if it had just closed */
  from: isoTimeField().optional(),
  to: isoTimeField().optional(),
  reconcileEvery: wholeNumberField({ min: 1 }).default(50),
  /** share of equity a target of 1 means, as the backtest's --size (below 1 leaves room for fees) */
  size: numberFieldOf({ min: 0, max: 1, minExclusive: true }).default(1),
  id: z.string().optional(),
  /** live only: the exchange's name typed again, a key file (mode 0600) and another API origin */
  confirmLive: z.string().optional(),
  keyFile: z.string().optional(),
  apiBase: z.string().url().optional(),
  /** live only: the pre-trade gate keeps the exchange's clock; refused unless --api-base is a local `kairos sim` */
  venueClock: z.boolean().optional(),
};

/** `kairos trade start`: a paper session of one strategy family on stored candles */
export const TradeStartInput = z
  .object({
    strategy: z.string().min(1),
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
    exchange: exchangeField().optional(),
    symbols: symbolListField(),
    timeframe: timeframeField(),
    ...SESSION_RUN_FIELDS,
  })
  .strict();
export type TradeStartInput = z.input<typeof TradeStartInput>;

export interface TradeStartResult {
  sessionId: string;
  state: string;
  barsActed: number;
  haltReason?: string;
  /** the home had no risk limits: the conservative defaults were written here */
  limitsCreated?: string;
  /** SIGTERM arrived: the kill switch ran (latch HALTED, every open order cancelled) */
  terminated?: TerminationOutcome;
  /** live: the pre-trade gate kept the simulated exchange's clock */
  venueClock?: true;
}

const newId = (): string => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
};

/**
 * Creates a paper session (account funded with the capital), reconciles it, and runs it over the
 * stored bars from `from` (each acted on as it closes) until `to` or the last stored bar.
 */
export async function startTrading(
  deps: TradingDeps,
  raw: TradeStartInput,
  onBar?: (p: RunProgress) => void,
): Promise<TradeStartResult> {
  const input = parseInput(TradeStartInput, raw);
  if (input.live) {
    // every gate runs before anything is created or sent
    const exchange = checkLiveConfirmation(input.exchange, input.confirmLive);
    if (deps.live === undefined)
      throw new AppError("INTERNAL", "live trading is not wired in this container");
    // a real exchange is always judged by this machine's clock; --venue-clock elsewhere is refused here
    const gateClock =
      deps.live.clock ?? (await liveGateClock(deps.live.simClock, input.apiBase, input.venueClock));
    const keys = loadLiveKeys(deps.live.keys, exchange, input.keyFile);
    const broker = await deps.live.broker(exchange, keys, input.apiBase);
    try {
      await checkKeyPermissions(broker);
      const id = checkSessionId(input.id ?? newId());
      if (deps.orders.getSession(id) !== undefined)
        throw invalidInput(`a trading session "${id}" exists already`);
      const { params } = strategyOf(input.strategy, input.params);
      const quotes = new Set(input.symbols.map((s) => s.split("/")[1]?.split(":")[0]));
      if (quotes.size !== 1)
        throw invalidInput(
          `--symbols: one session trades against one quote currency, got ${[...quotes].join(", ")}`,
        );
      if (deps.live.market === undefined)
        throw new AppError("INTERNAL", "live market data is not wired in this container");
      const market = await deps.live.market(exchange, input.apiBase);
      // every live order passes the pre-trade gate too, which refuses all without limits
      ensureRiskLimits({ home: deps.home, now: () => deps.clock.now() });
      await createLiveSession(
        deps,
        id,
        {
          strategy: input.strategy,
          params,
          symbols: input.symbols,
          timeframe: input.timeframe,
          capital: input.capital,
          fee: input.fee,
          slippage: input.slippage,
          reconcileEveryBars: input.reconcileEvery,
          ...(input.size === 1 ? {} : { sizeFraction: input.size }),
          ...(input.apiBase === undefined ? {} : { apiBase: input.apiBase }),
          ...(input.keyFile === undefined ? {} : { keyFile: input.keyFile }),
          ...(gateClock === "venue" ? { venueClock: true } : {}),
        },
        exchange,
        broker,
      );
      const r = await runLiveSession(deps, id, {
        broker,
        market,
        pollMs: deps.live.pollMs ?? 2000,
        clock: gateClock,
        ...(onBar === undefined ? {} : { onBar }),
      });
      return {
        sessionId: r.sessionId,
        state: r.state,
        barsActed: r.barsActed,
        ...(r.haltReason === undefined ? {} : { haltReason: r.haltReason }),
        ...(r.terminated === undefined ? {} : { terminated: r.terminated }),
        ...(gateClock === "venue" ? { venueClock: true as const } : {}),
      };
    } finally {
      await broker.close();
    }
  }
  const id = checkSessionId(input.id ?? newId());
  if (deps.orders.getSession(id) !== undefined)
    throw invalidInput(`a trading session "${id}" exists already`);
  const { strategy, params } = strategyOf(input.strategy, input.params);
  const keys = input.symbols.map((symbol) =>
    resolveSeries(deps.store, {
      symbol,
      timeframe: input.timeframe,
      ...(input.exchange === undefined ? {} : { exchange: input.exchange }),
    }),
  );
  const exchange = keys[0]!.exchange;
  const from = timeOf(input.from, "from");
  const to = timeOf(input.to, "to");
  if (from !== undefined && to !== undefined && to <= from) throw invalidInput("--to must be after --from");
  const quotes = new Set(input.symbols.map((s) => s.split("/")[1]?.split(":")[0]));
  if (quotes.size !== 1)
    throw invalidInput(
      `--symbols: one session trades against one quote currency, got ${[...quotes].join(", ")}`,
    );
  const probe: SessionConfig = {
    strategy: input.strategy,
    params,
    exchange,
    symbols: input.symbols,
    timeframe: input.timeframe,
    capital: input.capital,
    fee: input.fee,
    slippage: input.slippage,
    startTs: from ?? 0,
    ...(to === undefined ? {} : { endTs: to }),
    rules: [],
    baseline: {},
    sinceMs: 0,
    reconcileEveryBars: input.reconcileEvery,
    ...(input.size === 1 ? {} : { sizeFraction: input.size }),
  };
  const series = loadSeries(deps.store, probe, strategy.warmup);
  const n = series[0]?.ts.length ?? 0;
  if (n < 2)
    throw new AppError(
      "NOT_FOUND",
      `fewer than 2 stored ${input.symbols.join(", ")} ${input.timeframe} bars in the range`,
    );
  // without --from the session starts after the warm-up of the stored bars
  const startTs = from ?? series[0]!.ts[Math.min(strategy.warmup, n - 1)]!;
  const quote = [...quotes][0]!;
  const cfg: SessionConfig = {
    ...probe,
    startTs,
    rules: series.map((s) => defaultRules(s.symbol, s.close[s.close.length - 1]!)),
    baseline: { [quote]: String(input.capital) },
  };
  // every order passes the pre-trade gate, which refuses all without limits: a fresh home gets the defaults
  const limitsCreated = ensureRiskLimits({ home: deps.home, now: () => deps.clock.now() });
  const now = deps.clock.now();
  deps.orders.createSession({
    id,
    mode: "paper",
    venue: "paper",
    state: "starting",
    config: cfg as unknown as Record<string, unknown>,
    createdAt: now,
    updatedAt: now,
  });
  const r = await runSession(deps, id, onBar);
  return limitsCreated === undefined ? r : { ...r, limitsCreated };
}

/**
 * Reconciles and runs an existing session: a `starting` one becomes active when reconciliation
 * passes; a halted one stays halted (only `trade resume` after a person's review re-activates it)
 */
export async function runSession(
  deps: TradingDeps,
  id: string,
  onBar?: (p: RunProgress) => void,
): Promise<TradeStartResult> {
  const live = openSession(deps, id);
  // the paper account opens with the session's capital once (a crash right after the session was created leaves it unfunded)
  live.venue.fund(live.cfg.baseline);
  const rec = await live.reconcile(true);
  const state = deps.orders.getSession(id)!.state;
  if (rec.ok && state === "starting") deps.orders.setState(id, "active");
  // SIGTERM pulls the kill switch at once; the replay stops at its next bar
  const guard = guardTermination(deps, id, live.venue);
  let acted: number;
  let terminated: TerminationOutcome | undefined;
  try {
    acted = await runBars(deps, live, onBar, () => guard.terminated);
  } finally {
    terminated = await guard.finish();
  }
  if (terminated === undefined) await live.reconcile(true);
  const after = deps.orders.getSession(id)!;
  return {
    sessionId: id,
    state: after.state,
    barsActed: acted,
    ...(after.haltReason === undefined ? {} : { haltReason: after.haltReason }),
    ...(terminated === undefined ? {} : { terminated }),
  };
}
