import { SmaStream } from "./sma.ts";
import { checkInt, checkOrder, checkOut, checkSameLength } from "./util.ts";

/** Streaming awesome oscillator (not in TA-Lib): SMA(hl2, fast) - SMA(hl2, slow), hl2 = (h+l)/2 */
export class AwesomeOscillatorStream {
  private readonly f: SmaStream;
  private readonly s: SmaStream;
  value = Number.NaN;
  constructor(
    readonly fast = 5,
    readonly slow = 34,
  ) {
    checkInt("awesomeOscillator", "fast", fast, 1);
    checkInt("awesomeOscillator", "slow", slow, 2);
    checkOrder("awesomeOscillator", "fast", fast, "slow", slow);
    this.f = new SmaStream(fast);
    this.s = new SmaStream(slow);
  }
  update(bar: { high: number; low: number }): number {
    const m = (bar.high + bar.low) / 2;
    this.value = this.f.update(m) - this.s.update(m);
    return this.value;
  }
}

/** Awesome oscillator; NaN for the first slow-1 bars */
export function awesomeOscillator(
  high: Float64Array,
  low: Float64Array,
  fast = 5,
  slow = 34,
  out: Float64Array = new Float64Array(high.length),
): Float64Array {
  const s = new AwesomeOscillatorStream(fast, slow);
  const n = checkSameLength("awesomeOscillator", high, low);
  checkOut("awesomeOscillator", out, n);
  const bar = { high: 0, low: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
