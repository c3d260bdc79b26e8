// biome-ignore-all lint/complexity/useMathMinMax: the >= / <= selections skip NaN and stay branch-predictable; Math.max/min would propagate NaN
import { blockKernel } from "./stochastic-block.ts";
import { checkInt, checkOut, checkSameLength, ExtremumWindow, fillNaN, Ring } from "./util.ts";

export interface StochasticOutput {
  k: Float64Array;
  d: Float64Array;
}

/** %K where the window's high equals its low (no range): the middle of the range */
export const FLAT_STOCH = 50;

/**
 * Fast %K from a window's extremes, as TA-Lib computes it: 100·(close - lo)/(hi - lo) through
 * diff = (hi - lo)/100; `flat` where hi = lo. NaN where the window holds no valid high or low: the
 * batch extremes are then -Infinity or +Infinity, so diff is infinite and diff - diff NaN (it is +0
 * for any finite diff); the stream's are NaN. Shared by every loop here and the stream, so they
 * agree bit for bit (the generated kernels in stochastic-block.ts write out the same expression).
 */
export function fastK(close: number, hi: number, lo: number, flat: number): number {
  const diff = (hi - lo) / 100;
  return diff !== 0 ? (close - lo) / diff + (diff - diff) : flat;
}

function checkStoch(kPeriod: number, kSmooth: number, dPeriod: number): void {
  checkInt("stochastic", "kPeriod", kPeriod, 1);
  checkInt("stochastic", "kSmooth", kSmooth, 1);
  checkInt("stochastic", "dPeriod", dPeriod, 1);
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA smoothing): fast %K = 100·(close - LL) / (HH - LL) over
 * `kPeriod` bars, k = SMA(fast %K, kSmooth), d = SMA(k, dPeriod). A window with HH = LL gives
 * fast %K 50 (TA-Lib gives 0). k from bar kPeriod+kSmooth-2, d from kPeriod+kSmooth+dPeriod-3.
 * A NaN high or low is skipped by the window's extremes; a window without a valid high or low gives
 * NaN, and a NaN %K or close keeps the smoothing sums NaN from then on (as TA-Lib's running sums).
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
  checkSameLength("stochastic", high, low, close);
  const n = close.length;
  const ko = checkOut("stochastic", out.k, n, "k");
  const dout = checkOut("stochastic", out.d, n, "d");
  const kStart = kPeriod + kSmooth - 2;
  const dStart = kStart + dPeriod - 1;
  const p = kPeriod;
  // the small path writes every bar, warm-up included; the general loop writes from the first output
  const small = kSmooth <= 3 && dPeriod <= 3;
  if (small) stochasticSmall(high, low, close, ko, dout, n, p, kSmooth, dPeriod);
  fillNaN(ko, 0, Math.min(kStart, n));
  fillNaN(dout, 0, Math.min(dStart, n));
  if (small) return out;
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
      const fast = fastK(close[i]!, hi, lo, flatK);
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

/**
 * Slow stochastic for %K and %D smoothing of at most 3 bars (the usual 3/3 or 1/3), with the same
 * window extremes and the same arithmetic in the same order as the general loop, so the same outputs.
 * V8 compiles `a >= b ? a : b` to a branch, and the running extremes of real prices flip it every few
 * bars, each flip a mispredict; here each running extreme is picked from a two-slot scratch by the
 * comparison's 0/1 (`s[+(h >= ph)]`), exact for any value, NaN included, and branch-free. The suffix
 * extremes the next block needs are taken in the same pass (bar e-1-t while bar s+t goes forwards),
 * so their selection chain overlaps the prefix one; the last two fast %K and %K ride in registers
 * instead of rings. The blocks after the warm-up run in a kernel generated for the period (see
 * stochastic-block.ts); the warm-up and the last partial block in the loop here. Outputs before the
 * warm-up ends are left for the caller to overwrite with NaN.
 */
function stochasticSmall(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  ko: Float64Array,
  dout: Float64Array,
  n: number,
  p: number,
  kSmooth: number,
  dPeriod: number,
): void {
  const q = p + 1;
  // [suffix highs, suffix lows] of the previous block and of the current one
  if (scratch.length < 4 * q) scratch = new Float64Array(4 * q);
  const sf = scratch;
  sf.fill(Number.NEGATIVE_INFINITY, 0, q);
  sf.fill(Number.POSITIVE_INFINITY, q, 2 * q);
  sf.fill(Number.NEGATIVE_INFINITY, 2 * q, 3 * q);
  sf.fill(Number.POSITIVE_INFINITY, 3 * q, 4 * q);
  const st = smallState;
  st.fill(0);
  st[0] = kSmooth;
  st[1] = dPeriod;
  st[2] = FLAT_STOCH;
  // the blocks holding a bar before the first %K need the warm-up checks of the loop
  const kStart = p + kSmooth - 2;
  let s = Math.min(n, p * Math.ceil(kStart / p));
  stochasticSmallRun(high, low, close, ko, dout, sf, selection, n, p, kSmooth, dPeriod, st, 0, s);
  const kernel = blockKernel(p, kSmooth, dPeriod);
  if (kernel !== undefined) s = kernel(high, low, close, ko, dout, sf, selection, n, s, st);
  stochasticSmallRun(high, low, close, ko, dout, sf, selection, n, p, kSmooth, dPeriod, st, s, n);
}

/**
 * The loop of stochasticSmall over the blocks starting in [from, to) (from a block start), its
 * doubles in `st` (V8 keeps number arguments boxed in a loop): [kSmooth, dPeriod, flat %K, then the
 * running state ksum, dsum, f1, f2, k1, k2, a], read at the start and written at the end
 */
function stochasticSmallRun(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  ko: Float64Array,
  dout: Float64Array,
  sf: Float64Array,
  sel: Float64Array,
  n: number,
  p: number,
  kSmooth: number,
  dPeriod: number,
  st: Float64Array,
  from: number,
  to: number,
): void {
  const ks = st[0]!;
  const ds = st[1]!;
  const flatK = st[2]!;
  const q = p + 1;
  const first = p - 1;
  const kStart = first + kSmooth - 1;
  let ksum = st[3]!;
  let dsum = st[4]!;
  let f1 = st[5]!;
  let f2 = st[6]!;
  let k1 = st[7]!;
  let k2 = st[8]!;
  let a = st[9]! | 0;
  for (let s = from; s < to; s += p) {
    const e = s + p < n ? s + p : n;
    const c = 2 * q - a;
    // bar i reads the previous block's suffix at R + i; bar E - i writes this block's at W - i
    const R = a + 1 - s;
    const E = e - 1 + s;
    const W = c + e - 1;
    let ph = Number.NEGATIVE_INFINITY;
    let pl = Number.POSITIVE_INFINITY;
    let mh = Number.NEGATIVE_INFINITY;
    let ml = Number.POSITIVE_INFINITY;
    for (let i = s; i < e; i++) {
      const j = E - i;
      const hv = high[i]!;
      const lv = low[i]!;
      const hw = high[j]!;
      const lw = low[j]!;
      sel[0] = ph;
      sel[1] = hv;
      sel[2] = pl;
      sel[3] = lv;
      sel[4] = mh;
      sel[5] = hw;
      sel[6] = ml;
      sel[7] = lw;
      ph = sel[+(hv >= ph)]!;
      pl = sel[2 + +(lv <= pl)]!;
      mh = sel[4 + +(hw >= mh)]!;
      ml = sel[6 + +(lw <= ml)]!;
      const w = W - i;
      sf[w] = mh;
      sf[w + q] = ml;
      const r = R + i;
      const ah = sf[r]!;
      const al = sf[r + q]!;
      // these two flip about once a block, so branches predict them well
      const hi = ah >= ph ? ah : ph;
      const lo = al <= pl ? al : pl;
      const fast = i >= first ? fastK(close[i]!, hi, lo, flatK) : 0;
      // before bar `first` fast is 0 and f1, f2 are 0, so the sums see the general loop's additions
      ksum += fast;
      let k = ksum / ks;
      ksum -= kSmooth === 3 ? f2 : kSmooth === 2 ? f1 : fast;
      f2 = f1;
      f1 = fast;
      ko[i] = k;
      if (i < kStart) k = 0;
      dsum += k;
      dout[i] = dsum / ds;
      dsum -= dPeriod === 3 ? k2 : dPeriod === 2 ? k1 : k;
      k2 = k1;
      k1 = k;
    }
    a = c;
  }
  st[3] = ksum;
  st[4] = dsum;
  st[5] = f1;
  st[6] = f2;
  st[7] = k1;
  st[8] = k2;
  st[9] = a;
}

let scratch = new Float64Array(64);
/** the two-slot choices of the four running extremes; an array of its own, apart from `scratch` */
const selection = new Float64Array(8);
const smallState = new Float64Array(10);

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
    const fast = fastK(bar.close, hi, lo, FLAT_STOCH);
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
