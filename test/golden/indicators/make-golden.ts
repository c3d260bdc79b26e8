// Generates the indicator golden files from independent references (TA-Lib 1.1.6 native, trading-signals,
// @ixjb94/indicators, pandas). Run once, commit the output: npx tsx test/golden/indicators/make-golden.ts
// Needs the dev dependencies and Debian's python3-pandas (/usr/bin/python3); the tests need neither.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as ts from "trading-signals";
import { CASES, DATASETS, type GoldenCase } from "./cases.ts";
import { datasetInput } from "./dataset.ts";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const talib = require("talib") as { execute(o: Record<string, unknown>): TalibResult };
const ixjb = new (require("@ixjb94/indicators").Indicators)() as Record<string, (...a: unknown[]) => Promise<number[]>>;

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
type Input = ReturnType<typeof datasetInput>;

/** Runs a TA-Lib function (plain arrays in: the binding misreads typed arrays) */
function run(name: string, inputs: Record<string, Float64Array>, opts: Record<string, number> = {}): TalibResult {
  const conv: Record<string, number[]> = {};
  let n = 0;
  for (const [k, v] of Object.entries(inputs)) {
    conv[k] = Array.from(v);
    n = v.length;
  }
  const r = talib.execute({ name, startIdx: 0, endIdx: n - 1, ...conv, ...opts });
  if (r.error !== undefined) throw new Error(`${name}: ${r.error}`);
  return r;
}

/** Places a TA-Lib output at its bar, NaN before begIndex */
function aligned(r: TalibResult, key: string, n: number): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  const v = r.result[key];
  if (v === undefined) throw new Error(`no TA-Lib output ${key}: ${Object.keys(r.result).join(", ")}`);
  for (let j = 0; j < v.length; j++) out[r.begIndex + j] = v[j]!;
  return out;
}

const num = (p: GoldenCase["params"], k: string, d: number): number => (typeof p[k] === "number" ? (p[k] as number) : d);

function talibCase(c: GoldenCase, x: Input): Float64Array {
  const n = x.close.length;
  const p = c.params;
  const hlc = { high: x.high, low: x.low, close: x.close };
  const per = (d: number) => ({ optInTimePeriod: num(p, "period", d) });
  const src = p.source === "hlc3" ? aligned(run("TYPPRICE", hlc), "outReal", n) : x.close;
  const one = (fn: string, inputs: Record<string, Float64Array>, opts: Record<string, number>) =>
    aligned(run(fn, inputs, opts), "outReal", n);
  switch (c.indicator) {
    case "sma":
    case "ema":
    case "wma":
    case "dema":
    case "tema":
    case "kama":
    case "trix":
    case "rsi":
    case "roc":
    case "cmo":
    case "stddev": {
      const fn = c.reference.split(" ")[1]!;
      return one(fn, { inReal: src }, { ...per(14), ...(fn === "STDDEV" ? { optInNbDev: 1 } : {}) });
    }
    case "momentum":
      return one("MOM", { inReal: src }, per(10));
    case "linreg-slope":
      return one("LINEARREG_SLOPE", { inReal: src }, per(14));
    case "rolling-max":
      return one("MAX", { inReal: src }, per(20));
    case "rolling-min":
      return one("MIN", { inReal: src }, per(20));
    case "macd": {
      const r = run("MACD", { inReal: src }, {
        optInFastPeriod: num(p, "fast", 12),
        optInSlowPeriod: num(p, "slow", 26),
        optInSignalPeriod: num(p, "signal", 9),
      });
      return aligned(r, { macd: "outMACD", signal: "outMACDSignal", hist: "outMACDHist" }[c.output]!, n);
    }
    case "adx":
      return one({ adx: "ADX", plusDi: "PLUS_DI", minusDi: "MINUS_DI" }[c.output]!, hlc, per(14));
    case "aroon": {
      if (c.output === "oscillator") return one("AROONOSC", { high: x.high, low: x.low }, per(14));
      const r = run("AROON", { high: x.high, low: x.low }, per(14));
      return aligned(r, c.output === "up" ? "outAroonUp" : "outAroonDown", n);
    }
    case "psar":
      return one(
        "SAR",
        { high: x.high, low: x.low },
        { optInAcceleration: num(p, "acceleration", 0.02), optInMaximum: num(p, "maximum", 0.2) },
      );
    case "cci":
      return one("CCI", hlc, per(20));
    case "williams-r":
      return one("WILLR", hlc, per(14));
    case "mfi":
      return one("MFI", { ...hlc, volume: x.volume }, per(14));
    case "atr":
      return one("ATR", hlc, per(14));
    case "natr":
      return one("NATR", hlc, per(14));
    case "true-range":
      return one("TRANGE", hlc, {});
    case "ultimate-oscillator":
      return one("ULTOSC", hlc, { optInTimePeriod1: 7, optInTimePeriod2: 14, optInTimePeriod3: 28 });
    case "stochastic": {
      const r = run("STOCH", hlc, {
        optInFastK_Period: num(p, "kPeriod", 14),
        optInSlowK_Period: num(p, "kSmooth", 3),
        optInSlowK_MAType: 0,
        optInSlowD_Period: num(p, "dPeriod", 3),
        optInSlowD_MAType: 0,
      });
      return aligned(r, c.output === "k" ? "outSlowK" : "outSlowD", n);
    }
    case "stoch-rsi": {
      const r = run("STOCHRSI", { inReal: src }, {
        optInTimePeriod: 14,
        optInFastK_Period: 5,
        optInFastD_Period: 3,
        optInFastD_MAType: 0,
      });
      return aligned(r, c.output === "k" ? "outFastK" : "outFastD", n);
    }
    case "bollinger": {
      const k = num(p, "k", 2);
      const r = run("BBANDS", { inReal: src }, {
        optInTimePeriod: num(p, "period", 20),
        optInNbDevUp: k,
        optInNbDevDn: k,
        optInMAType: 0,
      });
      const up = aligned(r, "outRealUpperBand", n);
      const mid = aligned(r, "outRealMiddleBand", n);
      const lo = aligned(r, "outRealLowerBand", n);
      if (c.output === "upper") return up;
      if (c.output === "middle") return mid;
      if (c.output === "lower") return lo;
      // %B and bandwidth by their textbook formulas on TA-Lib's bands
      return up.map((u, i) =>
        c.output === "percentB" ? (src[i]! - lo[i]!) / (u - lo[i]!) : (u - lo[i]!) / mid[i]!,
      );
    }
    case "obv":
      return one("OBV", { inReal: x.close, volume: x.volume }, {});
    case "ad":
      return one("AD", { ...hlc, volume: x.volume }, {});
    case "donchian": {
      const hi = one("MAX", { inReal: x.high }, per(20));
      const lo = one("MIN", { inReal: x.low }, per(20));
      if (c.output === "upper") return hi;
      if (c.output === "lower") return lo;
      return hi.map((h, i) => (h + lo[i]!) / 2);
    }
    case "correlation": {
      // TA-Lib's CORREL on the two return series; return i is at bar i+1
      const ra = returns(x.close);
      const rb = returns(x.benchmark!);
      const r = run("CORREL", { inReal0: ra, inReal1: rb }, per(30));
      const out = new Float64Array(n).fill(Number.NaN);
      const v = r.result.outReal!;
      for (let j = 0; j < v.length; j++) out[r.begIndex + j + 1] = v[j]!;
      return out;
    }
    case "beta":
      return one("BETA", { inReal0: x.benchmark!, inReal1: x.close }, per(5));
    default:
      throw new Error(`no TA-Lib mapping for ${c.indicator}`);
  }
}

function returns(a: Float64Array): Float64Array {
  const r = new Float64Array(a.length - 1);
  for (let i = 1; i < a.length; i++) r[i - 1] = (a[i]! - a[i - 1]!) / a[i - 1]!;
  return r;
}

type Candle = { open: number; high: number; low: number; close: number; volume: number };
const candles = (x: Input): Candle[] =>
  Array.from(x.close, (c, i) => ({ open: x.open[i]!, high: x.high[i]!, low: x.low[i]!, close: c, volume: x.volume[i]! }));

/** Feeds every candle to a trading-signals indicator, reading `pick(result)` (NaN while null) */
function feed<R>(x: Input, ind: { update(c: never, replace: boolean): R | null }, pick: (r: R) => number, value?: (c: Candle) => unknown) {
  return Float64Array.from(candles(x), (c) => {
    const r = ind.update((value ? value(c) : c) as never, false);
    return r === null || r === undefined ? Number.NaN : pick(r);
  });
}

/** Right-aligns an @ixjb94/indicators output (it drops the warm-up) */
const rightAligned = (v: number[], n: number): Float64Array => {
  const out = new Float64Array(n).fill(Number.NaN);
  out.set(v, n - v.length);
  return out;
};

function pandas(x: Input, code: string, annualization: number): Float64Array {
  const py = `
import sys, json, numpy as np, pandas as pd
d = json.load(sys.stdin)
o, h, l, c = (pd.Series(d[k]) for k in "ohlc")
p, ann = 20, ${annualization}
${code}
print(json.dumps([None if np.isnan(v) else float(v) for v in out]))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], {
    input: JSON.stringify({ o: [...x.open], h: [...x.high], l: [...x.low], c: [...x.close] }),
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`pandas failed: ${r.stderr}`);
  return Float64Array.from(JSON.parse(String(r.stdout)) as (number | null)[], (v) => v ?? Number.NaN);
}

async function reference(c: GoldenCase, x: Input): Promise<Float64Array> {
  const n = x.close.length;
  const period = num(c.params, "period", 20);
  const ann = x.timeframe === "1d" ? 365 : 8760;
  switch (c.reference) {
    case "trading-signals HMA":
      return feed(x, new ts.HMA(period), (r: number) => r, (k) => k.close);
    case "@ixjb94/indicators hma":
      return rightAligned(await ixjb.hma!([...x.close], period), n);
    case "trading-signals VWMA":
      return feed(x, new ts.VWMA(period), (r: number) => r);
    case "trading-signals SuperTrend":
      return feed(x, new ts.SuperTrend({ interval: 10, multiplier: 3 }), (r: { supertrend: number; trend: string }) =>
        c.output === "supertrend" ? r.supertrend : r.trend === "BULLISH" ? 1 : -1,
      );
    case "trading-signals IchimokuCloud": {
      const key = { tenkan: "conversion", kijun: "base", spanA: "spanA", spanB: "spanB" }[c.output]!;
      // trading-signals waits for the longest window before any line; the lines are aligned to the bar
      return feed(x, new ts.IchimokuCloud(), (r: Record<string, number>) => r[key]!);
    }
    case "trading-signals KeltnerChannels":
      return feed(x, new ts.KeltnerChannels({ atrInterval: 10, emaInterval: 20, multiplier: 2 }), (r: Record<string, number>) => r[c.output]!);
    case "trading-signals AO":
      return feed(x, new ts.AO(5, 34), (r: number) => r);
    case "trading-signals VWAP, restarted each UTC day": {
      let day = Number.NaN;
      let v = new ts.VWAP();
      return Float64Array.from(candles(x), (k, i) => {
        const d = Math.floor(x.ts[i]! / 86_400_000);
        if (d !== day) {
          day = d;
          v = new ts.VWAP();
        }
        return v.update(k, false) ?? Number.NaN;
      });
    }
    case "@ixjb94/indicators vwap":
      return rightAligned(await ixjb.vwap!([...x.high], [...x.low], [...x.close], [...x.volume], period), n);
    case "trading-signals CMF":
      return feed(x, new ts.CMF(period), (r: number) => r);
    case "trading-signals ForceIndex":
      return feed(x, new ts.ForceIndex(13), (r: number) => r);
    case "trading-signals getZScore":
      return Float64Array.from(x.close, (_c, i) => (i < period - 1 ? Number.NaN : ts.getZScore([...x.close.subarray(i - period + 1, i + 1)])));
    case "pandas": {
      const code = {
        "realized-volatility": "out = np.log(c).diff().rolling(p).std(ddof=1) * np.sqrt(ann)",
        "parkinson-volatility": "out = np.sqrt((np.log(h / l) ** 2).rolling(p).mean() / (4 * np.log(2))) * np.sqrt(ann)",
        "garman-klass-volatility":
          "out = np.sqrt((0.5 * np.log(h / l) ** 2 - (2 * np.log(2) - 1) * np.log(c / o) ** 2).rolling(p).mean().clip(lower=0)) * np.sqrt(ann)",
      }[c.indicator];
      if (code === undefined) throw new Error(`no pandas formula for ${c.indicator}`);
      return pandas(x, code, ann);
    }
    default:
      if (c.reference.startsWith("talib ")) return talibCase(c, x);
      throw new Error(`unknown reference ${c.reference}`);
  }
}

for (const ds of DATASETS) {
  const x = datasetInput(ds);
  const n = x.close.length;
  const all = new Float64Array(n * CASES.length);
  for (const [j, c] of CASES.entries()) {
    const ref = await reference(c, x);
    if (ref.length !== n) throw new Error(`${c.indicator}.${c.output}: reference has ${ref.length} values, want ${n}`);
    all.set(ref, j * n);
  }
  const bin = gzipSync(new Uint8Array(all.buffer), { level: 9 });
  writeFileSync(join(here, `${ds.key}.f64.gz`), bin);
  const manifest = { n, firstTs: x.ts[0], lastTs: x.ts[n - 1], cases: CASES };
  writeFileSync(join(here, `${ds.key}.json`), `${JSON.stringify(manifest, null, 1)}\n`);
  process.stderr.write(`${ds.key}: ${CASES.length} cases x ${n} bars, ${bin.length} bytes\n`);
}
