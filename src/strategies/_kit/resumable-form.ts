import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Decision } from "../../domain/decision.ts";
import type { PreparedData, Strategy, StrategyContext } from "../types.ts";
import { symbolShare } from "./event-form.ts";

/**
 * A family whose exposure is a running state over every bar since its first one (dca counts bars
 * and keeps a cost basis), written as one step: `step(state, series, t)` advances `state` over bar
 * t and returns the exposure decided at its close. The vectorised form runs the steps from a fresh
 * state over the whole series (runSteps); the event form below carries the state between series.
 */
export interface Stepper<S> {
  init(): S;
  step(state: S, s: CandleSeries, t: number): number;
}

/** The exposures of a whole series from a fresh state (the backtest's and the sweep's form) */
export function runSteps<S>(
  st: Stepper<S>,
  s: CandleSeries,
  out: Float64Array = new Float64Array(s.close.length),
): Float64Array {
  const state = st.init();
  for (let t = 0; t < out.length; t++) out[t] = st.step(state, s, t);
  return out;
}

/** What the event form knows of one symbol: the bars it stepped over last, their exposures, the state after them */
interface Track<S> {
  /** open time of the first bar ever stepped over: where the running state starts */
  readonly anchorTs: number;
  /** open times of the last series stepped over (a copy: a live window's views are reused) */
  readonly ts: Float64Array;
  readonly ex: Float64Array;
  readonly state: S;
}

/**
 * The event form of a running-state family. A live session does not hand its strategy the whole
 * history: it keeps a rolling window of bars (src/execution/bar-window.ts) and prepares the strategy
 * again over the window on every bar. Recomputing the state from the window's first bar (what
 * eventFormOf does, right for indicators that read a bounded past) would restart dca's bar count
 * and cost basis once the window rolls, so a long session would decide differently from the
 * backtest of its period (test/strategies/rolling-window.test.ts). Instead, a series that starts
 * after the first bar stepped over and begins inside the bars stepped over last is a continuation:
 * the known bars keep their exposures and the carried state steps over the new bars only. Any
 * other series (a backtest's, a rerun from the same first bar, a look-ahead cut) starts afresh,
 * which is exactly runSteps. Only the last window is kept, so memory stays bounded however long
 * the session runs.
 */
export function resumableEventFormOf<S>(id: string, warmup: number, stepper: Stepper<S>): Strategy {
  const tracks = new Map<string, Track<S>>();
  const cache = new Map<string, Float64Array>();

  const sync = (sym: string, s: CandleSeries): Float64Array => {
    const n = s.ts.length;
    const prev = tracks.get(sym);
    const out = new Float64Array(n);
    let from = 0;
    let state: S | undefined;
    let anchorTs = n > 0 ? s.ts[0]! : Number.NaN;
    const o = prev === undefined || n === 0 || !(s.ts[0]! > prev.anchorTs) ? -1 : indexOf(prev.ts, s.ts[0]!);
    if (prev !== undefined && o >= 0) {
      const m = Math.min(n, prev.ts.length - o);
      let same = true;
      for (let i = 0; i < m && same; i++) same = s.ts[i] === prev.ts[o + i];
      if (same) {
        out.set(prev.ex.subarray(o, o + m));
        // a series that ends inside the known bars: its exposures are known, the state stays
        if (m === n) return out;
        from = m;
        // the previous track is replaced below, so its state may be stepped on in place
        state = prev.state;
        anchorTs = prev.anchorTs;
      }
    }
    state ??= stepper.init();
    for (let t = from; t < n; t++) out[t] = stepper.step(state, s, t);
    tracks.set(sym, { anchorTs, ts: Float64Array.from(s.ts), ex: out, state });
    return out;
  };

  return {
    id,
    warmup,
    prepare(data: PreparedData): void {
      cache.clear();
      for (const [sym, s] of Object.entries(data.series)) cache.set(sym, sync(sym, s));
    },
    onBar(ctx: StrategyContext): Decision | undefined {
      const targets: Record<string, number> = {};
      for (const sym of ctx.symbols) {
        let e = cache.get(sym);
        // without prepare (a streaming host), step over the bars seen so far: still causal
        if (e === undefined || e.length <= ctx.bar) cache.set(sym, (e = sync(sym, ctx.series(sym))));
        const v = e[ctx.bar];
        targets[sym] = v === undefined || Number.isNaN(v) ? 0 : symbolShare(v, ctx.symbols.length);
      }
      return { targets, reason: id };
    },
  };
}

/** Index of `ts` in the ascending open times `a`, or -1 */
function indexOf(a: Float64Array, ts: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === ts) return mid;
    if (v < ts) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
