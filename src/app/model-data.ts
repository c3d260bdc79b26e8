import type { CandleSeries } from "../domain/candle-series.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import { buildFeatures, type FeatureSet } from "../forecasting/features/build-features.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";
import type { NewsStore } from "../ports/news-store.ts";
import { sentimentFeature } from "../sentiment/feature.ts";

/** The series a model's cross-asset features read, saved with the model so predictions rebuild the same columns */
export interface FeatureSources {
  benchmark: SeriesKey | null;
  universe: SeriesKey[];
  /** opt-in (`--features +sentiment`): the stored headlines naming this symbol, as a 24 h mean score and count per bar */
  sentiment?: { symbol: string; windowMs: number };
}

/** The feature selections a model can opt into beside the default builder's columns */
export const FEATURE_SETS = ["+sentiment"] as const;

/**
 * The sentiment columns of `ts` (bar open times) from the stored headlines naming `symbol`: bar t
 * reads only headlines published before its close (src/sentiment/feature.ts), so a later headline
 * never enters it. Returned as [mean score, log(1 + count)].
 */
export function sentimentColumns(
  news: NewsStore | undefined,
  spec: { symbol: string; windowMs: number },
  ts: Float64Array,
  timeframe: Timeframe,
): { names: string[]; cols: Float64Array[] } {
  if (news === undefined)
    throw invalidInput("features +sentiment needs the news store; this caller gave none");
  const items = news.listItems({ symbol: spec.symbol });
  const f = sentimentFeature(items, ts, timeframeMs(timeframe), spec.windowMs);
  return { names: ["sent_mean_24h", "sent_logcount_24h"], cols: [f.mean, f.count.map(Math.log1p)] };
}

/** Default sources: BTC/USDT (else any BTC) on the same exchange and timeframe, and every series stored there as the universe */
export function defaultSources(store: CandleStore, key: SeriesKey): FeatureSources {
  const same = store.list().filter((s) => s.exchange === key.exchange && s.timeframe === key.timeframe);
  const btc = same.find((s) => s.symbol === "BTC/USDT") ?? same.find((s) => s.symbol.startsWith("BTC/"));
  const benchmark =
    btc === undefined ? null : { exchange: btc.exchange, symbol: btc.symbol, timeframe: btc.timeframe };
  const universe = same
    .filter((s) => !s.symbol.startsWith("BTC/") && !s.symbol.startsWith("ETH/"))
    .map((s) => ({ exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe }));
  return { benchmark, universe };
}

/** Reads the cross-asset series up to `to` and builds the features of `series` */
export function featuresFor(
  store: CandleStore,
  series: CandleSeries,
  sources: FeatureSources,
  to?: number,
  news?: NewsStore,
): FeatureSet {
  const have = new Set(store.list().map((s) => `${s.exchange}|${s.symbol}|${s.timeframe}`));
  const read = (k: SeriesKey): CandleSeries | undefined =>
    have.has(`${k.exchange}|${k.symbol}|${k.timeframe}`)
      ? store.read(k, to === undefined ? {} : { to })
      : undefined;
  const benchmark = sources.benchmark === null ? undefined : read(sources.benchmark);
  const universe = sources.universe.map(read).filter((s): s is CandleSeries => s !== undefined);
  const fs = buildFeatures({
    series,
    ...(benchmark === undefined ? {} : { benchmark }),
    universe,
  });
  if (sources.sentiment === undefined) return fs;
  const sent = sentimentColumns(news, sources.sentiment, series.ts, series.timeframe);
  return { ...fs, names: [...fs.names, ...sent.names], cols: [...fs.cols, ...sent.cols] };
}
