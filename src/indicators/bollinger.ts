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
  const st = runState;
  st[0] = period;
  st[1] = k;
  st[2] = FLAT_VARIANCE;
  st[3] = FLAT_PERCENT_B;
  st[4] = s1;
  st[5] = s2;
  bollingerRun(close, warm, n, period, st, up, mid, lo, pb, bw);
  return out;
}

/**
 * The bands over [from, n) given the running sums of the period-1 bars before `from`, in `st` with the
 * parameters as doubles (a Float64Array: V8 keeps number arguments and imported constants boxed, and
 * unboxes them on every bar). Reading the arrays' lengths first spares V8's per-bar checks that they
 * are objects; unrolled by four so the four bars share its array checks, with the same arithmetic in
 * the same order. The tail loop always gets one to four bars, so it has type feedback and never
 * deoptimises on some other length.
 */
function bollingerRun(
  close: Float64Array,
  from: number,
  n: number,
  period: number,
  st: Float64Array,
  up: Float64Array,
  mid: Float64Array,
  lo: Float64Array,
  pb: Float64Array,
  bw: Float64Array,
): void {
  const p = st[0]!;
  const k = st[1]!;
  const flat = st[2]!;
  const flatB = st[3]!;
  let s1 = st[4]!;
  let s2 = st[5]!;
  if (close.length < n || up.length < n || mid.length < n || lo.length < n || pb.length < n || bw.length < n)
    return;
  const back = period - 1;
  let i = from;
  for (const m = n - 4; i < m; i += 4) {
    {
      const x = close[i]!;
      s1 += x;
      s2 += x * x;
      const m = s1 / p;
      const v = s2 / p - m * m;
      const t = close[i - back]!;
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
    {
      const x = close[i + 1]!;
      s1 += x;
      s2 += x * x;
      const m = s1 / p;
      const v = s2 / p - m * m;
      const t = close[i + 1 - back]!;
      s1 -= t;
      s2 -= t * t;
      const d = (v > flat * m * m ? Math.sqrt(v) : 0) * k;
      const u = m + d;
      const l = m - d;
      up[i + 1] = u;
      mid[i + 1] = m;
      lo[i + 1] = l;
      const w = u - l;
      pb[i + 1] = w !== 0 ? (x - l) / w : flatB;
      bw[i + 1] = m !== 0 ? w / m : 0;
    }
    {
      const x = close[i + 2]!;
      s1 += x;
      s2 += x * x;
      const m = s1 / p;
      const v = s2 / p - m * m;
      const t = close[i + 2 - back]!;
      s1 -= t;
      s2 -= t * t;
      const d = (v > flat * m * m ? Math.sqrt(v) : 0) * k;
      const u = m + d;
      const l = m - d;
      up[i + 2] = u;
      mid[i + 2] = m;
      lo[i + 2] = l;
      const w = u - l;
      pb[i + 2] = w !== 0 ? (x - l) / w : flatB;
      bw[i + 2] = m !== 0 ? w / m : 0;
    }
    {
      const x = close[i + 3]!;
      s1 += x;
      s2 += x * x;
      const m = s1 / p;
      const v = s2 / p - m * m;
      const t = close[i + 3 - back]!;
      s1 -= t;
      s2 -= t * t;
      const d = (v > flat * m * m ? Math.sqrt(v) : 0) * k;
      const u = m + d;
      const l = m - d;
      up[i + 3] = u;
      mid[i + 3] = m;
      lo[i + 3] = l;
      const w = u - l;
      pb[i + 3] = w !== 0 ? (x - l) / w : flatB;
      bw[i + 3] = m !== 0 ? w / m : 0;
    }
  }
  for (; i < n; i++) {
    {
      const x = close[i]!;
      s1 += x;
      s2 += x * x;
      const m = s1 / p;
      const v = s2 / p - m * m;
      const t = close[i - back]!;
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
  }
}

const runState = new Float64Array(6);

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
