import { z } from "zod";
import { AdxStream, adx } from "./adx.ts";
import { AroonStream, aroon } from "./aroon.ts";
import { DemaStream, dema } from "./dema.ts";
import { EmaStream, ema } from "./ema.ts";
import { HmaStream, hma } from "./hma.ts";
import { ICHIMOKU_DISPLACEMENT, IchimokuStream, ichimoku } from "./ichimoku.ts";
import { KamaStream, kama } from "./kama.ts";
import { LinregSlopeStream, linregSlope } from "./linreg-slope.ts";
import { MacdStream, macd } from "./macd.ts";
import { PsarStream, psar } from "./psar.ts";
import { barSource, define, type Indicator, num, period, source, sourceOf } from "./registry-types.ts";
import { SmaStream, sma } from "./sma.ts";
import { SupertrendStream, supertrend } from "./supertrend.ts";
import { TemaStream, tema } from "./tema.ts";
import { VwmaStream, vwma } from "./vwma.ts";
import { WmaStream, wma } from "./wma.ts";

const single = z.strictObject({ period: period(20), source: source() });

/** A single-series moving average from its batch kernel and stream class */
function movingAverage(
  name: string,
  description: string,
  reference: string,
  def: number,
  warm: (p: number) => number,
  batch: (src: Float64Array, p: number, out: Float64Array) => unknown,
  Stream: new (p: number) => { update(x: number): number },
  min = 1,
): Indicator {
  return define({
    name,
    description,
    category: "trend",
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

export const TREND: Indicator[] = [
  movingAverage("sma", "Simple moving average", "TA-Lib SMA", 20, (p) => p - 1, sma, SmaStream),
  movingAverage(
    "ema",
    "Exponential moving average, SMA-seeded",
    "TA-Lib EMA",
    20,
    (p) => p - 1,
    ema,
    EmaStream,
  ),
  movingAverage("wma", "Linearly weighted moving average", "TA-Lib WMA", 20, (p) => p - 1, wma, WmaStream),
  movingAverage(
    "dema",
    "Double exponential moving average",
    "TA-Lib DEMA",
    20,
    (p) => 2 * (p - 1),
    dema,
    DemaStream,
  ),
  movingAverage(
    "tema",
    "Triple exponential moving average",
    "TA-Lib TEMA",
    20,
    (p) => 3 * (p - 1),
    tema,
    TemaStream,
  ),
  movingAverage(
    "kama",
    "Kaufman adaptive moving average (fast 2, slow 30)",
    "TA-Lib KAMA",
    30,
    (p) => p,
    kama,
    KamaStream,
  ),
  movingAverage(
    "hma",
    "Hull moving average",
    "trading-signals HMA, @ixjb94/indicators hma",
    20,
    (p) => p + Math.floor(Math.sqrt(p)) - 2,
    hma,
    HmaStream,
    2,
  ),
  define({
    name: "vwma",
    description: "Volume-weighted moving average of the close (equal weights where a window has no volume)",
    category: "trend",
    reference: "trading-signals VWMA, @ixjb94/indicators vwma",
    params: z.strictObject({ period: period(20) }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      vwma(x.close, x.volume, p.period, o.value!);
    },
    stream: (p) => {
      const s = new VwmaStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "macd",
    description: "MACD line, signal and histogram",
    category: "trend",
    reference: "TA-Lib MACD",
    params: z
      .strictObject({ fast: period(12), slow: period(26, 2), signal: period(9), source: source() })
      .refine((p) => p.fast < p.slow, { message: "fast must be less than slow", path: ["fast"] }),
    outputs: ["macd", "signal", "hist"],
    warmup: (p) => p.slow + p.signal - 2,
    batch: (x, p, o) => {
      macd(sourceOf(x, p.source), p.fast, p.slow, p.signal, {
        macd: o.macd!,
        signal: o.signal!,
        hist: o.hist!,
      });
    },
    stream: (p) => {
      const s = new MacdStream(p.fast, p.slow, p.signal);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
        v[1] = s.signal;
        v[2] = s.hist;
      };
    },
  }),
  define({
    name: "adx",
    description: "Average directional index with +DI and -DI",
    category: "trend",
    reference: "TA-Lib ADX, PLUS_DI, MINUS_DI",
    params: z.strictObject({ period: period(14, 2) }),
    outputs: ["adx", "plusDi", "minusDi"],
    warmup: (p) => 2 * p.period - 1,
    batch: (x, p, o) => {
      adx(x.high, x.low, x.close, p.period, { adx: o.adx!, plusDi: o.plusDi!, minusDi: o.minusDi! });
    },
    stream: (p) => {
      const s = new AdxStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
        v[1] = s.plusDi;
        v[2] = s.minusDi;
      };
    },
  }),
  define({
    name: "aroon",
    description: "Aroon up, down and oscillator",
    category: "trend",
    reference: "TA-Lib AROON, AROONOSC",
    params: z.strictObject({ period: period(14) }),
    outputs: ["up", "down", "oscillator"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      aroon(x.high, x.low, p.period, { up: o.up!, down: o.down!, oscillator: o.oscillator! });
    },
    stream: (p) => {
      const s = new AroonStream(p.period);
      return (b, v) => {
        v[2] = s.update(b);
        v[0] = s.up;
        v[1] = s.down;
      };
    },
  }),
  define({
    name: "psar",
    description: "Parabolic SAR",
    category: "trend",
    reference: "TA-Lib SAR",
    params: z.strictObject({ acceleration: num(0.02, 0.0001, 1), maximum: num(0.2, 0.0001, 1) }),
    outputs: ["value"],
    warmup: () => 1,
    batch: (x, p, o) => {
      psar(x.high, x.low, p.acceleration, p.maximum, o.value!);
    },
    stream: (p) => {
      const s = new PsarStream(p.acceleration, p.maximum);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "supertrend",
    description: "Supertrend line (hl2 ± multiplier·ATR) and direction (1 up, -1 down)",
    category: "trend",
    reference: "trading-signals SuperTrend",
    params: z.strictObject({ period: period(10), multiplier: num(3, 0.01, 100) }),
    outputs: ["supertrend", "direction"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      supertrend(x.high, x.low, x.close, p.period, p.multiplier, {
        supertrend: o.supertrend!,
        direction: o.direction!,
      });
    },
    stream: (p) => {
      const s = new SupertrendStream(p.period, p.multiplier);
      return (b, v) => {
        v[0] = s.update(b);
        v[1] = s.direction;
      };
    },
  }),
  define({
    name: "ichimoku",
    description: "Ichimoku cloud lines, aligned to the bar they are computed on (displacement is metadata)",
    category: "trend",
    reference: "trading-signals IchimokuCloud",
    params: z.strictObject({
      tenkan: period(9),
      kijun: period(26),
      senkou: period(52),
      displacement: period(ICHIMOKU_DISPLACEMENT, 0),
    }),
    outputs: ["tenkan", "kijun", "spanA", "spanB"],
    warmup: (p) => Math.max(p.tenkan, p.kijun, p.senkou) - 1,
    metadata: (p) => ({
      displacement: p.displacement,
      note: "charts plot spanA/spanB `displacement` bars ahead and the close as the lagging span `displacement` bars back; outputs here are not shifted",
    }),
    batch: (x, p, o) => {
      ichimoku(x.high, x.low, p.tenkan, p.kijun, p.senkou, {
        tenkan: o.tenkan!,
        kijun: o.kijun!,
        spanA: o.spanA!,
        spanB: o.spanB!,
      });
    },
    stream: (p) => {
      const s = new IchimokuStream(p.tenkan, p.kijun, p.senkou, p.displacement);
      return (b, v) => {
        v[0] = s.update(b);
        v[1] = s.kijun;
        v[2] = s.spanA;
        v[3] = s.spanB;
      };
    },
  }),
  define({
    name: "linreg-slope",
    description: "Slope per bar of the least-squares line through the last `period` values",
    category: "trend",
    reference: "TA-Lib LINEARREG_SLOPE",
    params: single.extend({ period: period(14, 2) }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      linregSlope(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new LinregSlopeStream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  }),
];
