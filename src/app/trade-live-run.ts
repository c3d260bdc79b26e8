/**
 * The live session loop: a confirmed `trade start --live` follows the exchange's own candles. Each
 * poll asks the exchange for the session's klines, keeps only the candles that have closed by the
 * exchange's clock (the one holding the clock is its future), stores them, and acts on each newly
 * closed one once: fills are synced, orders settled, then the same TradingSession as paper and the
 * backtest decides on it and the lifecycle carries its orders. The last bar acted on is persisted
 * with the session, so a restart (`runLiveSession` again) never acts on a bar twice and picks up the
 * bars that closed while it was down. Reconciliation runs at start (trading waits for it) and every
 * `reconcileEveryBars` bars; a halt stops deciding. `trade stop` marks the session stopped; the
 * running loop sees it at its next poll, cancels what is still open and returns.
 */
import { allocColumns, type CandleSeries } from "../domain/candle-series.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import { type ReconcileDeps, reconcile } from "../execution/reconcile.ts";
import { TradingSession } from "../execution/trading-session.ts";
import type { Broker } from "../ports/broker.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import type { ReconciliationRecord } from "../ports/order-store.ts";
import {
  configOf,
  getSession,
  loadSeries,
  reconcileScope,
  type SessionConfig,
  sessionRiskGate,
  strategyOf,
  type TradingDeps,
} from "./trade-runtime.ts";

export interface LiveRunOptions {
  broker: Broker;
  /** the exchange's public candles (ccxt); the same origin as the broker */
  market: MarketDataSource;
  /** how often the exchange is asked for newly closed candles, wall ms */
  pollMs: number;
  /** stop after this many bars acted on (tests, bounded runs); none = until stopped */
  maxBars?: number;
  /** whose clock the pre-trade gate uses: the machine's (default, real exchanges) or the venue's (a time-scaled simulated exchange) */
  clock?: "wall" | "venue";
  onBar?: (p: { barTs: number; decided: boolean; orders: number; notes: string[] }) => void;
}

export interface LiveRunResult {
  sessionId: string;
  state: string;
  barsActed: number;
  cancelled: string[];
  haltReason?: string;
}

/** Creates a live session on `broker`'s account: rules, balances and clock read from the venue */
export async function createLiveSession(
  deps: TradingDeps,
  id: string,
  base: Omit<SessionConfig, "rules" | "baseline" | "sinceMs" | "startTs" | "exchange">,
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

/** Stores the exchange's closed candles of one market from `since` (the one in progress is left out) */
async function pullClosed(
  deps: TradingDeps,
  market: MarketDataSource,
  cfg: SessionConfig,
  symbol: string,
  since: number,
  serverNow: number,
): Promise<number> {
  const tf = timeframeMs(cfg.timeframe);
  let from = since;
  let stored = 0;
  for (;;) {
    const page = await market.fetchCandles(symbol, cfg.timeframe, from, market.maxCandlesPerPage);
    let n = 0;
    while (n < page.ts.length && page.ts[n]! + tf <= serverNow) n++;
    if (n > 0) {
      const cols = allocColumns(n);
      for (const k of ["ts", "open", "high", "low", "close", "volume"] as const)
        cols[k].set(page[k].subarray(0, n));
      const series: CandleSeries = { exchange: cfg.exchange, symbol, timeframe: cfg.timeframe, ...cols };
      deps.store.upsert(series);
      stored += n;
    }
    if (n < market.maxCandlesPerPage || n === 0) return stored;
    from = page.ts[n - 1]! + tf;
  }
}

/**
 * Runs a live session until it is stopped, halted, or `maxBars` bars were acted on. Safe to call
 * again after any crash: everything it acts on is read back from the order store.
 */
export async function runLiveSession(
  deps: TradingDeps,
  id: string,
  opts: LiveRunOptions,
): Promise<LiveRunResult> {
  const record = getSession(deps.orders, id);
  if (record.mode !== "live")
    throw new AppError("INVALID_INPUT", `session ${id} is ${record.mode}, not live`);
  const cfg = configOf(record);
  const { broker, market } = opts;
  const { strategy: probe } = strategyOf(cfg.strategy, cfg.params);
  const tf = timeframeMs(cfg.timeframe);
  const lifecycle = new OrderLifecycle({
    store: deps.orders,
    broker,
    clock: deps.clock,
    sleep: deps.sleep,
    ...(deps.crash === undefined ? {} : { crash: deps.crash }),
  });
  const rdeps: ReconcileDeps = {
    store: deps.orders,
    broker,
    lifecycle,
    clock: deps.clock,
    sleep: deps.sleep,
  };
  const rec = (settle: boolean): Promise<ReconciliationRecord> =>
    reconcile(rdeps, {
      ...reconcileScope(id, cfg, settle),
      // the exchange keeps matching while it is read: a difference must survive two re-reads to halt
      confirmPasses: 2,
      confirmDelayMs: Math.max(50, opts.pollMs),
    });
  // trading starts only when reconciliation passes (a stopped session only gets its open orders cancelled)
  const first = record.state === "stopped" ? undefined : await rec(true);
  if (first?.ok === true && deps.orders.getSession(id)?.state === "starting")
    deps.orders.setState(id, "active");

  const warmFrom = cfg.startTs - (probe.warmup + 1) * tf * 4;
  // one pre-trade gate for the whole run: its in-flight reservations, message buckets and throttle span polls
  // the gate ages prices and checks skew with the machine's clock against the exchange's (real
  // exchanges run real time). A simulated exchange running faster than real time (`clock: "venue"`)
  // has no wall-clock meaning: there the gate's clock is the exchange's own time as last read
  // through the broker, so price age is measured in market time and skew is by construction ~0
  let venueAt = { server: await broker.serverTime(), wall: Date.now() };
  const gateBroker: Broker =
    opts.clock === "venue"
      ? new Proxy(broker, {
          get(target, prop, recv) {
            if (prop === "serverTime")
              return async () => {
                const server = await target.serverTime();
                venueAt = { server, wall: Date.now() };
                return server;
              };
            const v = Reflect.get(target, prop, recv) as unknown;
            return typeof v === "function" ? v.bind(target) : v;
          },
        })
      : broker;
  const gateClock =
    opts.clock === "venue" ? { now: () => venueAt.server + (Date.now() - venueAt.wall) } : deps.clock;
  const risk = sessionRiskGate({ ...deps, clock: gateClock }, gateBroker, cfg, "live");
  let acted = 0;
  const cancelled: string[] = [];
  for (;;) {
    const s = deps.orders.getSession(id)!;
    if (s.state === "stopped") {
      // stop was asked (by `trade stop` or a person): nothing of ours stays open on the venue
      for (const o of deps.orders.ordersOf(id, [
        "intent",
        "sent",
        "acknowledged",
        "partially_filled",
        "unknown",
      ])) {
        const after = await lifecycle.cancel(o.clientOrderId);
        if (after.state === "cancelled") cancelled.push(o.clientOrderId);
      }
      break;
    }
    if (s.state === "halted" || (opts.maxBars !== undefined && acted >= opts.maxBars)) break;
    const serverNow = await broker.serverTime();
    venueAt = { server: serverNow, wall: Date.now() };
    const since = Math.max(warmFrom, (s.lastBarTs ?? warmFrom) - tf * 2);
    for (const sym of cfg.symbols) await pullClosed(deps, market, cfg, sym, since, serverNow);
    const series = loadSeries(deps.store, cfg, probe.warmup);
    const ts = series[0]?.ts;
    const last = s.lastBarTs ?? Number.NEGATIVE_INFINITY;
    const fresh = ts === undefined ? [] : Array.from(ts).filter((x) => x > last && x >= cfg.startTs);
    if (ts === undefined || fresh.length === 0) {
      await deps.sleep(opts.pollMs);
      continue;
    }
    // a fresh strategy instance over the bars loaded: bars already acted on only warm it up
    const { strategy } = strategyOf(cfg.strategy, cfg.params);
    const session = new TradingSession(
      {
        store: deps.orders,
        broker,
        lifecycle,
        clock: deps.clock,
        risk,
        ...(deps.crash === undefined ? {} : { crash: deps.crash }),
      },
      {
        session: s,
        strategy,
        series,
        rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
        baseline: cfg.baseline,
        startTs: cfg.startTs,
        ...(cfg.sizeFraction === undefined ? {} : { sizeFraction: cfg.sizeFraction }),
      },
    );
    for (let t = 0; t < ts.length; t++) {
      const barTs = ts[t]!;
      const acts = barTs > last && barTs >= cfg.startTs;
      if (acts) {
        // the fills of earlier decisions are in the books before the strategy sees its position
        for (const sym of cfg.symbols) await lifecycle.syncFills(sym, cfg.sinceMs, "poll");
        await lifecycle.settle(id);
      }
      const r = await session.onClosedBar(t);
      if (!acts) continue;
      if ((deps.orders.getSession(id)?.lastBarTs ?? -1) < barTs) deps.orders.setLastBar(id, barTs);
      opts.onBar?.({ barTs, decided: r.decided, orders: r.orders.length, notes: r.notes });
      if (++acted % cfg.reconcileEveryBars === 0) await rec(true);
      if (opts.maxBars !== undefined && acted >= opts.maxBars) break;
      const now = deps.orders.getSession(id)!.state;
      if (now !== "active") break;
    }
  }
  // a last pass records the venue's view of the end; a stopped session stays stopped whatever it finds
  if (deps.orders.getSession(id)!.state === "active") await rec(true);
  const after = deps.orders.getSession(id)!;
  return {
    sessionId: id,
    state: after.state,
    barsActed: acted,
    cancelled,
    ...(after.haltReason === undefined ? {} : { haltReason: after.haltReason }),
  };
}
