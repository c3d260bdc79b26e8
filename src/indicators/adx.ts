// biome-ignore-all lint/complexity/useMathMinMax: the > / < selections stay branch-predictable and skip NaN as TA-Lib does; Math.max/min would propagate NaN
import { trueRangeOf } from "./true-range.ts";
import { checkInt, checkOut, checkSameLength, fillNaN } from "./util.ts";

// Directional movement as TA-Lib counts it (-DM when the low fell more than the high rose, +DM the
// reverse), written as a 0/1 mask: the branches mispredict on real prices and cost twice the time
const minusDm = (dp: number, dm: number): number => dm * (+(dm > 0) & +(dp < dm));
const plusDm = (dp: number, dm: number): number => dp * (+(dp > 0) & +(dp > dm));

export interface AdxOutput {
  adx: Float64Array;
  plusDi: Float64Array;
  minusDi: Float64Array;
}

/**
 * ADX with +DI and -DI (TA-Lib ADX, PLUS_DI, MINUS_DI): Wilder sums of directional movement and
 * true range; DI from bar `period`, ADX (Wilder mean of DX seeded with the plain mean of the
 * first `period` DX values) from bar 2·period-1. Where the smoothed true range is 0 the DIs are
 * 0 and ADX keeps its last value (TA-Lib tests |x| < 1e-8; we test exact zero).
 */
export function adx(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 14,
  out: AdxOutput = {
    adx: new Float64Array(close.length),
    plusDi: new Float64Array(close.length),
    minusDi: new Float64Array(close.length),
  },
): AdxOutput {
  checkInt("adx", "period", period, 2);
  const n = checkSameLength("adx", high, low, close);
  const ax = checkOut("adx", out.adx, n, "adx");
  const pdi = checkOut("adx", out.plusDi, n, "plusDi");
  const mdi = checkOut("adx", out.minusDi, n, "minusDi");
  fillNaN(pdi, 0, Math.min(period, n));
  fillNaN(mdi, 0, Math.min(period, n));
  fillNaN(ax, 0, Math.min(2 * period - 1, n));
  if (n <= period) return out;
  let pdm = 0;
  let mdm = 0;
  let str = 0;
  let ph = high[0]!;
  let pl = low[0]!;
  let pc = close[0]!;
  for (let i = 1; i < period; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const dp = h - ph;
    const dm = pl - l;
    mdm += minusDm(dp, dm);
    pdm += plusDm(dp, dm);
    str += trueRangeOf(h, l, pc);
    ph = h;
    pl = l;
    pc = close[i]!;
  }
  let sumDx = 0;
  const end2 = Math.min(2 * period - 1, n - 1);
  // the first `period` DX values (seed of the ADX mean) here; the steady state in adxRun
  for (let i = period; i <= end2; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const dp = h - ph;
    const dm = pl - l;
    mdm -= mdm / period;
    pdm -= pdm / period;
    mdm += minusDm(dp, dm);
    pdm += plusDm(dp, dm);
    str = str - str / period + trueRangeOf(h, l, pc);
    ph = h;
    pl = l;
    pc = close[i]!;
    if (str !== 0) {
      const md = 100 * (mdm / str);
      const pd = 100 * (pdm / str);
      pdi[i] = pd;
      mdi[i] = md;
      const s = md + pd;
      if (s !== 0) sumDx += 100 * (Math.abs(md - pd) / s);
    } else {
      pdi[i] = 0;
      mdi[i] = 0;
    }
  }
  if (end2 < 2 * period - 1) return out;
  const adxv = sumDx / period;
  ax[end2] = adxv;
  const st = runState;
  st[0] = period;
  st[1] = pdm;
  st[2] = mdm;
  st[3] = str;
  st[4] = ph;
  st[5] = pl;
  st[6] = pc;
  st[7] = adxv;
  st[8] = period - 1;
  adxRun(high, low, close, end2 + 1, n, st, ax, pdi, mdi);
  return out;
}

/**
 * The steady-state ADX loop from bar `from` on, given the Wilder sums after bar from-1 in `st` (a
 * Float64Array: V8 keeps number arguments boxed in a loop's variables). Reading the arrays' lengths
 * first spares V8's per-bar checks that they are objects; unrolled by two so the two bars share its
 * array checks, with the same arithmetic in the same order. The tail loop always gets a bar or two,
 * so it has type feedback and never deoptimises when a length of the other parity comes.
 */
function adxRun(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  from: number,
  n: number,
  st: Float64Array,
  ax: Float64Array,
  pdi: Float64Array,
  mdi: Float64Array,
): void {
  const p = st[0]!;
  const pm1 = st[8]!;
  let pdm = st[1]!;
  let mdm = st[2]!;
  let str = st[3]!;
  let ph = st[4]!;
  let pl = st[5]!;
  let pc = st[6]!;
  let adxv = st[7]!;
  if (
    high.length < n ||
    low.length < n ||
    close.length < n ||
    ax.length < n ||
    pdi.length < n ||
    mdi.length < n
  )
    return;
  let i = from;
  for (const m = n - 2; i < m; i += 2) {
    {
      const h = high[i]!;
      const l = low[i]!;
      const dp = h - ph;
      const dm = pl - l;
      mdm -= mdm / p;
      pdm -= pdm / p;
      mdm += dm * (+(dm > 0) & +(dp < dm));
      pdm += dp * (+(dp > 0) & +(dp > dm));
      str = str - str / p + ((h > pc ? h : pc) - (l < pc ? l : pc));
      ph = h;
      pl = l;
      pc = close[i]!;
      if (str !== 0) {
        const md = 100 * (mdm / str);
        const pd = 100 * (pdm / str);
        pdi[i] = pd;
        mdi[i] = md;
        const s = md + pd;
        if (s !== 0) adxv = (adxv * pm1 + 100 * (Math.abs(md - pd) / s)) / p;
      } else {
        pdi[i] = 0;
        mdi[i] = 0;
      }
      ax[i] = adxv;
    }
    {
      const h = high[i + 1]!;
      const l = low[i + 1]!;
      const dp = h - ph;
      const dm = pl - l;
      mdm -= mdm / p;
      pdm -= pdm / p;
      mdm += dm * (+(dm > 0) & +(dp < dm));
      pdm += dp * (+(dp > 0) & +(dp > dm));
      str = str - str / p + ((h > pc ? h : pc) - (l < pc ? l : pc));
      ph = h;
      pl = l;
      pc = close[i + 1]!;
      if (str !== 0) {
        const md = 100 * (mdm / str);
        const pd = 100 * (pdm / str);
        pdi[i + 1] = pd;
        mdi[i + 1] = md;
        const s = md + pd;
        if (s !== 0) adxv = (adxv * pm1 + 100 * (Math.abs(md - pd) / s)) / p;
      } else {
        pdi[i + 1] = 0;
        mdi[i + 1] = 0;
      }
      ax[i + 1] = adxv;
    }
  }
  for (; i < n; i++) {
    {
      const h = high[i]!;
      const l = low[i]!;
      const dp = h - ph;
      const dm = pl - l;
      mdm -= mdm / p;
      pdm -= pdm / p;
      mdm += dm * (+(dm > 0) & +(dp < dm));
      pdm += dp * (+(dp > 0) & +(dp > dm));
      str = str - str / p + ((h > pc ? h : pc) - (l < pc ? l : pc));
      ph = h;
      pl = l;
      pc = close[i]!;
      if (str !== 0) {
        const md = 100 * (mdm / str);
        const pd = 100 * (pdm / str);
        pdi[i] = pd;
        mdi[i] = md;
        const s = md + pd;
        if (s !== 0) adxv = (adxv * pm1 + 100 * (Math.abs(md - pd) / s)) / p;
      } else {
        pdi[i] = 0;
        mdi[i] = 0;
      }
      ax[i] = adxv;
    }
  }
}

const runState = new Float64Array(9);

/** Streaming ADX; `update` returns ADX and sets `plusDi` and `minusDi` */
export class AdxStream {
  private count = 0;
  private pdm = 0;
  private mdm = 0;
  private str = 0;
  private ph = Number.NaN;
  private pl = Number.NaN;
  private pc = Number.NaN;
  private sumDx = 0;
  value = Number.NaN;
  plusDi = Number.NaN;
  minusDi = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("adx", "period", period, 2);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const i = this.count++;
    const p = this.period;
    const h = bar.high;
    const l = bar.low;
    if (i > 0) {
      const dp = h - this.ph;
      const dm = this.pl - l;
      if (i >= p) {
        this.mdm -= this.mdm / p;
        this.pdm -= this.pdm / p;
      }
      this.mdm += minusDm(dp, dm);
      this.pdm += plusDm(dp, dm);
      const tr = trueRangeOf(h, l, this.pc);
      this.str = i >= p ? this.str - this.str / p + tr : this.str + tr;
      if (i >= p) {
        let dx = -1;
        if (this.str !== 0) {
          const md = 100 * (this.mdm / this.str);
          const pd = 100 * (this.pdm / this.str);
          this.plusDi = pd;
          this.minusDi = md;
          const s = md + pd;
          if (s !== 0) dx = 100 * (Math.abs(md - pd) / s);
        } else {
          this.plusDi = 0;
          this.minusDi = 0;
        }
        const end2 = 2 * p - 1;
        if (i < end2) {
          if (dx !== -1) this.sumDx += dx;
        } else if (i === end2) {
          if (dx !== -1) this.sumDx += dx;
          this.value = this.sumDx / p;
        } else if (dx !== -1) this.value = (this.value * (p - 1) + dx) / p;
      }
    }
    this.ph = h;
    this.pl = l;
    this.pc = bar.close;
    return this.value;
  }
}
