import type { CandleSeries } from "../../domain/candle-series.ts";
import { invalidInput } from "../../errors.ts";
import { closeToCloseVolatility } from "../../indicators/realized-volatility.ts";
import { getIndicator } from "../../indicators/registry.ts";
import { logReturn, percentileRank, ratio, ratioMinusOne, rollingMean, rollingZ } from "./rolling.ts";

/** What the features of one asset are computed from */
export interface FeatureInput {
  readonly series: CandleSeries;
  /** the market benchmark (BTC) for beta and correlation; any bars, aligned here by timestamp */
  readonly benchmark?: CandleSeries;
  /** peers (e.g. the AI-token universe) for relative strength; aligned here by timestamp */
  readonly universe?: readonly CandleSeries[];
}

/** Feature columns over the series' bars: cols[f][t] uses bars <= t only (NaN where not yet defined) */
export interface FeatureSet {
  readonly names: string[];
  readonly cols: Float64Array[];
  readonly ts: Float64Array;
  /** bars at the start where some indicator feature is still warming up */
  readonly warmup: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * 60-odd features of bar t from bars <= t: indicator features from the registry normalised to
 * be comparable across prices and assets (ratios, z-scores, percentiles, bounded oscillators),
 * returns over several lags, realised volatility, volume, cross-asset and calendar features.
 */
export function buildFeatures(input: FeatureInput): FeatureSet {
  const s = input.series;
  const n = s.close.length;
  if (n === 0) throw invalidInput(`features: ${s.symbol} ${s.timeframe} has no bars`);
  const names: string[] = [];
  const cols: Float64Array[] = [];
  const add = (name: string, col: Float64Array): void => {
    names.push(name);
    cols.push(col);
  };
  const ind = (name: string, params: Record<string, unknown> = {}): Record<string, Float64Array> =>
    getIndicator(name).batch(s, params);
  const v = (name: string, params: Record<string, unknown> = {}): Float64Array => ind(name, params).value!;
  const close = s.close;
  const perClose = (a: Float64Array): Float64Array => ratio(a, close);
  const price = (a: Float64Array): Float64Array => ratioMinusOne(close, a);
  let warmup = 0;
  const warm = (name: string, params: Record<string, unknown> = {}): void => {
    warmup = Math.max(warmup, getIndicator(name).warmup(params));
  };

  // trend: distance of the close from moving averages, as fractions
  for (const [name, period] of [
    ["sma", 20],
    ["sma", 50],
    ["sma", 200],
    ["ema", 12],
    ["ema", 50],
    ["kama", 30],
    ["hma", 20],
    ["vwma", 20],
  ] as const) {
    add(`${name}${period}_dist`, price(v(name, { period })));
    warm(name, { period });
  }
  const macd = ind("macd");
  add("macd_pct", perClose(macd.macd!));
  add("macd_hist_pct", perClose(macd.hist!));
  warm("macd");
  const adx = ind("adx");
  add("adx14", adx.adx!);
  const diSpread = new Float64Array(n);
  for (let t = 0; t < n; t++) diSpread[t] = adx.plusDi![t]! - adx.minusDi![t]!;
  add("di_spread", diSpread);
  warm("adx");
  add("aroon_osc", ind("aroon").oscillator!);
  add("psar_dist", price(v("psar")));
  add("supertrend_dir", ind("supertrend").direction!);
  warm("supertrend");
  add("linreg_slope_pct", perClose(v("linreg-slope", { period: 14 })));
  const ichi = ind("ichimoku");
  add("ichimoku_tenkan_dist", price(ichi.tenkan!));
  add("ichimoku_kijun_dist", price(ichi.kijun!));

  // momentum oscillators: bounded by construction, used as they are
  add("rsi14", v("rsi", { period: 14 }));
  add("rsi7", v("rsi", { period: 7 }));
  add("roc10", v("roc"));
  add("momentum10_pct", perClose(v("momentum")));
  add("trix18", v("trix"));
  warm("trix");
  add("cmo14", v("cmo"));
  add("cci20", v("cci"));
  add("williams_r14", v("williams-r"));
  add("mfi14", v("mfi"));
  const stoch = ind("stochastic");
  add("stoch_k", stoch.k!);
  add("stoch_d", stoch.d!);
  add("stoch_rsi_k", ind("stoch-rsi").k!);
  warm("stoch-rsi");
  add("ultimate_osc", v("ultimate-oscillator"));
  add("awesome_osc_pct", perClose(v("awesome-oscillator")));

  // volatility and position within bands
  add("natr14", v("natr"));
  const bb = ind("bollinger");
  add("bb_percent_b", bb.percentB!);
  add("bb_bandwidth", bb.bandwidth!);
  const kc = ind("keltner");
  const dc = ind("donchian");
  const kcPos = new Float64Array(n);
  const dcPos = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    kcPos[t] = (close[t]! - kc.middle![t]!) / (kc.upper![t]! - kc.lower![t]!);
    const w = dc.upper![t]! - dc.lower![t]!;
    dcPos[t] = w > 0 ? (close[t]! - dc.lower![t]!) / w : 0.5;
  }
  add("keltner_pos", kcPos);
  add("donchian_pos", dcPos);
  add("stddev20_pct", perClose(v("stddev")));
  add("parkinson_vol20", v("parkinson-volatility"));
  add("garman_klass_vol20", v("garman-klass-volatility"));
  add("max50_dist", price(v("rolling-max", { period: 50, source: "high" })));
  add("min50_dist", price(v("rolling-min", { period: 50, source: "low" })));
  add("close_z20", v("zscore", { period: 20 }));
  add("close_z100", v("zscore", { period: 100 }));
  add("close_pctile100", percentileRank(close, 100));

  // volume
  add("cmf20", v("cmf"));
  add("rolling_vwap_dist", price(v("rolling-vwap")));
  add("obv_z50", rollingZ(v("obv"), 50));
  const logVol = new Float64Array(n);
  for (let t = 0; t < n; t++) logVol[t] = Math.log1p(s.volume[t]!);
  add("volume_z72", rollingZ(logVol, 72));
  add("volume_ratio24", ratio(s.volume, rollingMean(s.volume, 24)));
  add("volume_pctile100", percentileRank(s.volume, 100));
  const force = v("force-index");
  const dollarVol = rollingMean(s.volume, 20);
  const forceN = new Float64Array(n);
  for (let t = 0; t < n; t++) forceN[t] = force[t]! / (dollarVol[t]! * close[t]!);
  add("force_index_norm", forceN);

  // returns over several lags and realised volatility
  const lags = lagsFor(s.timeframe);
  for (const lag of lags) add(`ret_${lag}`, logReturn(close, lag));
  const rvShort = closeToCloseVolatility(close, lags[3]!);
  const rvLong = closeToCloseVolatility(close, lags[5]!);
  add(`rv_${lags[3]}`, rvShort);
  add(`rv_${lags[5]}`, rvLong);
  add("rv_ratio", ratio(rvShort, rvLong));
  add("range_pct", ratio(subtract(s.high, s.low), close));

  // cross-asset: beta and correlation of one-bar returns to the benchmark, relative strength
  const win = lags[5]!;
  const r1 = logReturn(close, 1);
  const bench = input.benchmark === undefined ? undefined : alignClose(input.benchmark, s.ts);
  const br1 = bench === undefined ? new Float64Array(n).fill(Number.NaN) : logReturn(bench, 1);
  const { corr, beta } = rollingCorrBeta(r1, br1, win);
  add(`bench_corr_${win}`, corr);
  add(`bench_beta_${win}`, beta);
  const rsLag = lags[4]!;
  const own = logReturn(close, rsLag);
  const benchRet = bench === undefined ? new Float64Array(n).fill(Number.NaN) : logReturn(bench, rsLag);
  add(`rel_bench_${rsLag}`, subtract(own, benchRet));
  const peers = (input.universe ?? []).map((u) => logReturn(alignClose(u, s.ts), rsLag));
  const { pctile, excess } = crossRank(own, peers);
  add(`universe_rank_${rsLag}`, pctile);
  add(`universe_excess_${rsLag}`, excess);

  // calendar, UTC
  const weekday = new Float64Array(n);
  const hour = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const ts = s.ts[t]!;
    weekday[t] = (Math.floor(ts / DAY) + 4) % 7; // 1970-01-01 was a Thursday (4)
    hour[t] = Math.floor((ts % DAY) / HOUR);
  }
  add("weekday", weekday);
  add("hour", hour);
  return { names, cols, ts: s.ts, warmup: Math.min(warmup, n) };
}

/** Return lags in bars, chosen per timeframe so they span about the same clock time */
function lagsFor(tf: string): number[] {
  if (tf.endsWith("m")) return [1, 3, 12, 48, 288, 864];
  if (tf === "1h" || tf === "2h") return [1, 4, 12, 24, 72, 168];
  return [1, 2, 5, 10, 20, 60];
}

const subtract = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, i) => x - b[i]!);

/** The other series' close at each of our timestamps, the last known close carried forward over its gaps */
function alignClose(other: CandleSeries, ts: Float64Array): Float64Array {
  const out = new Float64Array(ts.length);
  let j = 0;
  let last = Number.NaN;
  for (let t = 0; t < ts.length; t++) {
    while (j < other.ts.length && other.ts[j]! <= ts[t]!) last = other.close[j++]!;
    out[t] = last;
  }
  return out;
}

/** Pearson correlation and beta of a on b over the last `w` bars, skipping pairs with a NaN */
function rollingCorrBeta(
  a: Float64Array,
  b: Float64Array,
  w: number,
): { corr: Float64Array; beta: Float64Array } {
  const n = a.length;
  const corr = new Float64Array(n).fill(Number.NaN);
  const beta = new Float64Array(n).fill(Number.NaN);
  for (let t = w - 1; t < n; t++) {
    let k = 0;
    let sa = 0;
    let sb = 0;
    for (let i = t - w + 1; i <= t; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      k++;
      sa += x;
      sb += y;
    }
    if (k < w / 2) continue;
    const ma = sa / k;
    const mb = sb / k;
    let cab = 0;
    let vaa = 0;
    let vbb = 0;
    for (let i = t - w + 1; i <= t; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      cab += (x - ma) * (y - mb);
      vaa += (x - ma) * (x - ma);
      vbb += (y - mb) * (y - mb);
    }
    corr[t] = vaa > 0 && vbb > 0 ? cab / Math.sqrt(vaa * vbb) : Number.NaN;
    beta[t] = vbb > 0 ? cab / vbb : Number.NaN;
  }
  return { corr, beta };
}

/** Our value's percentile among the peers' values at each bar, and its excess over their median */
function crossRank(own: Float64Array, peers: Float64Array[]): { pctile: Float64Array; excess: Float64Array } {
  const n = own.length;
  const pctile = new Float64Array(n).fill(Number.NaN);
  const excess = new Float64Array(n).fill(Number.NaN);
  const vals: number[] = [];
  for (let t = 0; t < n; t++) {
    const x = own[t]!;
    if (Number.isNaN(x)) continue;
    vals.length = 0;
    for (const p of peers) if (!Number.isNaN(p[t]!)) vals.push(p[t]!);
    if (vals.length < 2) continue;
    let le = 0;
    for (const y of vals) if (y <= x) le++;
    pctile[t] = le / vals.length;
    vals.sort((p, q) => p - q);
    const mid = vals.length >> 1;
    const median = vals.length % 2 === 1 ? vals[mid]! : (vals[mid - 1]! + vals[mid]!) / 2;
    excess[t] = x - median;
  }
  return { pctile, excess };
}
