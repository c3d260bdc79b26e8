import { checkInt, checkNum, checkOut, FLAT_VARIANCE, fillNaN, Ring } from "./util.ts";

export interface BollingerOutput {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
  percentB: Float64Array;
  bandwidth: Float64Array;
}

function checkBb(period: number, k: number): void {
  checkInt("bollinger", "period", period, 1);
  checkNum("bollinger", "k", k, 0, 100);
}

/** %B where the bands have zero width (a flat window): the middle of the band */
const FLAT_PERCENT_B = 0.5;

/**
 * Bollinger bands (TA-Lib BBANDS with an SMA middle and population deviation): middle ± k·sd, the sd
 * 0 where the variance is within rounding of zero (≤ 1e-12·mean², TA-Lib: absolute 1e-8);
 * percentB = (close - lower) / (upper - lower), 0.5 where the bands have zero width;
 * bandwidth = (upper - lower) / middle, 0 where middle is 0. NaN for the first period-1 bars.
 */
export function bollinger(
  close: Float64Array,
  period = 20,
  k = 2,
  out: BollingerOutput = allocBollinger(close.length),
): BollingerOutput {
  checkBb(period, k);
  const n = close.length;
  const up = checkOut("bollinger", out.upper, n, "upper");
  const mid = checkOut("bollinger", out.middle, n, "middle");
  const lo = checkOut("bollinger", out.lower, n, "lower");
  const pb = checkOut("bollinger", out.percentB, n, "percentB");
  const bw = checkOut("bollinger", out.bandwidth, n, "bandwidth");
  const warm = Math.min(period - 1, n);
  // module constants copied to locals: V8 reloads imported bindings on every use in a hot loop
  const flat = FLAT_VARIANCE;
  const flatB = FLAT_PERCENT_B;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < warm; i++) {
    const x = close[i]!;
    s1 += x;
    s2 += x * x;
  }
  fillNaN(up, 0, warm);
  fillNaN(mid, 0, warm);
  fillNaN(lo, 0, warm);
  fillNaN(pb, 0, warm);
  fillNaN(bw, 0, warm);
  for (let i = warm; i < n; i++) {
    const x = close[i]!;
    s1 += x;
    s2 += x * x;
    const m = s1 / period;
    const v = s2 / period - m * m;
    const t = close[i - period + 1]!;
    s1 -= t;
    s2 -= t * t;
    const d = (v > flat * m * m ? Math.sqrt(v) : 0) * k;
    const u = m + d;
    const l = m - d;
    up[i] = u;
    mid[i] = m;
    lo[i] = l;
    const w = u - l;
    pb[i] = w !== 0 ? (x - l) / w : flatB;
    bw[i] = m !== 0 ? w / m : 0;
  }
  return out;
}

export function allocBollinger(n: number): BollingerOutput {
  return {
    upper: new Float64Array(n),
    middle: new Float64Array(n),
    lower: new Float64Array(n),
    percentB: new Float64Array(n),
    bandwidth: new Float64Array(n),
  };
}

/** Streaming Bollinger bands; `update` returns the middle and sets the other fields */
export class BollingerStream {
  private readonly ring: Ring;
  private s1 = 0;
  private s2 = 0;
  value = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  percentB = Number.NaN;
  bandwidth = Number.NaN;
  constructor(
    readonly period = 20,
    readonly k = 2,
  ) {
    checkBb(period, k);
    this.ring = new Ring(period);
  }
  update(x: number): number {
    this.ring.push(x);
    this.s1 += x;
    this.s2 += x * x;
    if (!this.ring.full) return this.value;
    const p = this.period;
    const m = this.s1 / p;
    const v = this.s2 / p - m * m;
    const t = this.ring.at(p - 1);
    this.s1 -= t;
    this.s2 -= t * t;
    const d = (v > FLAT_VARIANCE * m * m ? Math.sqrt(v) : 0) * this.k;
    const u = m + d;
    const l = m - d;
    const w = u - l;
    this.value = m;
    this.upper = u;
    this.lower = l;
    this.percentB = w !== 0 ? (x - l) / w : FLAT_PERCENT_B;
    this.bandwidth = m !== 0 ? w / m : 0;
    return m;
  }
}
