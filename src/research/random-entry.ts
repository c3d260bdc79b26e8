import type { Rng } from "../domain/random.ts";

/**
 * Random-entry baseline: the same number of trades with the same holding periods as the strategy,
 * dropped at random places inside the evaluated bars. Each draw's per-bar returns are the market's
 * close-to-close returns while holding, less `cost` (fee + slippage) on the entry and exit bars; its
 * Sharpe comes from prefix sums, so a draw costs O(trades), not O(bars).
 */
/** A market's evaluated returns with their prefix sums, built once and shared by every variant on it */
export interface RandomEntryMarket {
  readonly returns: Float64Array;
  readonly p1: Float64Array;
  readonly p2: Float64Array;
}

export function randomEntryMarket(returns: Float64Array): RandomEntryMarket {
  const t = returns.length;
  const p1 = new Float64Array(t + 1);
  const p2 = new Float64Array(t + 1);
  for (let i = 0; i < t; i++) {
    const r = returns[i]!;
    p1[i + 1] = p1[i]! + r;
    p2[i + 1] = p2[i]! + r * r;
  }
  return { returns, p1, p2 };
}

export interface RandomEntryInput {
  /** market per-bar returns over the evaluated bars only (one contiguous stretch) */
  market: Float64Array | RandomEntryMarket;
  /** holding period of each strategy trade in bars (>= 1); their sum must not exceed the bars */
  durations: readonly number[];
  /** cost charged per side, as a fraction (fee + slippage) */
  cost: number;
  draws: number;
  rng: Rng;
}

/** Per-bar Sharpe of every random draw */
export function randomEntrySharpes(x: RandomEntryInput): Float64Array {
  const mk = x.market instanceof Float64Array ? randomEntryMarket(x.market) : x.market;
  const { returns: market, p1, p2 } = mk;
  const t = market.length;
  const out = new Float64Array(x.draws);
  const k = x.durations.length;
  const held = x.durations.reduce((s, d) => s + d, 0);
  if (k === 0 || held > t || t < 2) return out;
  const free = t - held;
  const durs = x.durations.slice();
  const cuts = new Float64Array(k);
  const c = x.cost;
  for (let d = 0; d < x.draws; d++) {
    // shuffle the holding periods, then split the free bars into k + 1 random gaps
    for (let i = k - 1; i > 0; i--) {
      const j = x.rng.int(i + 1);
      const tmp = durs[i]!;
      durs[i] = durs[j]!;
      durs[j] = tmp;
    }
    sortedCuts(x.rng, free, cuts);
    let s1 = 0;
    let s2 = 0;
    let pos = 0;
    let prevCut = 0;
    for (let i = 0; i < k; i++) {
      pos += cuts[i]! - prevCut;
      prevCut = cuts[i]!;
      const a = pos;
      const b = pos + durs[i]!;
      s1 += p1[b]! - p1[a]! - 2 * c;
      s2 += p2[b]! - p2[a]!;
      const ra = market[a]!;
      const rb = market[b - 1]!;
      // (r - c)^2 - r^2 on the entry and exit bars, or (r - 2c)^2 - r^2 when they coincide
      if (b - 1 === a) s2 += -4 * c * ra + 4 * c * c;
      else s2 += -2 * c * ra + c * c - 2 * c * rb + c * c;
      pos = b;
    }
    const mean = s1 / t;
    const v = (s2 - s1 * mean) / (t - 1);
    out[d] = v > 1e-30 ? mean / Math.sqrt(v) : 0;
  }
  return out;
}

/**
 * k sorted uniform integers in [0, free]: k uniform draws sorted (typed-array sort, or for many
 * trades the order statistics of uniforms through exponential spacings, O(k) without a sort)
 */
function sortedCuts(rng: Rng, free: number, cuts: Float64Array): void {
  const k = cuts.length;
  if (k <= 64) {
    for (let i = 0; i < k; i++) cuts[i] = rng.int(free + 1);
    cuts.sort();
    return;
  }
  let acc = 0;
  for (let i = 0; i < k; i++) {
    acc += -Math.log(1 - rng.next());
    cuts[i] = acc;
  }
  const total = acc - Math.log(1 - rng.next());
  for (let i = 0; i < k; i++) cuts[i] = Math.min(free, Math.floor(((free + 1) * cuts[i]!) / total));
}
