/**
 * The live session loop: a confirmed `trade start --live` follows the exchange's own candles. Each
 * poll asks the exchange for the klines after the newest one held, keeps only the candles that have
 * closed by the exchange's clock (the one holding the clock is its future), stores them, and acts
 * on each newly closed one once: fills are brought up to date (user-data stream, lookups, polls
 * where the stream cannot vouch), then the same TradingSession as paper and the backtest, kept
 * across bars, decides on it and the lifecycle carries its orders. The last bar acted on is persisted
 * with the session, so a restart (`runLiveSession` again) never acts on a bar twice and picks up the
 * bars that closed while it was down. Reconciliation runs at start (trading waits for it) and every
 * `reconcileEveryBars` bars; a halt stops deciding. `trade stop` marks the session stopped; the
 * running loop sees it at its next poll, cancels what is still open and returns.
 */
import { allocColumns } from "../domain/candle-series.ts";
import { isTerminal } from "../domain/order-status.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { amount } from "../execution/amount.ts";
import { BarWindow, type WindowBar } from "../execution/bar-window.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import { type ReconcileDeps, reconcile } from "../execution/reconcile.ts";
import { TradingSession } from "../execution/trading-session.ts";
import type { Broker, BrokerEvent, CandleEvent } from "../ports/broker.ts";
import type { MarketDataSource } from "../ports/market-data-source.ts";
import type { ReconciliationRecord } from "../ports/order-store.ts";
import { alignedAfter, pullClosed } from "./trade-live-candles.ts";
import {
  configOf,
  getSession,
  loadSeries,
  reconcileScope,
  sessionRiskGate,
  strategyOf,
  type TradingDeps,
} from "./trade-runtime.ts";
import { guardTermination, type TerminationOutcome } from "./trade-terminate.ts";

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
  /**
   * With the exchange's kline streams up, how long past a bar's close (venue ms) the loop waits for
   * them before fetching the bar over REST (default 2000)
   */
  klineGraceMs?: number;
  onBar?: (p: { barTs: number; decided: boolean; orders: number; notes: string[] }) => void;
  /**
   * Told as a bar passes each step on its way to the wire: its last candle in, fills caught up,
   * decided, screened by the risk gate, committed (benches break the latency down with it)
   */
  trace?: (step: "candles" | "caught-up" | "decided" | "screened" | "committed") => void;
}

export interface LiveRunResult {
  sessionId: string;
  state: string;
  barsActed: number;
  cancelled: string[];
  haltReason?: string;
  /** SIGTERM arrived: the kill switch ran (latch, cancels) and swept again after the last step */
  terminated?: TerminationOutcome;
}

/** How long pushed order events wait to be committed together (wall ms) */
const STREAM_FLUSH_MS = 100;

/** How old (wall ms) a reading of the exchange's clock may be for the pre-trade gate's skew check */
const VENUE_CLOCK_FRESH_MS = 5000;

/** Bars a live session keeps in memory: enough history that even recursive indicators (EMA) match a full run */
const windowBars = (warmup: number): number => Math.max(1000, 8 * (warmup + 1));

/**
 * Runs a live session until it is stopped, halted, or `maxBars` bars were acted on. Safe to call
 * again after any crash: everything it acts on is read back from the order store.
 *
 * Bars stream: the stored bars are read once at start into a bounded in-memory window, one strategy
 * and one TradingSession carry their state from bar to bar, and each poll fetches only the candles
 * after the newest one held, so a bar costs the same on day 1 and day 100. Fills and order changes
 * arrive on the broker's user-data stream where it has one (Binance: executionReport); events the
 * stream dropped are found without polling everything: not-final orders are looked up each bar, an
 * order whose recorded fills fall short of its filled quantity has its market's fills polled, a
 * disconnect polls every market from before it, and the full reconciliation still runs every
 * `reconcileEveryBars` bars. Without a stream, fills are polled each bar from the last poll on.
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
  const { strategy } = strategyOf(cfg.strategy, cfg.params);
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

  // the user-data stream: order reports and fills pushed as they happen
  let pending: BrokerEvent[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const flushEvents = (): void => {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    lifecycle.onEvents(batch);
  };
  let stream: (() => Promise<void>) | undefined;
  let streamUp = false;
  // venue time from which fills must be polled because the stream could not vouch for them
  let pollFrom: number | undefined = cfg.sinceMs;
  const openStream = async (): Promise<void> => {
    if (broker.subscribe === undefined || streamUp) return;
    try {
      stream = await broker.subscribe((e) => {
        if (e.kind === "disconnected") {
          if (streamUp) pollFrom = Math.min(pollFrom ?? lastSeen, lastSeen - tf);
          streamUp = false;
        } else {
          // a decision's acknowledgements and a close's fills come in bursts: one transaction per
          // STREAM_FLUSH_MS, not an fsync per event stalling the sends still going out (each step
          // flushes what is pending before it reads positions)
          pending.push(e);
          flushTimer ??= setTimeout(flushEvents, STREAM_FLUSH_MS);
        }
      });
      streamUp = true;
    } catch {
      streamUp = false; // polled this bar; the next bar tries again
    }
  };
  let lastSeen = await broker.serverTime();
  await openStream();

  // trading starts only when reconciliation passes (a stopped session only gets its open orders cancelled)
  const first = record.state === "stopped" ? undefined : await rec(true);
  if (first?.ok === true && deps.orders.getSession(id)?.state === "starting")
    deps.orders.setState(id, "active");
  if (first !== undefined) pollFrom = undefined; // reconciliation just polled every fill

  const warmFrom = cfg.startTs - (strategy.warmup + 1) * tf * 4;
  // one pre-trade gate for the whole run: its in-flight reservations, message buckets and throttle span polls
  // the gate ages prices and checks skew with the machine's clock against the exchange's (real
  // exchanges run real time). A simulated exchange running faster than real time (`clock: "venue"`)
  // has no wall-clock meaning: there the gate's clock is the exchange's own time as last read
  // through the broker, so price age is measured in market time and skew is by construction ~0
  let venueAt = { server: lastSeen, wall: Date.now() };
  // the exchange's clock as last read (a reading, never a candle's close time). The gate checks it
  // against ours at every decision: a reading under VENUE_CLOCK_FRESH_MS old, moved on by the wall
  // time since, measures the same skew (clocks drift by parts per million) without a round trip on
  // the way to the wire; the loop reads the clock at each poll while it waits for the next close
  let clockRead = { server: lastSeen, wall: Date.now() };
  const readVenueClock = async (): Promise<number> => {
    const server = await broker.serverTime();
    clockRead = { server, wall: Date.now() };
    if (opts.clock === "venue") venueAt = clockRead;
    return server;
  };
  const gateBroker: Broker = new Proxy(broker, {
    get(target, prop, recv) {
      if (prop === "serverTime")
        return async () => {
          const from = opts.clock === "venue" ? venueAt : clockRead;
          const age = Date.now() - from.wall;
          return age <= VENUE_CLOCK_FRESH_MS ? from.server + age : readVenueClock();
        };
      const v = Reflect.get(target, prop, recv) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const gateClock =
    opts.clock === "venue" ? { now: () => venueAt.server + (Date.now() - venueAt.wall) } : deps.clock;
  const risk = sessionRiskGate({ ...deps, clock: gateClock }, gateBroker, cfg, "live");

  // the bars: stored history read once, then only what closes after it
  const s0 = deps.orders.getSession(id)!;
  for (const sym of cfg.symbols)
    await pullClosed(
      deps,
      market,
      cfg,
      sym,
      Math.max(warmFrom, (s0.lastBarTs ?? warmFrom) - tf * 2),
      lastSeen,
    );
  const loaded = loadSeries(deps.store, cfg, strategy.warmup);
  // a strategy with a running state (dca's bar count and cost basis) carries it from the session's
  // first bar: when the stored bars are more than the window keeps (a session resumed after its
  // window rolled), it is prepared once over all of them first, so it decides as the backtest of its
  // period does (test/strategies/rolling-window.test.ts, "dca when a long session resumes"); when
  // they fit, the session's own first prepare is over all of them already
  if (loaded[0] !== undefined && loaded[0].ts.length > windowBars(strategy.warmup))
    strategy.prepare?.({
      timeframe: cfg.timeframe,
      series: Object.fromEntries(loaded.map((x) => [x.symbol, x])),
    });
  const window =
    loaded[0] !== undefined && loaded[0].ts.length > 0
      ? BarWindow.of(loaded, windowBars(strategy.warmup))
      : new BarWindow(cfg.exchange, cfg.symbols, cfg.timeframe, windowBars(strategy.warmup));
  const session = new TradingSession(
    {
      store: deps.orders,
      broker,
      lifecycle,
      clock: deps.clock,
      risk,
      ...(deps.crash === undefined ? {} : { crash: deps.crash }),
      ...(opts.trace === undefined ? {} : { trace: opts.trace }),
    },
    {
      session: s0,
      strategy,
      series: window.views(),
      rules: new Map(cfg.rules.map((r) => [r.symbol, r])),
      baseline: cfg.baseline,
      startTs: cfg.startTs,
      ...(cfg.sizeFraction === undefined ? {} : { sizeFraction: cfg.sizeFraction }),
    },
  );
  // SIGTERM pulls the kill switch at once; the loop stops at its next check
  const guard = guardTermination(deps, id, broker);
  // orders sent by this run whose fills are not all recorded yet (a dropped fill event shows here)
  const watched = new Set<string>();
  let acted = 0;
  const cancelled: string[] = [];

  /** Brings fills and orders up to date before the strategy sees its position */
  const catchUp = async (): Promise<void> => {
    await openStream();
    // reports read in this turn of the event loop (the close's fills come with its candles) count now
    if (streamUp) await new Promise<void>((r) => setImmediate(r));
    flushEvents();
    const polled = new Set<string>();
    const poll = async (sym: string, since: number): Promise<void> => {
      if (polled.has(sym)) return;
      polled.add(sym);
      await lifecycle.syncFills(sym, since, "poll");
    };
    if (!streamUp || pollFrom !== undefined) {
      const since = Math.max(cfg.sinceMs, pollFrom ?? lastSeen - 2 * tf);
      for (const sym of cfg.symbols) await poll(sym, since);
      pollFrom = streamUp ? undefined : lastSeen - tf;
    }
    await lifecycle.settle(id);
    for (const cid of [...watched]) {
      const o = deps.orders.getOrder(cid);
      if (o === undefined) {
        watched.delete(cid);
        continue;
      }
      const recordedOf = (): bigint => deps.orders.fillsOfOrder(cid).reduce((a, f) => a + amount(f.qty), 0n);
      let after = o;
      let have = recordedOf();
      if (have < amount(o.filledQty)) {
        // the venue says more filled than the fills kairos holds: a fill event was lost
        const d = deps.orders.getDecision(id, o.decisionSeq);
        await poll(o.symbol, Math.max(cfg.sinceMs, (d?.barTs ?? cfg.sinceMs) - tf));
        after = deps.orders.getOrder(cid)!;
        have = recordedOf();
      }
      // read again only after a poll: nothing else writes between the two reads
      if (isTerminal(after.state) && have >= amount(after.filledQty)) watched.delete(cid);
    }
  };

  /** Acts on the newest bar of the window (or warms the strategy on it when it was acted on before) */
  const step = async (t: number): Promise<boolean> => {
    const barTs = window.views()[0]!.ts[t]!;
    const last = deps.orders.getSession(id)!.lastBarTs ?? Number.NEGATIVE_INFINITY;
    const acts = barTs > last && barTs >= cfg.startTs;
    if (acts) await catchUp();
    opts.trace?.("caught-up");
    const r = await session.onClosedBar(t);
    if (!acts) return true;
    for (const o of r.orders) watched.add(o.clientOrderId);
    if ((deps.orders.getSession(id)?.lastBarTs ?? -1) < barTs) deps.orders.setLastBar(id, barTs);
    opts.onBar?.({ barTs, decided: r.decided, orders: r.orders.length, notes: r.notes });
    if (++acted % cfg.reconcileEveryBars === 0) {
      await rec(true);
      pollFrom = undefined;
    }
    if (opts.maxBars !== undefined && acted >= opts.maxBars) return false;
    return !guard.terminated && deps.orders.getSession(id)!.state === "active";
  };

  // closed candles pushed by the exchange's kline streams, by open time then market: a bar acts
  // as soon as every market's candle of the next instant is here; REST fetches what is late
  const streamed = new Map<number, Map<string, WindowBar>>();
  let klines: (() => Promise<void>) | undefined;
  let wake: (() => void) | undefined;
  const onCandle = (e: CandleEvent): void => {
    if (e.kind === "disconnected") {
      const stop = klines;
      klines = undefined; // the next pass subscribes again; REST covers the gap
      void stop?.().catch(() => undefined);
      return;
    }
    if (e.ts <= (window.lastTs ?? Number.NEGATIVE_INFINITY) || !cfg.symbols.includes(e.symbol)) return;
    let at = streamed.get(e.ts);
    if (at === undefined) streamed.set(e.ts, (at = new Map()));
    at.set(e.symbol, e);
    if (at.size === cfg.symbols.length) {
      opts.trace?.("candles");
      wake?.();
    }
  };
  const openKlines = async (): Promise<void> => {
    if (broker.subscribeCandles === undefined || klines !== undefined) return;
    try {
      klines = await broker.subscribeCandles(cfg.symbols, cfg.timeframe, onCandle);
    } catch {
      klines = undefined; // polled meanwhile; the next pass tries again
    }
  };
  /** The open time of the next instant the window takes */
  const nextTs = (): number => (window.lastTs ?? warmFrom - tf) + tf;
  /** True when the streams hold every market's candle of the next instant (fromStream returns it) */
  const streamReady = (): boolean => streamed.get(nextTs())?.size === cfg.symbols.length;
  /**
   * Waits up to `ms`, or until the streams bring a whole instant. One that came while the loop was
   * not napping (reading the exchange's clock) woke nobody: it is acted on at once, not after the
   * nap (up to the poll interval, 2 s by default, was lost on such a bar)
   */
  const nap = (ms: number): Promise<void> =>
    streamReady()
      ? Promise.resolve()
      : klines === undefined
        ? deps.sleep(ms)
        : Promise.race([deps.sleep(ms), new Promise<void>((r) => (wake = r))]).finally(() => {
            wake = undefined;
          });
  /** The next instant's bars when the stream brought every market's candle of it */
  const fromStream = (): WindowBar[] | undefined => {
    const next = nextTs();
    for (const ts of streamed.keys()) if (ts <= next - tf) streamed.delete(ts);
    if (!streamReady()) return undefined;
    const at = streamed.get(next)!;
    streamed.delete(next);
    return cfg.symbols.map((sym) => at.get(sym)!);
  };
  /**
   * Stores streamed candles (once acted on: the store is for history and restarts, not the
   * decision), every market in one commit, and has them synced from the thread pool at once: the
   * next close's fills commit with synchronous=FULL and would otherwise pay for it on the way to the wire
   */
  const storeBars = (bars: readonly WindowBar[]): void => {
    deps.store.batch(() =>
      bars.forEach((b, k) => {
        const cols = allocColumns(1);
        for (const f of ["ts", "open", "high", "low", "close", "volume"] as const) cols[f][0] = b[f];
        deps.store.upsert({
          exchange: cfg.exchange,
          symbol: cfg.symbols[k]!,
          timeframe: cfg.timeframe,
          ...cols,
        });
      }),
    );
    deps.store.syncToDisk().catch(() => undefined); // a failed sync: the next FULL commit syncs them
  };
  // how long past a close the stream may be late before REST is asked (venue ms)
  const klineGraceMs = opts.klineGraceMs ?? 2000;

  let terminated: TerminationOutcome | undefined;
  try {
    await openKlines();
    // bars already held: those after the last one acted on act now (closed while the loop was down)
    let going = s0.state === "active";
    for (let t = 0; going && t < window.length; t++) going = await step(t);
    for (;;) {
      if (guard.terminated) break;
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
          // `trade stop --flatten` sends its closing orders itself: they are not the strategy's to cancel
          if (isFlattenDecision(deps, id, o.decisionSeq)) continue;
          const after = await lifecycle.cancel(o.clientOrderId);
          if (after.state === "cancelled") cancelled.push(o.clientOrderId);
        }
        break;
      }
      if (s.state !== "active" || (opts.maxBars !== undefined && acted >= opts.maxBars)) break;
      const pushed = fromStream();
      if (pushed !== undefined) {
        // the exchange said these closed: its clock is at least at their close
        const closed = pushed[0]!.ts + tf;
        if (closed > lastSeen) {
          lastSeen = closed;
          venueAt = { server: closed, wall: Date.now() };
        }
        window.append(pushed);
        session.setSeries(window.views());
        // whatever ended the step (a stop asked meanwhile, a halt, maxBars) is handled at the top of
        // the loop: breaking here skipped a stop's cancels and left its orders open on the venue
        await step(window.length - 1);
        storeBars(pushed);
        continue;
      }
      await openKlines();
      const serverNow = await readVenueClock();
      lastSeen = serverNow;
      venueAt = { server: serverNow, wall: Date.now() };
      const newest = window.lastTs ?? warmFrom - tf;
      // nothing can have closed before the bar after the newest one held has ended (and while the
      // kline streams are up, they are given a grace to bring it before REST is asked)
      const due = newest + 2 * tf + (klines === undefined ? 0 : klineGraceMs);
      if (serverNow < due) {
        await nap(Math.min(opts.pollMs, Math.max(1, due - serverNow)));
        continue;
      }
      const pulled: WindowBar[][] = [];
      for (const sym of cfg.symbols)
        pulled.push(await pullClosed(deps, market, cfg, sym, newest + tf, serverNow));
      const fresh = alignedAfter(pulled, newest);
      if (fresh.length === 0) {
        await nap(opts.pollMs);
        continue;
      }
      for (const f of fresh) {
        window.append(f.bars);
        session.setSeries(window.views());
        if (!(await step(window.length - 1))) break;
      }
    }
    // a last pass records the venue's view of the end; a stopped session stays stopped whatever it finds
    if (!guard.terminated && deps.orders.getSession(id)!.state === "active") await rec(true);
  } finally {
    flushEvents();
    terminated = await guard.finish();
    await stream?.().catch(() => undefined);
    await klines?.().catch(() => undefined);
    flushEvents();
  }
  const after = deps.orders.getSession(id)!;
  return {
    sessionId: id,
    state: after.state,
    barsActed: acted,
    cancelled,
    ...(after.haltReason === undefined ? {} : { haltReason: after.haltReason }),
    ...(terminated === undefined ? {} : { terminated }),
  };
}

/** Reconciles a live session with its exchange now (settling orders first); any difference halts it */
export async function reconcileLive(
  deps: TradingDeps,
  id: string,
  broker: Broker,
): Promise<ReconciliationRecord> {
  const cfg = configOf(getSession(deps.orders, id));
  const lifecycle = new OrderLifecycle({ store: deps.orders, broker, clock: deps.clock, sleep: deps.sleep });
  return reconcile(
    { store: deps.orders, broker, lifecycle, clock: deps.clock, sleep: deps.sleep },
    { ...reconcileScope(id, cfg, true), confirmPasses: 2, confirmDelayMs: 200 },
  );
}

/** The explanation `trade stop --flatten` records with its closing decision */
export const FLATTEN_EXPLANATION = "stop --flatten: close every position";

const isFlattenDecision = (deps: TradingDeps, id: string, seq: number): boolean =>
  deps.orders.getDecision(id, seq)?.explanation === FLATTEN_EXPLANATION;
