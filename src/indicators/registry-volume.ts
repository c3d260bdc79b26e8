import { z } from "zod";
import { AdStream, ad } from "./ad.ts";
import { CmfStream, cmf } from "./cmf.ts";
import { BetaStream, beta, CorrelationStream, correlation } from "./correlation.ts";
import { ForceIndexStream, forceIndex } from "./force-index.ts";
import { ObvStream, obv } from "./obv.ts";
import { barSource, define, type Indicator, period, source, sourceOf } from "./registry-types.ts";
import { RollingMaxStream, RollingMinStream, rollingMax, rollingMin } from "./rolling-extrema.ts";
import { RollingVwapStream, rollingVwap, SessionVwapStream, sessionVwap } from "./vwap.ts";
import { ZscoreStream, zscore } from "./zscore.ts";

export const VOLUME: Indicator[] = [
  define({
    name: "obv",
    description: "On-balance volume",
    category: "volume",
    reference: "TA-Lib OBV",
    params: z.strictObject({}),
    outputs: ["value"],
    warmup: () => 0,
    batch: (x, _p, o) => {
      obv(x.close, x.volume, o.value!);
    },
    stream: () => {
      const s = new ObvStream();
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "vwap",
    description: "Session VWAP of the typical price, reset at 00:00 UTC",
    category: "volume",
    reference: "trading-signals VWAP restarted each UTC day",
    params: z.strictObject({}),
    outputs: ["value"],
    warmup: () => 0,
    batch: (x, _p, o) => {
      sessionVwap(x, o.value!);
    },
    stream: () => {
      const s = new SessionVwapStream();
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "rolling-vwap",
    description: "VWAP of the typical price over the last `period` bars",
    category: "volume",
    reference: "@ixjb94/indicators vwap",
    params: z.strictObject({ period: period(20) }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      rollingVwap(x, p.period, o.value!);
    },
    stream: (p) => {
      const s = new RollingVwapStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "ad",
    description: "Accumulation/distribution line",
    category: "volume",
    reference: "TA-Lib AD",
    params: z.strictObject({}),
    outputs: ["value"],
    warmup: () => 0,
    batch: (x, _p, o) => {
      ad(x.high, x.low, x.close, x.volume, o.value!);
    },
    stream: () => {
      const s = new AdStream();
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "cmf",
    description: "Chaikin money flow; 0 where the window has no volume",
    category: "volume",
    reference: "trading-signals CMF, @ixjb94/indicators cmf",
    params: z.strictObject({ period: period(20) }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      cmf(x.high, x.low, x.close, x.volume, p.period, o.value!);
    },
    stream: (p) => {
      const s = new CmfStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
  define({
    name: "force-index",
    description: "EMA of (close change · volume)",
    category: "volume",
    reference: "trading-signals ForceIndex",
    params: z.strictObject({ period: period(13) }),
    outputs: ["value"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      forceIndex(x.close, x.volume, p.period, o.value!);
    },
    stream: (p) => {
      const s = new ForceIndexStream(p.period);
      return (b, v) => {
        v[0] = s.update(b);
      };
    },
  }),
];

export const STATISTICS: Indicator[] = [
  define({
    name: "zscore",
    description: "Rolling z-score against the window's mean and population sd; 0 on a flat window",
    category: "statistics",
    reference: "trading-signals getZScore",
    params: z.strictObject({ period: period(20, 2), source: source() }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      zscore(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new ZscoreStream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  }),
  define({
    name: "rolling-max",
    description: "Highest value of the last `period` bars",
    category: "statistics",
    reference: "TA-Lib MAX",
    params: z.strictObject({ period: period(20), source: source() }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      rollingMax(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new RollingMaxStream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  }),
  define({
    name: "rolling-min",
    description: "Lowest value of the last `period` bars",
    category: "statistics",
    reference: "TA-Lib MIN",
    params: z.strictObject({ period: period(20), source: source() }),
    outputs: ["value"],
    warmup: (p) => p.period - 1,
    batch: (x, p, o) => {
      rollingMin(sourceOf(x, p.source), p.period, o.value!);
    },
    stream: (p) => {
      const s = new RollingMinStream(p.period);
      return (b, v) => {
        v[0] = s.update(barSource(b, p.source));
      };
    },
  }),
  define({
    name: "correlation",
    description: "Rolling correlation of simple returns with a benchmark series",
    category: "statistics",
    reference: "TA-Lib CORREL on returns",
    params: z.strictObject({ period: period(30, 2) }),
    outputs: ["value"],
    needs: ["benchmark"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      correlation(x.close, x.benchmark!, p.period, o.value!);
    },
    stream: (p) => {
      const s = new CorrelationStream(p.period);
      return (b, v) => {
        v[0] = s.update(b.close, b.benchmark ?? Number.NaN);
      };
    },
  }),
  define({
    name: "beta",
    description: "Rolling beta of the series' simple returns on a benchmark's",
    category: "statistics",
    reference: "TA-Lib BETA",
    params: z.strictObject({ period: period(5, 2) }),
    outputs: ["value"],
    needs: ["benchmark"],
    warmup: (p) => p.period,
    batch: (x, p, o) => {
      beta(x.close, x.benchmark!, p.period, o.value!);
    },
    stream: (p) => {
      const s = new BetaStream(p.period);
      return (b, v) => {
        v[0] = s.update(b.close, b.benchmark ?? Number.NaN);
      };
    },
  }),
];
