import { checkNum, checkOut, checkSameLength } from "./util.ts";

function checkSar(acceleration: number, maximum: number): void {
  checkNum("psar", "acceleration", acceleration, 0, 1);
  checkNum("psar", "maximum", maximum, 0, 1);
}

/**
 * Streaming parabolic SAR (TA-Lib SAR): the first direction comes from bar 1's directional
 * movement (short when -DM > 0), the SAR is clamped to the last two bars' range, and a reversal
 * starts from the prior extreme point. Defined from bar 1.
 */
export class PsarStream {
  private n = 0;
  private isLong = true;
  private af: number;
  private ep = 0;
  private sar = 0;
  private newHigh = 0;
  private newLow = 0;
  private ph0 = 0;
  private pl0 = 0;
  value = Number.NaN;
  constructor(
    readonly acceleration = 0.02,
    readonly maximum = 0.2,
  ) {
    checkSar(acceleration, maximum);
    if (acceleration > maximum) this.acceleration = maximum;
    this.af = this.acceleration;
  }
  update(bar: { high: number; low: number }): number {
    const n = this.n++;
    const h = bar.high;
    const l = bar.low;
    if (n === 0) {
      this.ph0 = h;
      this.pl0 = l;
      return this.value;
    }
    const acc = this.acceleration;
    const max = this.maximum;
    if (n === 1) {
      const diffP = h - this.ph0;
      const diffM = this.pl0 - l;
      this.isLong = !(diffM > 0 && diffP < diffM);
      if (this.isLong) {
        this.ep = h;
        this.sar = this.pl0;
      } else {
        this.ep = l;
        this.sar = this.ph0;
      }
      this.newLow = l;
      this.newHigh = h;
    }
    const prevLow = this.newLow;
    const prevHigh = this.newHigh;
    this.newLow = l;
    this.newHigh = h;
    let sar = this.sar;
    let out: number;
    if (this.isLong) {
      if (l <= sar) {
        this.isLong = false;
        sar = this.ep;
        if (sar < prevHigh) sar = prevHigh;
        if (sar < h) sar = h;
        out = sar;
        this.af = acc;
        this.ep = l;
        sar = sar + this.af * (this.ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < h) sar = h;
      } else {
        out = sar;
        if (h > this.ep) {
          this.ep = h;
          this.af += acc;
          if (this.af > max) this.af = max;
        }
        sar = sar + this.af * (this.ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > l) sar = l;
      }
    } else if (h >= sar) {
      this.isLong = true;
      sar = this.ep;
      if (sar > prevLow) sar = prevLow;
      if (sar > l) sar = l;
      out = sar;
      this.af = acc;
      this.ep = h;
      sar = sar + this.af * (this.ep - sar);
      if (sar > prevLow) sar = prevLow;
      if (sar > l) sar = l;
    } else {
      out = sar;
      if (l < this.ep) {
        this.ep = l;
        this.af += acc;
        if (this.af > max) this.af = max;
      }
      sar = sar + this.af * (this.ep - sar);
      if (sar < prevHigh) sar = prevHigh;
      if (sar < h) sar = h;
    }
    this.sar = sar;
    this.value = out;
    return out;
  }
  /** 1 while long, -1 while short (NaN before bar 1) */
  get direction(): number {
    return this.n < 2 ? Number.NaN : this.isLong ? 1 : -1;
  }
}

/** Parabolic SAR (TA-Lib SAR); NaN at bar 0 */
export function psar(
  high: Float64Array,
  low: Float64Array,
  acceleration = 0.02,
  maximum = 0.2,
  out: Float64Array = new Float64Array(high.length),
): Float64Array {
  const s = new PsarStream(acceleration, maximum);
  const n = checkSameLength("psar", high, low);
  checkOut("psar", out, n);
  const bar = { high: 0, low: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
