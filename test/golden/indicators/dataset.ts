// The input series of the indicator golden files, rebuilt identically by the generator and the test
import type { CandleSeries } from "../../../src/domain/candle-series.ts";
import type { IndicatorInput } from "../../../src/indicators/registry.ts";
import { loadBundledSeries } from "../../support/bundled-data.ts";
import type { DATASETS } from "./cases.ts";

/** BTC candles (the last `last` bars, or all) with ETH closes of the same bars as the benchmark */
export function datasetInput(ds: (typeof DATASETS)[number]): IndicatorInput & CandleSeries {
  const all = loadBundledSeries(ds.exchange, ds.symbol, ds.timeframe);
  const n = all.ts.length;
  const from = ds.last > 0 ? n - ds.last : 0;
  const pick = (a: Float64Array) => a.slice(from);
  const eth = loadBundledSeries(ds.exchange, "ETH/USDT", ds.timeframe);
  const at = new Map<number, number>();
  for (let i = 0; i < eth.ts.length; i++) at.set(eth.ts[i]!, eth.close[i]!);
  const ts = pick(all.ts);
  const benchmark = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    const v = at.get(ts[i]!);
    if (v === undefined) throw new Error(`ETH/USDT ${ds.timeframe} has no bar at ${new Date(ts[i]!).toISOString()}`);
    benchmark[i] = v;
  }
  return {
    exchange: all.exchange,
    symbol: all.symbol,
    timeframe: all.timeframe,
    ts,
    open: pick(all.open),
    high: pick(all.high),
    low: pick(all.low),
    close: pick(all.close),
    volume: pick(all.volume),
    benchmark,
  };
}
