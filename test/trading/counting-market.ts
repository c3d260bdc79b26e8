// A market data source that counts its REST candle fetches: a bar a live loop fetched over REST did
// not come by the kline stream (the live-loop tests tell the two paths apart with it)
import type { MarketDataSource } from "../../src/ports/market-data-source.ts";

export function countingFetches(inner: MarketDataSource): { market: MarketDataSource; fetches(): number } {
  let n = 0;
  const market = new Proxy(inner, {
    get(target, prop, recv) {
      if (prop === "fetchCandles")
        return (...a: Parameters<MarketDataSource["fetchCandles"]>) => {
          n++;
          return target.fetchCandles(...a);
        };
      const v = Reflect.get(target, prop, recv) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { market, fetches: () => n };
}
