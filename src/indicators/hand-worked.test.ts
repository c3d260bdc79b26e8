// A few bars worked out by hand for every indicator TA-Lib lacks (the golden files cover the rest)
import { describe, expect, it } from "vitest";
import { awesomeOscillator } from "./awesome-oscillator.ts";
import { cmf } from "./cmf.ts";
import { donchian } from "./donchian.ts";
import { forceIndex } from "./force-index.ts";
import { hma } from "./hma.ts";
import { ichimoku } from "./ichimoku.ts";
import { keltner } from "./keltner.ts";
import { realizedVolatility } from "./realized-volatility.ts";
import { getIndicator } from "./registry.ts";
import { supertrend } from "./supertrend.ts";
import { rollingVwap, sessionVwap } from "./vwap.ts";
import { vwma } from "./vwma.ts";
import { zscore } from "./zscore.ts";

const f = (...v: number[]) => Float64Array.from(v);
const near = (got: Float64Array, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (Number.isNaN(w)) expect(got[i]).toBeNaN();
    else expect(got[i]).toBeCloseTo(w, 12);
  });
};
const N = Number.NaN;

// bars used by Keltner and Supertrend: (high, low, close)
const H = f(10, 12, 13, 12, 16);
const L = f(8, 9, 10, 10, 12);
const C = f(9, 11, 12, 11, 15.5);

describe("hand-worked cases", () => {
  it("Donchian(3): highest high, lowest low, midpoint", () => {
    const d = donchian(f(5, 7, 6, 4), f(3, 4, 2, 3), 3);
    near(d.upper, [N, N, 7, 7]);
    near(d.lower, [N, N, 2, 2]);
    near(d.middle, [N, N, 4.5, 4.5]);
  });

  it("Awesome oscillator(2, 3) on hl2 = 3, 4, 6, 8", () => {
    // SMA2 - SMA3: (4+6)/2 - (3+4+6)/3 = 2/3, then (6+8)/2 - (4+6+8)/3 = 1
    near(awesomeOscillator(f(4, 6, 8, 10), f(2, 2, 4, 6), 2, 3), [N, N, 2 / 3, 1]);
  });

  it("VWMA(2): volume-weighted; equal weights where a window has no volume", () => {
    near(vwma(f(10, 20, 30), f(1, 3, 0), 2), [N, (10 + 60) / 4, (60 + 0) / 3]);
    near(vwma(f(10, 20, 30), f(0, 0, 0), 2), [N, 15, 25]);
  });

  it("HMA(4) follows a straight line with no lag", () => {
    // WMA2(i) = i + 2/3, WMA4(i) = i, 2·WMA2 - WMA4 = i + 4/3, WMA2 of that = i + 1 = the line itself
    near(hma(f(1, 2, 3, 4, 5, 6), 4), [N, N, N, N, 5, 6]);
  });

  it("Keltner(ema 2, atr 2, ×1)", () => {
    // EMA2: 10, 10 + (12-10)·2/3 = 34/3, 34/3 + (11-34/3)·2/3 = 100/9; TR 3, 3, 2 → ATR2: 3, (3+2)/2 = 2.5
    const k = keltner(H.subarray(0, 4), L.subarray(0, 4), C.subarray(0, 4), 2, 2, 1);
    near(k.middle, [N, N, 34 / 3, 100 / 9]);
    near(k.upper, [N, N, 34 / 3 + 3, 100 / 9 + 2.5]);
    near(k.lower, [N, N, 34 / 3 - 3, 100 / 9 - 2.5]);
  });

  it("Supertrend(2, ×1): starts down, ratchets the upper band, flips up on a close above it", () => {
    // bar 2: hl2 11.5 ± ATR 3 → bands 14.5 / 8.5, close 12 not above 14.5: down, line 14.5
    // bar 3: hl2 11 + 2.5 = 13.5 < 14.5 → upper 13.5; lower stays 8.5; close 11: still down
    // bar 4: TR 5, ATR (2.5+5)/2 = 3.75, bands 17.75 / 10.25; upper keeps 13.5, lower rises to 10.25;
    //        close 15.5 > 13.5: up, line = lower band 10.25
    const s = supertrend(H, L, C, 2, 1);
    near(s.supertrend, [N, N, 14.5, 13.5, 10.25]);
    near(s.direction, [N, N, -1, -1, 1]);
  });

  it("Ichimoku(2, 3, 4): lines on the bar they are computed on, displacement only as metadata", () => {
    const ich = ichimoku(f(5, 7, 6, 4, 8), f(3, 4, 2, 3, 5), 2, 3, 4);
    near(ich.tenkan, [N, 5, 4.5, 4, 5.5]);
    near(ich.kijun, [N, N, 4.5, 4.5, 5]);
    near(ich.spanA, [N, N, 4.5, 4.25, 5.25]);
    near(ich.spanB, [N, N, N, 4.5, 5]);
    expect(getIndicator("ichimoku").metadata({ tenkan: 2, kijun: 3, senkou: 4 }).displacement).toBe(26);
  });

  it("session VWAP resets at 00:00 UTC; a session without volume gives its mean typical price", () => {
    const t0 = Date.UTC(2024, 0, 1, 23);
    const bars = {
      ts: f(t0, t0 + 3_600_000, t0 + 7_200_000),
      high: f(12, 22, 32),
      low: f(8, 18, 28),
      close: f(10, 20, 30),
      volume: f(2, 1, 3),
    };
    near(sessionVwap(bars), [10, 20, (20 * 1 + 30 * 3) / 4]);
    near(sessionVwap({ ...bars, volume: f(0, 0, 0) }), [10, 20, 25]);
    near(rollingVwap(bars, 2), [N, (10 * 2 + 20) / 3, (20 + 90) / 4]);
  });

  it("CMF(2): multiplier 1, -1, 0 (flat bar); 0 without volume", () => {
    const h = f(10, 10, 10);
    const l = f(0, 0, 10);
    const c = f(10, 0, 10);
    near(cmf(h, l, c, f(1, 3, 5), 2), [N, (1 - 3) / 4, (-3 + 0) / 8]);
    near(cmf(h, l, c, f(0, 0, 0), 2), [N, 0, 0]);
  });

  it("force index(2): EMA of change·volume, seeded with the mean of the first two", () => {
    // forces 4, -3, 4; seed (4 - 3)/2 = 0.5; then 0.5 + (4 - 0.5)·2/3 = 17/6
    near(forceIndex(f(10, 12, 11, 15), f(1, 2, 3, 1), 2), [N, N, 0.5, 17 / 6]);
  });

  it("z-score(3) against the population sd; 0 on a flat window", () => {
    near(zscore(f(1, 2, 3, 10), 3), [N, N, 1 / Math.sqrt(2 / 3), 5 / Math.sqrt(38 / 3)]);
    near(zscore(f(4, 4, 4, 4), 3), [N, N, 0, 0]);
  });

  it("realised volatility(2): close-to-close, Parkinson, Garman-Klass", () => {
    const bars = {
      open: f(100, 100, 100, 100),
      high: f(110, 110, 110, 110),
      low: f(100, 100, 100, 100),
      close: f(100, 110, 99, 99),
    };
    const a = Math.log(1.1);
    const b = Math.log(0.9);
    // the sample sd of two values is |x - y| / √2
    near(realizedVolatility(bars, "close-to-close", 2), [
      N,
      N,
      Math.abs(a - b) / Math.SQRT2,
      Math.abs(b) / Math.SQRT2,
    ]);
    near(realizedVolatility(bars, "parkinson", 2), [
      N,
      a / (2 * Math.sqrt(Math.LN2)),
      a / (2 * Math.sqrt(Math.LN2)),
      a / (2 * Math.sqrt(Math.LN2)),
    ]);
    const gk = (c: number) => 0.5 * a * a - (2 * Math.LN2 - 1) * Math.log(c / 100) ** 2;
    near(realizedVolatility(bars, "garman-klass", 2), [
      N,
      Math.sqrt((gk(100) + gk(110)) / 2),
      Math.sqrt((gk(110) + gk(99)) / 2),
      Math.sqrt(gk(99)),
    ]);
    // annualised: × √(bars per year)
    near(realizedVolatility(bars, "close-to-close", 2, 365).subarray(2, 3), [
      (Math.abs(a - b) / Math.SQRT2) * Math.sqrt(365),
    ]);
  });
});
