import type { CandleSeries } from "../domain/candle-series.ts";
import type { Timeframe } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { BasketData } from "../strategies/_kit/basket.ts";

/** One symbol of a screen: its own bars, and where they sit on the run's clock */
export interface ScreenMarket {
  readonly symbol: string;
  readonly series: CandleSeries;
  /** clock index of each own bar */
  readonly at: Int32Array;
  /** close-to-close returns on the clock (0 where the symbol has no bar or no previous bar) */
  readonly returns: Float64Array;
  /** 1 where the symbol has a bar on the clock */
  readonly present: Uint8Array;
}

/** The run's data: every symbol aligned on the union of their bar times */
export interface ScreenData {
  readonly timeframe: Timeframe;
  readonly clock: Float64Array;
  readonly markets: readonly ScreenMarket[];
  /** the basket view for cross-sectional families (NaN where a symbol has no bar) */
  readonly basket: BasketData;
  /** equal-weight buy-and-hold of the symbols present at each bar, close to close */
  readonly basketReturns: Float64Array;
  readonly basketPresent: Uint8Array;
}

/** Aligns the series on one clock; `reference` (BTC) feeds relative-strength families */
export function prepareScreenData(series: readonly CandleSeries[], reference?: CandleSeries): ScreenData {
  if (series.length === 0) throw invalidInput("screen: no series to screen: pass --symbols or --universe");
  const tf = series[0]!.timeframe;
  for (const s of series)
    if (s.timeframe !== tf)
      throw invalidInput(`screen: ${s.symbol} is ${s.timeframe}, expected ${tf}: use one timeframe`);
  const all = new Set<number>();
  for (const s of series) for (const t of s.ts) all.add(t);
  const clock = Float64Array.from(all).sort();
  const n = clock.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) index.set(clock[i]!, i);
  const markets: ScreenMarket[] = [];
  const opens: Float64Array[] = [];
  const closes: Float64Array[] = [];
  for (const s of series) {
    const at = new Int32Array(s.ts.length);
    const present = new Uint8Array(n);
    const returns = new Float64Array(n);
    const o = new Float64Array(n).fill(Number.NaN);
    const c = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < s.ts.length; i++) {
      const k = index.get(s.ts[i]!)!;
      at[i] = k;
      present[k] = 1;
      o[k] = s.open[i]!;
      c[k] = s.close[i]!;
      if (i > 0) returns[k] = s.close[i]! / s.close[i - 1]! - 1;
    }
    markets.push({ symbol: s.symbol, series: s, at, returns, present });
    opens.push(o);
    closes.push(c);
  }
  let ref: Float64Array | undefined;
  if (reference !== undefined) {
    ref = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < reference.ts.length; i++) {
      const k = index.get(reference.ts[i]!);
      if (k !== undefined) ref[k] = reference.close[i]!;
    }
  }
  const basketReturns = new Float64Array(n);
  const basketPresent = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    let m = 0;
    for (const mk of markets) {
      if (mk.present[t] === 1) basketPresent[t] = 1;
      if (mk.present[t] === 1 && mk.returns[t] !== 0) {
        s += mk.returns[t]!;
        m++;
      }
    }
    basketReturns[t] = m > 0 ? s / m : 0;
  }
  const basket: BasketData = {
    timeframe: tf,
    ts: clock,
    symbols: markets.map((m) => m.symbol),
    open: opens,
    close: closes,
    ...(ref === undefined ? {} : { reference: ref }),
  };
  return { timeframe: tf, clock, markets, basket, basketReturns, basketPresent };
}
