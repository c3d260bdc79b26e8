import { z } from "zod";
import { AwesomeOscillatorStream, awesomeOscillator } from "./awesome-oscillator.ts";
import { CciStream, cci } from "./cci.ts";
import { CmoStream, cmo } from "./cmo.ts";
import { MfiStream, mfi } from "./mfi.ts";
import { MomentumStream, momentum } from "./momentum.ts";
import { barSource, define, type Indicator, period, source, sourceOf } from "./registry-types.ts";
import { RocStream, roc } from "./roc.ts";
import { RsiStream, rsi } from "./rsi.ts";
import { StochRsiStream, stochRsi } from "./stoch-rsi.ts";
import { StochasticStream, stochastic } from "./stochastic.ts";
import { TrixStream, trix } from "./trix.ts";
import { UltimateOscillatorStream, ultimateOscillator } from "./ultimate-oscillator.ts";
import { WilliamsRStream, williamsR } from "./williams-r.ts";

/** A single-series oscillator from its batch kernel and stream class */
function oscillator(
  name: string,
  description: string,
  reference: string,
  def: number,
  min: number,
  warm: (p: number) => number,
  batch: (src: Float64Array, p: number, out: Float64Array) => unknown,
  Stream: new (p: number) => { update(x: number): number },
): Indicator {
  return define({
    name,
    description,
    category: "momentum",
    reference,
    params: z.strictObject({ period: period(def, min), source: source() }),
    outputs: ["value"],
    warmup: (p) => warm(p.period),
    batch: (x, p, o) => {
      batch(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new Stream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  });
}

/** An indicator of high/low/close(/volume) with one period */
function hlc(
  name: string,
  description: string,
  reference: string,
  def: number,
  min: number,
  warm: (p: number) => number,
  batch: (
    x: { high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array },
    p: number,
    out: Float64Array,
  ) => unknown,
  Stream: new (
    p: number,
  ) => { update(b: { high: number; low: number; close: number; volume: number }): number },
): Indicator {
  return define({
    name,
    description,
    category: "momentum",
    reference,
    params: z.strictObject({ period: period(def, min) }),
    outputs: ["value"],
    warmup: (p) => warm(p.period),
    batch: (x, p, o) => {
      batch(x, p.period, o.value!);
    },
    stream: (p) => {
      const s = new Stream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  });
}

export const MOMENTUM: Indicator[] = [
  oscillator(
    "rsi",
    "Relative strength index (Wilder); 50 where nothing moved",
    "TA-Lib RSI",
    14,
    2,
    (p) => p,
    rsi,
    RsiStream,
  ),
  oscillator("roc", "Rate of change in %", "TA-Lib ROC", 10, 1, (p) => p, roc, RocStream),
  oscillator(
    "momentum",
    "Price change over `period` bars",
    "TA-Lib MOM",
    10,
    1,
    (p) => p,
    momentum,
    MomentumStream,
  ),
  oscillator(
    "trix",
    "1-bar % change of a triple EMA",
    "TA-Lib TRIX",
    18,
    1,
    (p) => 3 * (p - 1) + 1,
    trix,
    TrixStream,
  ),
  oscillator("cmo", "Chande momentum oscillator", "TA-Lib CMO", 14, 2, (p) => p, cmo, CmoStream),
  hlc(
    "cci",
    "Commodity channel index",
    "TA-Lib CCI",
    20,
    2,
    (p) => p - 1,
    (x, p, o) => cci(x.high, x.low, x.close, p, o),
    CciStream,
  ),
  hlc(
    "williams-r",
    "Williams %R in [-100, 0]; -50 on a flat window",
    "TA-Lib WILLR",
    14,
    1,
    (p) => p - 1,
    (x, p, o) => williamsR(x.high, x.low, x.close, p, o),
    WilliamsRStream,
  ),
  hlc(
    "mfi",
    "Money flow index; 50 where the window has no money flow",
    "TA-Lib MFI",
    14,
    1,
    (p) => p,
    (x, p, o) => mfi(x.high, x.low, x.close, x.volume, p, o),
    MfiStream,
  ),
  define({
    name: "stochastic",
    description: "Slow stochastic %K and %D (SMA smoothing); fast %K 50 on a flat window",
    category: "momentum",
    reference: "TA-Lib STOCH",
    params: z.strictObject({ kPeriod: period(14), kSmooth: period(3), dPeriod: period(3) }),
    outputs: ["k", "d"],
    warmup: (p) => p.kPeriod + p.kSmooth + p.dPeriod - 3,
    batch: (x, p, o) => {
      stochastic(x.high, x.low, x.close, p.kPeriod, p.kSmooth, p.dPeriod, { k: o.k!, d: o.d! });
    },
    stream: (p) => {
      const s = new StochasticStream(p.kPeriod, p.kSmooth, p.dPeriod);
      return (b, v) => {
        v[0] = s.update(b);
        v[1] = s.d;
      };
    },
  }),
  define({
    name: "stoch-rsi",
    description: "Stochastic RSI %K and %D (SMA); 50 on a flat RSI window",
    category: "momentum",
    reference: "TA-Lib STOCHRSI",
    params: z.strictObject({
      period: period(14, 2),
      kPeriod: period(5),
      dPeriod: period(3),
      source: source(),
    }),
    outputs: ["k", "d"],
    warmup: (p) => p.period + p.kPeriod + p.dPeriod - 2,
    batch: (x, p, o) => {
      stochRsi(sourceOf(x, p.source), p.period, p.kPeriod, p.dPeriod, { k: o.k!, d: o.d! });
    },
    stream: (p) => {
      const s = new StochRsiStream(p.period, p.kPeriod, p.dPeriod);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
        v[1] = s.d;
      };
    },
  }),
  define({
    name: "ultimate-oscillator",
    description: "Ultimate oscillator over three windows",
    category: "momentum",
    reference: "TA-Lib ULTOSC",
    params: z
      .strictObject({ p1: period(7), p2: period(14), p3: period(28) })
      .refine((p) => p.p1 < p.p2, { message: "p1 must be less than p2", path: ["p1"] })
      .refine((p) => p.p2 < p.p3, { message: "p2 must be less than p3", path: ["p2"] }),
    outputs: ["value"],
    warmup: (p) => p.p3,
    batch: (x, p, o) => {
      ultimateOscillator(x.high, x.low, x.close, p.p1, p.p2, p.p3, o.value!);
    },
    stream: (p) => {
      const s = new UltimateOscillatorStream(p.p1, p.p2, p.p3);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "awesome-oscillator",
    description: "SMA(hl2, fast) - SMA(hl2, slow)",
    category: "momentum",
    reference: "trading-signals AO, @ixjb94/indicators ao",
    params: z
      .strictObject({ fast: period(5), slow: period(34, 2) })
      .refine((p) => p.fast < p.slow, { message: "fast must be less than slow", path: ["fast"] }),
    outputs: ["value"],
    warmup: (p) => p.slow - 1,
    batch: (x, p, o) => {
      awesomeOscillator(x.high, x.low, p.fast, p.slow, o.value!);
    },
    stream: (p) => {
      const s = new AwesomeOscillatorStream(p.fast, p.slow);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
];
