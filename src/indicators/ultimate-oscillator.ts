import { checkInt, checkOrder, checkOut, checkSameLength, Ring } from "./util.ts";

/**
 * Streaming ultimate oscillator (TA-Lib ULTOSC): 100·(4·A1 + 2·A2 + A3) / 7 where Aj is Σ buying
 * pressure / Σ true range over the last pj bars (a window with no range contributes 0).
 * Requires p1 < p2 < p3 (TA-Lib sorts them silently).
 */
export class UltimateOscillatorStream {
  private readonly bp: Ring;
  private readonly tr: Ring;
  private readonly a = [0, 0, 0];
  private readonly b = [0, 0, 0];
  private readonly ps: readonly [number, number, number];
  private prevClose = Number.NaN;
  private n = 0;
  value = Number.NaN;
  constructor(
    readonly p1 = 7,
    readonly p2 = 14,
    readonly p3 = 28,
  ) {
    checkInt("ultimateOscillator", "p1", p1, 1);
    checkInt("ultimateOscillator", "p2", p2, 1);
    checkInt("ultimateOscillator", "p3", p3, 1);
    checkOrder("ultimateOscillator", "p1", p1, "p2", p2);
    checkOrder("ultimateOscillator", "p2", p2, "p3", p3);
    this.ps = [p1, p2, p3];
    this.bp = new Ring(p3);
    this.tr = new Ring(p3);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const i = this.n++;
    const pc = this.prevClose;
    this.prevClose = bar.close;
    if (i === 0) return this.value;
    const h = bar.high;
    const l = bar.low;
    const trueLow = l < pc ? l : pc;
    const bp = bar.close - trueLow;
    let tr = h - l;
    const x = Math.abs(pc - h);
    if (x > tr) tr = x;
    const y = Math.abs(pc - l);
    if (y > tr) tr = y;
    this.bp.push(bp);
    this.tr.push(tr);
    const p3 = this.p3;
    const { a, b, ps } = this;
    for (let j = 0; j < 3; j++) {
      if (i >= p3 - ps[j]! + 1) {
        a[j]! += bp;
        b[j]! += tr;
      }
    }
    if (i < p3) return this.value;
    let o = 0;
    if (b[0] !== 0) o += 4 * (a[0]! / b[0]!);
    if (b[1] !== 0) o += 2 * (a[1]! / b[1]!);
    if (b[2] !== 0) o += a[2]! / b[2]!;
    for (let j = 0; j < 3; j++) {
      a[j]! -= this.bp.at(ps[j]! - 1);
      b[j]! -= this.tr.at(ps[j]! - 1);
    }
    this.value = 100 * (o / 7);
    return this.value;
  }
}

/** Ultimate oscillator (TA-Lib ULTOSC); NaN for the first p3 bars */
export function ultimateOscillator(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  p1 = 7,
  p2 = 14,
  p3 = 28,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new UltimateOscillatorStream(p1, p2, p3);
  const n = checkSameLength("ultimateOscillator", high, low, close);
  checkOut("ultimateOscillator", out, n);
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
