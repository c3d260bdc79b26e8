import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

const DAY_MS = 86_400_000;

type VwapBar = { ts: number; high: number; low: number; close: number; volume: number };

/**
 * Streaming session VWAP: Σ typical price·volume / Σ volume since the bar that opened the current
 * UTC day (reset at 00:00 UTC, by the bar's open time). Until the session has traded any volume it
 * is the equal-weight mean of the session's typical prices. Defined from bar 0.
 */
export class SessionVwapStream {
  private day = Number.NaN;
  private pv = 0;
  private v = 0;
  private tps = 0;
  private count = 0;
  value = Number.NaN;
  update(bar: VwapBar): number {
    const day = Math.floor(bar.ts / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.pv = 0;
      this.v = 0;
      this.tps = 0;
      this.count = 0;
    }
    const tp = (bar.high + bar.low + bar.close) / 3;
    this.pv += tp * bar.volume;
    this.v += bar.volume;
    this.tps += tp;
    this.count++;
    this.value = this.v > 0 ? this.pv / this.v : this.tps / this.count;
    return this.value;
  }
}

/**
 * Streaming rolling VWAP over the last `period` bars (typical price); a window with no volume
 * gives the mean typical price. Sums are re-formed every `period` bars (no drift).
 */
export class RollingVwapStream {
  private readonly tp: Ring;
  private readonly vol: Ring;
  private n = 0;
  private pv = 0;
  private v = 0;
  private tps = 0;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("rollingVwap", "period", period, 1);
    this.tp = new Ring(period);
    this.vol = new Ring(period);
  }
  update(bar: { high: number; low: number; close: number; volume: number }): number {
    const p = this.period;
    const tp = (bar.high + bar.low + bar.close) / 3;
    const otp = this.tp.push(tp);
    const ov = this.vol.push(bar.volume);
    const n = ++this.n;
    if (n % p === 0) {
      let pv = 0;
      let v = 0;
      let t = 0;
      for (let j = p - 1; j >= 0; j--) {
        const a = this.tp.at(j);
        const b = this.vol.at(j);
        pv += a * b;
        v += b;
        t += a;
      }
      this.pv = pv;
      this.v = v;
      this.tps = t;
    } else {
      if (n > p) {
        this.pv -= otp * ov;
        this.v -= ov;
        this.tps -= otp;
      }
      this.pv += tp * bar.volume;
      this.v += bar.volume;
      this.tps += tp;
    }
    if (n < p) return this.value;
    this.value = this.v > 0 ? this.pv / this.v : this.tps / p;
    return this.value;
  }
}

/** Session VWAP, reset at 00:00 UTC (see SessionVwapStream) */
export function sessionVwap(
  bars: {
    ts: Float64Array;
    high: Float64Array;
    low: Float64Array;
    close: Float64Array;
    volume: Float64Array;
  },
  out: Float64Array = new Float64Array(bars.close.length),
): Float64Array {
  const n = checkSameLength("sessionVwap", bars.ts, bars.high, bars.low, bars.close, bars.volume);
  checkOut("sessionVwap", out, n);
  const s = new SessionVwapStream();
  const bar = { ts: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.ts = bars.ts[i]!;
    bar.high = bars.high[i]!;
    bar.low = bars.low[i]!;
    bar.close = bars.close[i]!;
    bar.volume = bars.volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}

/** Rolling VWAP over `period` bars; NaN for the first period-1 bars */
export function rollingVwap(
  bars: { high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array },
  period = 20,
  out: Float64Array = new Float64Array(bars.close.length),
): Float64Array {
  const n = checkSameLength("rollingVwap", bars.high, bars.low, bars.close, bars.volume);
  checkOut("rollingVwap", out, n);
  const s = new RollingVwapStream(period);
  const bar = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = bars.high[i]!;
    bar.low = bars.low[i]!;
    bar.close = bars.close[i]!;
    bar.volume = bars.volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
