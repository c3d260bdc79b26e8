import { z } from "zod";
import { barsPerYear, type Timeframe } from "../domain/timeframe.ts";
import { AtrStream, atr, NatrStream, natr } from "./atr.ts";
import { allocBollinger, BollingerStream, bollinger } from "./bollinger.ts";
import { DonchianStream, donchian } from "./donchian.ts";
import { KeltnerStream, keltner } from "./keltner.ts";
import {
  RealizedVolatilityStream,
  realizedVolatility,
  type VolatilityEstimator,
} from "./realized-volatility.ts";
import { barSource, define, type Indicator, num, period, source, sourceOf } from "./registry-types.ts";
import { StddevStream, stddev } from "./stddev.ts";
import { TrueRangeStream, trueRange } from "./true-range.ts";

/** Annualisation factor: the given one, or (0) bars per 365-day year of the series' timeframe, or 1 */
const annualization = (given: number, tf: Timeframe | undefined): number =>
  given > 0 ? given : tf === undefined ? 1 : barsPerYear(tf);

function realized(
  name: string,
  estimator: VolatilityEstimator,
  description: string,
  warm: (p: number) => number,
): Indicator {
  return define({
    name,
    description: `${description}; annualised with √annualization (0 = bars per year of the series' timeframe, 1 = per bar)`,
    category: "volatility",
    reference: "pandas (python3-pandas) rolling formula",
    params: z.strictObject({ period: period(20, 2), annualization: num(0, 0, 1e9) }),
    outputs: ["value"],
    warmup: (p) => warm(p.period),
    batch: (x, p, o) => {
      realizedVolatility(x, estimator, p.period, annualization(p.annualization, x.timeframe), o.value!);
    },
    stream: (p, ctx) => {
      const s = new RealizedVolatilityStream(
        estimator,
        p.period,
        annualization(p.annualization, ctx.timeframe),
      );
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  });
}

export const VOLATILITY: Indicator[] = [
  define({
    name: "atr",
    description: "Average true range (Wilder)",
    category: "volatility",
    reference: "TA-Lib ATR",
    params: z.strictObject({ period: period(14) }),
    outputs: ["value"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      atr(x.high, x.low, x.close, p.period, o.value!);
    },
    stream: (p) => {
      const s = new AtrStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "natr",
    description: "ATR as % of the close",
    category: "volatility",
    reference: "TA-Lib NATR",
    params: z.strictObject({ period: period(14) }),
    outputs: ["value"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      natr(x.high, x.low, x.close, p.period, o.value!);
    },
    stream: (p) => {
      const s = new NatrStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "true-range",
    description: "True range: max(high - low, |high - prev close|, |low - prev close|)",
    category: "volatility",
    reference: "TA-Lib TRANGE",
    params: z.strictObject({}),
    outputs: ["value"],
    warmup: () => 1,
    batch: (x, _p, o) => {
      trueRange(x.high, x.low, x.close, o.value!);
    },
    stream: () => {
      const s = new TrueRangeStream();
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "bollinger",
    description: "Bollinger bands (SMA ± k population sd), %B (0.5 on zero width) and bandwidth",
    category: "volatility",
    reference: "TA-Lib BBANDS",
    params: z.strictObject({ period: period(20), k: num(2, 0, 100), source: source() }),
    outputs: ["upper", "middle", "lower", "percentB", "bandwidth"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      const a = allocBollinger(0);
      bollinger(sourceOf(x, p.source), p.period, p.k, {
        upper: o.upper ?? a.upper,
        middle: o.middle ?? a.middle,
        lower: o.lower ?? a.lower,
        percentB: o.percentB ?? a.percentB,
        bandwidth: o.bandwidth ?? a.bandwidth,
      });
    },
    stream: (p) => {
      const s = new BollingerStream(p.period, p.k);
      return (b, v) => {
        v[1] = s.update(barSource(b, p.source));
        v[0] = s.upper;
        v[2] = s.lower;
        v[3] = s.percentB;
        v[4] = s.bandwidth;
      };
    },
  }),
  define({
    name: "keltner",
    description: "Keltner channel: EMA(close) ± multiplier·ATR",
    category: "volatility",
    reference: "trading-signals KeltnerChannels",
    params: z.strictObject({ emaPeriod: period(20), atrPeriod: period(10), multiplier: num(2, 0, 100) }),
    outputs: ["upper", "middle", "lower"],
    warmup: (p) => Math.max(p.emaPeriod - 1, p.atrPeriod),
    batch: (x, p, o) => {
      keltner(x.high, x.low, x.close, p.emaPeriod, p.atrPeriod, p.multiplier, {
        upper: o.upper!,
        middle: o.middle!,
        lower: o.lower!,
      });
    },
    stream: (p) => {
      const s = new KeltnerStream(p.emaPeriod, p.atrPeriod, p.multiplier);
      return (b, v) => {
        v[1] = s.update(b);
        v[0] = s.upper;
        v[2] = s.lower;
      };
    },
  }),
  define({
    name: "donchian",
    description: "Donchian channel: highest high, lowest low, midpoint",
    category: "volatility",
    reference: "@ixjb94/indicators dc, TA-Lib MAX/MIN",
    params: z.strictObject({ period: period(20) }),
    outputs: ["upper", "lower", "middle"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      donchian(x.high, x.low, p.period, { upper: o.upper!, lower: o.lower!, middle: o.middle! });
    },
    stream: (p) => {
      const s = new DonchianStream(p.period);
      return (b, v) => {
        v[2] = s.update(b);
        v[0] = s.upper;
        v[1] = s.lower;
      };
    },
  }),
  define({
    name: "stddev",
    description: "Rolling population standard deviation",
    category: "volatility",
    reference: "TA-Lib STDDEV",
    params: z.strictObject({ period: period(20), source: source() }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      stddev(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new StddevStream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  }),
  realized("realized-volatility", "close-to-close", "Sample sd of log returns", (p) => p),
  realized("parkinson-volatility", "parkinson", "Parkinson high-low volatility", (p) => p - 1),
  realized("garman-klass-volatility", "garman-klass", "Garman-Klass OHLC volatility", (p) => p - 1),
];
