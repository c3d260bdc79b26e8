import type { CandleSeries } from "../domain/candle-series.ts";
import { buildFeatures, type FeatureSet } from "../forecasting/features/build-features.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";

/** The series a model's cross-asset features read, saved with the model so predictions rebuild the same columns */
export interface FeatureSources {
  benchmark: SeriesKey | null;
  universe: SeriesKey[];
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
): FeatureSet {
  const have = new Set(store.list().map((s) => `${s.exchange}|${s.symbol}|${s.timeframe}`));
  const read = (k: SeriesKey): CandleSeries | undefined =>
    have.has(`${k.exchange}|${k.symbol}|${k.timeframe}`)
      ? store.read(k, to === undefined ? {} : { to })
      : undefined;
  const benchmark = sources.benchmark === null ? undefined : read(sources.benchmark);
  const universe = sources.universe.map(read).filter((s): s is CandleSeries => s !== undefined);
  return buildFeatures({
    series,
    ...(benchmark === undefined ? {} : { benchmark }),
    universe,
  });
}
