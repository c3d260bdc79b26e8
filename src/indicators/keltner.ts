import { AtrStream } from "./atr.ts";
import { EmaStream } from "./ema.ts";
import { checkInt, checkNum, checkOut, checkSameLength } from "./util.ts";

export interface KeltnerOutput {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Streaming Keltner channel (not in TA-Lib): EMA(close, emaPeriod) ± multiplier·ATR(atrPeriod),
 * TA-Lib seeding for both (trading-signals' KeltnerChannels uses the same definition, seeded
 * differently). `update` returns the middle.
 */
export class KeltnerStream {
  private readonly ema: EmaStream;
  private readonly atr: AtrStream;
  value = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  constructor(
    readonly emaPeriod = 20,
    readonly atrPeriod = 10,
    readonly multiplier = 2,
  ) {
    checkInt("keltner", "emaPeriod", emaPeriod, 1);
    checkInt("keltner", "atrPeriod", atrPeriod, 1);
    checkNum("keltner", "multiplier", multiplier, 0, 100);
    this.ema = new EmaStream(emaPeriod);
    this.atr = new AtrStream(atrPeriod);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const m = this.ema.update(bar.close);
    const a = this.atr.update(bar);
    const off = this.multiplier * a;
    // the middle waits for the ATR too, so all three lines start on the same bar
    this.value = Number.isNaN(a) ? Number.NaN : m;
    this.upper = m + off;
    this.lower = m - off;
    return this.value;
  }
}

/** Keltner channel; NaN until both the EMA and the ATR are defined */
export function keltner(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  emaPeriod = 20,
  atrPeriod = 10,
  multiplier = 2,
  out: KeltnerOutput = {
    upper: new Float64Array(close.length),
    middle: new Float64Array(close.length),
    lower: new Float64Array(close.length),
  },
): KeltnerOutput {
  const s = new KeltnerStream(emaPeriod, atrPeriod, multiplier);
  const n = checkSameLength("keltner", high, low, close);
  checkOut("keltner", out.upper, n, "upper");
  checkOut("keltner", out.middle, n, "middle");
  checkOut("keltner", out.lower, n, "lower");
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    out.middle[i] = s.update(bar);
    out.upper[i] = s.upper;
    out.lower[i] = s.lower;
  }
  return out;
}
