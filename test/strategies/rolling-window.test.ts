/**
 * A live session decides from a rolling window of bars (src/app/trade-live-run.ts keeps the last
 * max(1000, 8 * (warmup + 1)) bars in a BarWindow and prepares the strategy again over it on every
 * new bar), a backtest from the whole series at once. Issue 15 wants both to act from the same
 * strategy code, so a strategy's decision at a bar must not depend on where the window starts:
 * here every built-in family (and dca with parameters whose state outlives the window) is run both
 * ways over the same bars and the targets are compared bar by bar, including long after the window
 * has started to roll.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { barAt, type CandleSeries, sliceSeries } from "../../src/domain/candle-series.ts";
import type { Timeframe } from "../../src/domain/timeframe.ts";
import { BarWindow } from "../../src/execution/bar-window.ts";
import { dcaFamily } from "../../src/strategies/dca/strategy.ts";
import { FAMILIES } from "../../src/strategies/registry.ts";
import type { Strategy, StrategyContext } from "../../src/strategies/types.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

// 2,600 hourly bars: the 1,000-bar window rolls for 1,600 of them
const btc = sliceSeries(loadBundledSeries("binance", "BTC/USDT", "1h"), 20_000, 22_600);
const SYM = btc.symbol;

/** trade-live-run's window size (windowBars there, not exported): the same formula */
const windowBars = (warmup: number): number => Math.max(1000, 8 * (warmup + 1));

const ctxAt = (s: CandleSeries, t: number): StrategyContext => ({
  bar: t,
  ts: s.ts[t]!,
  timeframe: s.timeframe as Timeframe,
  symbols: [SYM],
  warmingUp: false,
  series: () => sliceSeries(s, 0, t + 1),
  higher: () => {
    throw new Error("not offered");
  },
  position: () => 0,
  target: () => 0,
  equity: 1,
  cash: 1,
});

const targetOf = (st: Strategy, s: CandleSeries, t: number): number | undefined =>
  st.onBar(ctxAt(s, t))?.targets?.[SYM];

/** The backtest's view: one prepare over every bar, then onBar at each */
function backtestTargets(st: Strategy, s: CandleSeries): (number | undefined)[] {
  st.prepare?.({ timeframe: s.timeframe as Timeframe, series: { [SYM]: s } });
  return Array.from(s.ts, (_, t) => targetOf(st, s, t));
}

/**
 * The live loop's view, as trade-live-run and TradingSession drive it: the session starts with
 * `initial` bars loaded (BarWindow.of), warms the strategy on each of them, then every new bar is
 * appended to the window, the strategy is prepared again over the window's views (setSeries) and
 * asked about the newest bar
 */
function liveTargets(
  st: Strategy,
  s: CandleSeries,
  initial: number,
  maxBars = windowBars(st.warmup),
): (number | undefined)[] {
  const w = BarWindow.of([sliceSeries(s, 0, initial)], maxBars);
  return driveWindow(st, s, w, initial);
}

/** Warms the strategy on every bar of the window, then feeds it the bars of `s` from `next` on */
function driveWindow(st: Strategy, s: CandleSeries, w: BarWindow, next: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let v = w.views()[0]!;
  st.prepare?.({ timeframe: v.timeframe as Timeframe, series: { [SYM]: v } });
  for (let t = 0; t < v.ts.length; t++) out.push(targetOf(st, v, t));
  for (let i = next; i < s.ts.length; i++) {
    w.append([barAt(s, i)]);
    v = w.views()[0]!;
    st.prepare?.({ timeframe: v.timeframe as Timeframe, series: { [SYM]: v } });
    out.push(targetOf(st, v, v.ts.length - 1));
  }
  return out;
}

/** The first bar where the two runs decide differently, quoted with its time */
function firstDifference(
  a: (number | undefined)[],
  b: (number | undefined)[],
  offset = 0,
): string | undefined {
  for (let t = 0; t < a.length; t++)
    if (a[t] !== b[t])
      return `bar ${t + offset} (${new Date(btc.ts[t + offset]!).toISOString()}): backtest ${a[t]}, live window ${b[t]}`;
  return undefined;
}

const cases: [string, Record<string, number>][] = [
  ...Object.keys(FAMILIES).map((name): [string, Record<string, number>] => [name, {}]),
  // dca's state outlives the window: a slow cadence keeps accumulating past 1,000 bars, a
  // take-profit resets on the average cost of every buy since the last reset
  ["dca", { every: 168, step: 0.02, takeProfit: 0 }],
  ["dca", { every: 24, step: 0.05, takeProfit: 0.1 }],
  ["dca", { every: 7, step: 0.01, takeProfit: 0.03 }],
  ["grid", { levels: 10, spacing: 0.01, anchor: 200 }],
];

describe("a strategy decides the same from a rolling live window as from the whole series", () => {
  for (const [name, params] of cases) {
    it(`${name} ${JSON.stringify(params)}`, () => {
      const f = FAMILIES[name]!;
      const p = f.params.parse(params);
      const full = backtestTargets(f.create(p), btc);
      const live = liveTargets(f.create(p), btc, 5);
      expect(live.length).toBe(full.length);
      // the check can fail: the window really rolled, and the strategy really trades
      expect(btc.ts.length).toBeGreaterThan(windowBars(f.create(p).warmup) + 500);
      expect(new Set(full).size).toBeGreaterThan(1);
      expect(firstDifference(full, live)).toBeUndefined();
    });
  }
});

/** dca as it was written before its state was carried (t counts from the series' first bar): the reference */
function dcaReference(close: Float64Array, every: number, step: number, takeProfit: number): number[] {
  const out: number[] = [];
  let e = 0;
  let costSum = 0;
  let wSum = 0;
  for (let t = 0; t < close.length; t++) {
    const c = close[t]!;
    if (takeProfit > 0 && e > 0 && c > (costSum / wSum) * (1 + takeProfit)) {
      e = 0;
      costSum = 0;
      wSum = 0;
    } else if (t % every === 0 && e < 1) {
      const add = Math.min(step, 1 - e);
      e += add;
      costSum += add * c;
      wSum += add;
    }
    out.push(e);
  }
  return out;
}

describe("dca carries its bar count and cost basis across windows", () => {
  const dcaParams = fc.record({
    every: fc.integer({ min: 1, max: 200 }),
    step: fc.double({ min: 0.005, max: 0.3, noNaN: true }),
    takeProfit: fc.constantFrom(0, 0.005, 0.02, 0.1),
  });
  const part = sliceSeries(btc, 0, 700);

  it("the backtest's numbers are unchanged: bit for bit the bar-index formula", () => {
    fc.assert(
      fc.property(dcaParams, (p) => {
        const ref = dcaReference(part.close, p.every, p.step, p.takeProfit);
        expect(Array.from(dcaFamily.exposures(part, p))).toEqual(ref);
        expect(backtestTargets(dcaFamily.create(p), part)).toEqual(ref);
      }),
      { numRuns: 40, seed: 15 },
    );
  });

  // the session's first bars all fit the window at start (a resume after the window rolled loads
  // only its last bars: that is the host's part). A window of 2 bars or more always holds the bar
  // decided last, which is how the strategy knows the new window continues the old one
  // (a 1-bar window shares no bar with the one before: live windows hold 1,000)
  it("any window size, any number of bars loaded at start: the live targets equal the backtest's", () => {
    fc.assert(
      fc.property(
        dcaParams,
        fc
          .integer({ min: 2, max: 150 })
          .chain((maxBars) => fc.tuple(fc.constant(maxBars), fc.integer({ min: 1, max: maxBars }))),
        (p, [maxBars, initial]) => {
          const full = backtestTargets(dcaFamily.create(p), part);
          const live = liveTargets(dcaFamily.create(p), part, initial, maxBars);
          expect(firstDifference(full, live)).toBeUndefined();
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });
});

describe("dca when a long session resumes", () => {
  const p = { every: 168, step: 0.02, takeProfit: 0.05 };
  const full = backtestTargets(dcaFamily.create(p), btc);
  // a restart reads every stored bar since the session's start (loadSeries) but keeps only the
  // last 1,000 in its window (BarWindow.of): the bars before it are not in the window any more
  const resumeAt = 1_800;
  const stored = sliceSeries(btc, 0, resumeAt);

  it("a host that prepares the strategy once over the stored bars before windowing them resumes on the backtest's targets", () => {
    const st = dcaFamily.create(p);
    st.prepare?.({ timeframe: "1h", series: { [SYM]: stored } });
    const w = BarWindow.of([stored], windowBars(st.warmup));
    const live = driveWindow(st, btc, w, resumeAt);
    const offset = resumeAt - w.length;
    expect(live.length).toBe(btc.ts.length - offset);
    expect(firstDifference(full.slice(offset), live, offset)).toBeUndefined();
  });

  it("(why the host must: handed only the window, the strategy counts again from its first bar and decides otherwise)", () => {
    const st = dcaFamily.create(p);
    const w = BarWindow.of([stored], windowBars(st.warmup));
    const live = driveWindow(st, btc, w, resumeAt);
    const offset = resumeAt - w.length;
    expect(firstDifference(full.slice(offset), live, offset)).toBeDefined();
  });
});
