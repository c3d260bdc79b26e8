// biome-ignore-all lint/complexity/useMathMinMax: the >= / <= selections skip NaN and stay branch-predictable; Math.max/min would propagate NaN
import { checkInt, checkOut, checkSameLength, ExtremumWindow, fillNaN, Ring } from "./util.ts";

export interface StochasticOutput {
  k: Float64Array;
  d: Float64Array;
}

/** %K where the window's high equals its low (no range): the middle of the range */
export const FLAT_STOCH = 50;

function checkStoch(kPeriod: number, kSmooth: number, dPeriod: number): void {
  checkInt("stochastic", "kPeriod", kPeriod, 1);
  checkInt("stochastic", "kSmooth", kSmooth, 1);
  checkInt("stochastic", "dPeriod", dPeriod, 1);
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA smoothing): fast %K = 100·(close - LL) / (HH - LL) over
 * `kPeriod` bars, k = SMA(fast %K, kSmooth), d = SMA(k, dPeriod). A window with HH = LL gives
 * fast %K 50 (TA-Lib gives 0). k from bar kPeriod+kSmooth-2, d from kPeriod+kSmooth+dPeriod-3.
 * A NaN high or low is skipped by the window's extremes (a window of only NaN gives NaN).
 */
export function stochastic(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod = 14,
  kSmooth = 3,
  dPeriod = 3,
  out: StochasticOutput = { k: new Float64Array(close.length), d: new Float64Array(close.length) },
): StochasticOutput {
  checkStoch(kPeriod, kSmooth, dPeriod);
  const n = checkSameLength("stochastic", high, low, close);
  const ko = checkOut("stochastic", out.k, n, "k");
  const dout = checkOut("stochastic", out.d, n, "d");
  const kStart = kPeriod + kSmooth - 2;
  const dStart = kStart + dPeriod - 1;
  fillNaN(ko, 0, Math.min(kStart, n));
  fillNaN(dout, 0, Math.min(dStart, n));
  const p = kPeriod;
  // window extremes by blocks of p bars (van Herk / Gil-Werman): a window spans the suffix of the
  // previous block and the prefix of the current one, so each bar costs three comparisons that
  // rarely flip, where TA-Lib's rescan mispredicts; the extremes, hence the outputs, are the same
  if (sufHi.length < p + 1) {
    sufHi = new Float64Array(p + 1);
    sufLo = new Float64Array(p + 1);
  }
  const sh = sufHi;
  const sl = sufLo;
  // the block before bar 0 is empty; entry p (window = whole current block) stays empty throughout
  sh.fill(Number.NEGATIVE_INFINITY, 0, p + 1);
  sl.fill(Number.POSITIVE_INFINITY, 0, p + 1);
  // a local copy: V8 reloads imported bindings on every use in a hot loop
  const flatK = FLAT_STOCH;
  // fast %K values awaiting their exit from the two SMA windows
  const fk = kSmooth <= 64 && dPeriod <= 64 ? ringFast : new Float64Array(kSmooth + dPeriod);
  let ksum = 0;
  let dsum = 0;
  let kp = 0;
  let kc = 0;
  let dp = 0;
  let dc = 0;
  const first = p - 1;
  for (let s = 0; s < n; s += p) {
    const e = Math.min(s + p, n);
    let ph = Number.NEGATIVE_INFINITY;
    let pl = Number.POSITIVE_INFINITY;
    for (let i = s; i < e; i++) {
      const hv = high[i]!;
      const lv = low[i]!;
      ph = hv >= ph ? hv : ph;
      pl = lv <= pl ? lv : pl;
      // the window [i-p+1, i] takes the previous block from offset i-s+1 on
      const a = sh[i - s + 1]!;
      const b = sl[i - s + 1]!;
      const hi = a >= ph ? a : ph;
      const lo = b <= pl ? b : pl;
      if (i < first) continue;
      const diff = (hi - lo) / 100;
      const fast = diff !== 0 ? (close[i]! - lo) / diff : flatK;
      fk[kp] = fast;
      ksum += fast;
      kp = kp + 1 === kSmooth ? 0 : kp + 1;
      if (++kc < kSmooth) continue;
      // kp now points at the oldest fast %K of the window
      const k = ksum / kSmooth;
      ksum -= fk[kp]!;
      ko[i] = k;
      fk[kSmooth + dp] = k;
      dsum += k;
      dp = dp + 1 === dPeriod ? 0 : dp + 1;
      if (++dc < dPeriod) continue;
      dout[i] = dsum / dPeriod;
      dsum -= fk[kSmooth + dp]!;
    }
    // suffix extremes of this block, for the windows of the next one
    let mh = Number.NEGATIVE_INFINITY;
    let ml = Number.POSITIVE_INFINITY;
    for (let j = e - 1; j >= s; j--) {
      const hv = high[j]!;
      const lv = low[j]!;
      mh = hv >= mh ? hv : mh;
      ml = lv <= ml ? lv : ml;
      sh[j - s] = mh;
      sl[j - s] = ml;
    }
  }
  return out;
}

let sufHi = new Float64Array(65);
let sufLo = new Float64Array(65);
const ringFast = new Float64Array(128);

/** Streaming slow stochastic; `update` returns %K and sets `d` */
export class StochasticStream {
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  private readonly kr: Ring;
  private readonly dr: Ring;
  private ksum = 0;
  private dsum = 0;
  value = Number.NaN;
  d = Number.NaN;
  constructor(
    readonly kPeriod = 14,
    readonly kSmooth = 3,
    readonly dPeriod = 3,
  ) {
    checkStoch(kPeriod, kSmooth, dPeriod);
    this.hi = new ExtremumWindow(kPeriod, true);
    this.lo = new ExtremumWindow(kPeriod, false);
    this.kr = new Ring(kSmooth);
    this.dr = new Ring(dPeriod);
  }
  update(bar: { high: number; low: number; close: number }): number {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (this.hi.n < this.kPeriod) return this.value;
    const hi = this.hi.value;
    const lo = this.lo.value;
    const diff = (hi - lo) / 100;
    const fast = diff !== 0 ? (bar.close - lo) / diff : FLAT_STOCH;
    this.kr.push(fast);
    this.ksum += fast;
    if (!this.kr.full) return this.value;
    const k = this.ksum / this.kSmooth;
    this.ksum -= this.kr.at(this.kSmooth - 1);
    this.value = k;
    this.dr.push(k);
    this.dsum += k;
    if (!this.dr.full) return this.value;
    this.d = this.dsum / this.dPeriod;
    this.dsum -= this.dr.at(this.dPeriod - 1);
    return this.value;
  }
}
