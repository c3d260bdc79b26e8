import { RsiStream } from "./rsi.ts";
import { FLAT_STOCH } from "./stochastic.ts";
import { checkInt, checkOut, ExtremumWindow, Ring } from "./util.ts";

export interface StochRsiOutput {
  k: Float64Array;
  d: Float64Array;
}

/**
 * Streaming StochRSI (TA-Lib STOCHRSI with SMA %D): fast stochastic of RSI(period) over `kPeriod`
 * bars, k = 100·(rsi - min) / (max - min) (50 on a flat window; TA-Lib gives 0), d = SMA(k, dPeriod).
 * Both from bar period + kPeriod + dPeriod - 2, as TA-Lib. `update` returns k.
 */
export class StochRsiStream {
  private readonly rsi: RsiStream;
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  private readonly dr: Ring;
  private dsum = 0;
  private n = 0;
  value = Number.NaN;
  d = Number.NaN;
  constructor(
    readonly period = 14,
    readonly kPeriod = 5,
    readonly dPeriod = 3,
  ) {
    checkInt("stochRsi", "period", period, 2);
    checkInt("stochRsi", "kPeriod", kPeriod, 1);
    checkInt("stochRsi", "dPeriod", dPeriod, 1);
    this.rsi = new RsiStream(period);
    this.hi = new ExtremumWindow(kPeriod, true);
    this.lo = new ExtremumWindow(kPeriod, false);
    this.dr = new Ring(dPeriod);
  }
  update(x: number): number {
    const r = this.rsi.update(x);
    if (++this.n <= this.period) return this.value;
    this.hi.push(r);
    this.lo.push(r);
    if (this.hi.n < this.kPeriod) return this.value;
    const hi = this.hi.value;
    const lo = this.lo.value;
    const diff = (hi - lo) / 100;
    const k = diff !== 0 ? (r - lo) / diff : FLAT_STOCH;
    this.dr.push(k);
    this.dsum += k;
    if (!this.dr.full) return this.value;
    this.d = this.dsum / this.dPeriod;
    this.dsum -= this.dr.at(this.dPeriod - 1);
    this.value = k;
    return k;
  }
}

/** StochRSI %K and %D; NaN for the first period + kPeriod + dPeriod - 2 bars */
export function stochRsi(
  close: Float64Array,
  period = 14,
  kPeriod = 5,
  dPeriod = 3,
  out: StochRsiOutput = { k: new Float64Array(close.length), d: new Float64Array(close.length) },
): StochRsiOutput {
  const s = new StochRsiStream(period, kPeriod, dPeriod);
  const n = close.length;
  checkOut("stochRsi", out.k, n, "k");
  checkOut("stochRsi", out.d, n, "d");
  for (let i = 0; i < n; i++) {
    out.k[i] = s.update(close[i]!);
    out.d[i] = s.d;
  }
  return out;
}
