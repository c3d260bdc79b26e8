import { AtrStream } from "./atr.ts";
import { checkInt, checkNum, checkOut, checkSameLength } from "./util.ts";

export interface SupertrendOutput {
  /** the active band: the lower band in an up-trend, the upper band in a down-trend */
  supertrend: Float64Array;
  /** 1 in an up-trend, -1 in a down-trend */
  direction: Float64Array;
}

/**
 * Streaming Supertrend (not in TA-Lib): bands hl2 ± multiplier·ATR (TA-Lib ATR), ratcheted
 * toward price unless the previous close broke them; the first defined bar is an up-trend only
 * when its close is above the upper band. Same rules as trading-signals' SuperTrend, whose ATR
 * is seeded differently (so values agree once the ATRs have converged).
 */
export class SupertrendStream {
  private readonly atr: AtrStream;
  private upper = Number.NaN;
  private lower = Number.NaN;
  private prevClose = Number.NaN;
  private started = false;
  private up = false;
  value = Number.NaN;
  direction = Number.NaN;
  constructor(
    readonly period = 10,
    readonly multiplier = 3,
  ) {
    checkInt("supertrend", "period", period, 1);
    checkNum("supertrend", "multiplier", multiplier, 0, 100);
    this.atr = new AtrStream(period);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const a = this.atr.update(bar);
    const c = bar.close;
    if (Number.isNaN(a) && !this.started) {
      this.prevClose = c;
      return this.value;
    }
    const hl2 = (bar.high + bar.low) / 2;
    const bu = hl2 + this.multiplier * a;
    const bl = hl2 - this.multiplier * a;
    if (!this.started) {
      this.started = true;
      this.upper = bu;
      this.lower = bl;
      this.up = c > bu;
    } else {
      this.upper = bu < this.upper || this.prevClose > this.upper ? bu : this.upper;
      this.lower = bl > this.lower || this.prevClose < this.lower ? bl : this.lower;
      this.up = this.up ? c >= this.lower : c > this.upper;
    }
    this.prevClose = c;
    this.value = this.up ? this.lower : this.upper;
    this.direction = this.up ? 1 : -1;
    return this.value;
  }
}

/** Supertrend line and direction; NaN for the first `period` bars (ATR warm-up) */
export function supertrend(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 10,
  multiplier = 3,
  out: SupertrendOutput = {
    supertrend: new Float64Array(close.length),
    direction: new Float64Array(close.length),
  },
): SupertrendOutput {
  const s = new SupertrendStream(period, multiplier);
  const n = checkSameLength("supertrend", high, low, close);
  checkOut("supertrend", out.supertrend, n, "supertrend");
  checkOut("supertrend", out.direction, n, "direction");
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    out.supertrend[i] = s.update(bar);
    out.direction[i] = s.direction;
  }
  return out;
}
