import { createRng } from "../domain/random.ts";
import type { AnyFamily } from "../strategies/catalog.ts";
import { isBasket } from "../strategies/catalog.ts";
import { type RandomEntryMarket, randomEntryMarket, randomEntrySharpes } from "./random-entry.ts";
import type { ScreenData } from "./screen-data.ts";
import { simulateBasket, simulateExposure } from "./simulate.ts";
import { type BarRange, cpcvSplits, type Split, walkForwardSplits } from "./splits.ts";
import { moments, quantile, sharpePerBar } from "./stats.ts";
import type { ValidationConfig } from "./validation-config.ts";

/** What a variant is: a family, its parameters, and the symbol it trades ("basket" for cross-sectional families) */
export interface VariantSpec {
  family: string;
  params: Record<string, number | boolean>;
  symbol: string;
}

/** Stable id of a variant, e.g. "macd:fast=12,slow=26,signal=9@BTC/USDT" */
export const variantId = (v: VariantSpec): string =>
  `${v.family}:${Object.keys(v.params)
    .sort()
    .map((k) => `${k}=${v.params[k]}`)
    .join(",")}@${v.symbol}`;

/** The split geometry every variant of a run shares, on the run's clock */
export interface ScreenLayout {
  n: number;
  /** first out-of-sample bar: walk-forward tests on [oosStart, n) */
  oosStart: number;
  walkForward: { anchored: Split[]; rolling: Split[] };
  cpcv: Split[];
  /** PBO block edges, pboBlocks + 1 of them */
  blocks: Int32Array;
}

export function screenLayout(n: number, c: ValidationConfig): ScreenLayout {
  const anchored = walkForwardSplits(n, c.walkForwardFolds, "anchored");
  const blocks = new Int32Array(c.pboBlocks + 1);
  for (let b = 0; b <= c.pboBlocks; b++) blocks[b] = Math.floor((b * n) / c.pboBlocks);
  return {
    n,
    oosStart: anchored[0]!.test[0]!.start,
    walkForward: { anchored, rolling: walkForwardSplits(n, c.walkForwardFolds, "rolling") },
    cpcv: cpcvSplits(n, {
      groups: c.cpcvGroups,
      testGroups: c.cpcvTestGroups,
      embargoFraction: c.embargoFraction,
      purgeBars: c.purgeBars,
    }),
    blocks,
  };
}

/** Per-bar Sharpe pairs of a split: [train, test] */
export type SplitSharpe = [number, number];

/** Everything validation needs from one variant, computed in one pass over its return curve */
export interface VariantStats {
  id: string;
  spec: VariantSpec;
  /** out-of-sample figures over the walk-forward test bars where the symbol exists */
  oos: {
    bars: number;
    sharpe: number;
    skew: number;
    kurtosis: number;
    totalReturn: number;
    maxDrawdown: number;
    trades: number;
    barsInMarket: number;
  };
  /** in-sample (first chunk, never tested) per-bar Sharpe: the adaptive search's fitness */
  trainSharpe: number;
  fullSharpe: number;
  /** OOS trades: holding period in bars and return, for the random-entry baseline and Monte Carlo */
  tradeDurations: number[];
  tradeReturns: number[];
  wfAnchored: SplitSharpe[];
  wfRolling: SplitSharpe[];
  cpcv: SplitSharpe[];
  /** per PBO block: sum and sum of squares of returns (absent bars count as 0) */
  blockSum: Float64Array;
  blockSq: Float64Array;
  /** random-entry baseline: the configured percentile of the draws' per-bar Sharpe (set by evaluateLocally) */
  randomPercentile?: number;
}

/** Scratch buffers reused across variants so the hot loop allocates little */
export interface EvalScratch {
  own: Float64Array;
  clock: Float64Array;
  p1: Float64Array;
  p2: Float64Array;
  pc: Float64Array;
}

export const allocScratch = (n: number): EvalScratch => ({
  own: new Float64Array(n),
  clock: new Float64Array(n),
  p1: new Float64Array(n + 1),
  p2: new Float64Array(n + 1),
  pc: new Float64Array(n + 1),
});

/**
 * Runs one variant and reduces its curve to VariantStats. The returned curve (`scratch.clock`,
 * on the run's clock, 0 where the symbol has no bar) stays valid until the next call.
 */
export function evaluateVariant(
  data: ScreenData,
  layout: ScreenLayout,
  family: AnyFamily,
  spec: VariantSpec,
  c: ValidationConfig,
  scratch: EvalScratch,
): VariantStats {
  const n = layout.n;
  const costs = { fee: c.fee, slippage: c.slippage };
  const r = scratch.clock;
  r.fill(0);
  let present: Uint8Array;
  let entries: Int32Array;
  let exits: Int32Array;
  let trRet: Float64Array;
  let count: number;
  if (isBasket(family)) {
    const w = family.weights(data.basket, spec.params);
    const sim = simulateBasket(data.basket.open, data.basket.close, w, costs, r);
    present = data.basketPresent;
    ({ entry: entries, exit: exits, ret: trRet, count } = sim.trades);
  } else {
    const m = data.markets.find((x) => x.symbol === spec.symbol);
    if (m === undefined) throw new Error(`screen: unknown symbol ${spec.symbol}`);
    const s = m.series;
    const e = family.exposures(s, spec.params);
    const own = scratch.own.length >= s.close.length ? scratch.own : new Float64Array(s.close.length);
    const sim = simulateExposure(s.open, s.close, e, costs, own, s);
    for (let i = 0; i < s.close.length; i++) r[m.at[i]!] = own[i]!;
    present = m.present;
    count = sim.trades.count;
    // trade bars move from own indices to the clock
    entries = sim.trades.entry.map((b) => m.at[b] ?? n);
    exits = sim.trades.exit.map((b) => (b >= s.close.length ? n : m.at[b]!));
    trRet = sim.trades.ret;
  }
  const { p1, p2, pc } = scratch;
  p1[0] = 0;
  p2[0] = 0;
  pc[0] = 0;
  for (let t = 0; t < n; t++) {
    const x = r[t]!;
    p1[t + 1] = p1[t]! + x;
    p2[t + 1] = p2[t]! + x * x;
    pc[t + 1] = pc[t]! + present[t]!;
  }
  const sr = (ranges: readonly BarRange[]): number => {
    let s = 0;
    let q = 0;
    let k = 0;
    for (const g of ranges) {
      s += p1[g.end]! - p1[g.start]!;
      q += p2[g.end]! - p2[g.start]!;
      k += pc[g.end]! - pc[g.start]!;
    }
    if (k < 2) return 0;
    const mean = s / k;
    const v = (q - s * mean) / (k - 1);
    return v > 1e-30 ? mean / Math.sqrt(v) : 0;
  };
  const pairs = (splits: readonly Split[]): SplitSharpe[] => splits.map((sp) => [sr(sp.train), sr(sp.test)]);
  // OOS moments over present bars only
  const oosStart = layout.oosStart;
  const oosVals = scratch.own;
  let nOos = 0;
  let eq = 1;
  let peak = 1;
  let mdd = 0;
  for (let t = oosStart; t < n; t++) {
    if (present[t] !== 1) continue;
    const x = r[t]!;
    oosVals[nOos++] = x;
    eq *= 1 + x;
    if (eq > peak) peak = eq;
    else if (1 - eq / peak > mdd) mdd = 1 - eq / peak;
  }
  const mo = moments(oosVals, 0, nOos);
  const tradeDurations: number[] = [];
  const tradeReturns: number[] = [];
  let inMarketOos = 0;
  for (let i = 0; i < count; i++) {
    // trades still open when the OOS bars begin count from there
    if (exits[i]! <= oosStart) continue;
    const a = Math.max(oosStart, entries[i]!);
    // holding period in bars where the symbol exists (basket: any symbol)
    const b = Math.min(n, exits[i]!);
    const d = Math.max(1, pc[b]! - pc[a]!);
    tradeDurations.push(d);
    tradeReturns.push(trRet[i]!);
    inMarketOos += d;
  }
  const blocks = layout.blocks;
  const nb = blocks.length - 1;
  const blockSum = new Float64Array(nb);
  const blockSq = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    blockSum[b] = p1[blocks[b + 1]!]! - p1[blocks[b]!]!;
    blockSq[b] = p2[blocks[b + 1]!]! - p2[blocks[b]!]!;
  }
  return {
    id: variantId(spec),
    spec,
    oos: {
      bars: mo.n,
      sharpe: mo.n > 1 && mo.sd > 1e-15 ? mo.mean / mo.sd : 0,
      skew: mo.skew,
      kurtosis: mo.kurtosis,
      totalReturn: eq - 1,
      maxDrawdown: mdd,
      trades: tradeDurations.length,
      barsInMarket: Math.min(inMarketOos, mo.n),
    },
    trainSharpe: sr([{ start: 0, end: oosStart }]),
    fullSharpe: sr([{ start: 0, end: n }]),
    tradeDurations,
    tradeReturns,
    wfAnchored: pairs(layout.walkForward.anchored),
    wfRolling: pairs(layout.walkForward.rolling),
    cpcv: pairs(layout.cpcv),
    blockSum,
    blockSq,
  };
}

/** The market a variant is compared with over the OOS bars: its symbol (or the equal-weight basket) */
export interface OosMarket {
  /** buy-and-hold per-bar returns over the OOS bars where the market exists */
  returns: Float64Array;
  sharpe: number;
  prefixed: RandomEntryMarket;
}

const oosMarkets = new WeakMap<ScreenData, Map<string, OosMarket>>();

/** Buy-and-hold over the same OOS bars, cached per run and symbol */
export function oosMarketOf(data: ScreenData, layout: ScreenLayout, symbol: string): OosMarket {
  let byData = oosMarkets.get(data);
  if (byData === undefined) {
    byData = new Map();
    oosMarkets.set(data, byData);
  }
  const hit = byData.get(symbol);
  if (hit !== undefined) return hit;
  const m = data.markets.find((x) => x.symbol === symbol);
  const rets = m?.returns ?? data.basketReturns;
  const present = m?.present ?? data.basketPresent;
  const vals: number[] = [];
  for (let t = layout.oosStart; t < layout.n; t++) if (present[t] === 1) vals.push(rets[t]!);
  const returns = Float64Array.from(vals);
  const v = { returns, sharpe: sharpePerBar(returns), prefixed: randomEntryMarket(returns) };
  byData.set(symbol, v);
  return v;
}

/** FNV-1a of a string: seeds each variant's own random draws, so they never depend on evaluation order or threads */
export const hashId = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

/**
 * The random-entry baseline of one variant: draws with its number of trades and holding periods over
 * the same OOS bars and costs, each variant with its own seed (run seed and variant id).
 */
export function randomEntryPercentile(
  data: ScreenData,
  layout: ScreenLayout,
  s: VariantStats,
  c: ValidationConfig,
  seed: number,
): number {
  const mk = oosMarketOf(data, layout, s.spec.symbol);
  const held = s.tradeDurations.reduce((a, b) => a + b, 0);
  const durations = held <= mk.returns.length ? s.tradeDurations : [];
  const draws = randomEntrySharpes({
    market: mk.prefixed,
    durations,
    cost: c.fee + c.slippage,
    draws: c.randomDraws,
    rng: createRng((seed ^ hashId(s.id)) >>> 0),
  });
  return quantile(draws, c.randomPercentile);
}
