import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import { closeToCloseVolatilityAt } from "../../indicators/realized-volatility.ts";

/** What a model learns to forecast, h bars ahead of bar t's close */
export const TARGETS = ["logret", "sign", "vol"] as const;
export type TargetKind = (typeof TARGETS)[number];

/** Forward targets at every bar; NaN for the last h bars, whose future is unknown */
export interface Targets {
  /** log(close[t+h] / close[t]) */
  readonly logret: Float64Array;
  /** 1 when logret > 0, 0 otherwise */
  readonly sign: Float64Array;
  /**
   * realised volatility (closeToCloseVolatility, per bar) of the one-bar log returns of bars
   * t+1..t+h; NaN for h = 1 (one return has no sample sd)
   */
  readonly vol: Float64Array;
}

export function makeTargets(s: CandleSeries, h: number): Targets {
  if (!Number.isInteger(h) || h < 1)
    throw invalidInput(`horizon must be a whole number of bars >= 1, got ${h}`);
  const c = s.close;
  const n = c.length;
  const logret = new Float64Array(n).fill(Number.NaN);
  const sign = new Float64Array(n).fill(Number.NaN);
  const vol = new Float64Array(n).fill(Number.NaN);
  for (let t = 0; t + h < n; t++) {
    const r = Math.log(c[t + h]! / c[t]!);
    logret[t] = r;
    sign[t] = r > 0 ? 1 : 0;
    // the realised volatility of the features and the vol-target family, over the h returns ahead
    if (h >= 2) vol[t] = closeToCloseVolatilityAt(c, t + h, h);
  }
  return { logret, sign, vol };
}
