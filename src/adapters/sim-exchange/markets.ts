// The markets the simulated exchange lists: one per replayed series, with Binance-style filters
// derived from the price level (the bundle and the store hold no exchange rules)
import type { CandleSeries } from "../../domain/candle-series.ts";
import { timeframeMs } from "../../domain/timeframe.ts";
import { formatUnits, unitsOf } from "./units.ts";

/** One listed spot market and its replayed history (one or more timeframes) */
export interface SimMarket {
  /** Binance id, "BTCUSDT" */
  readonly id: string;
  /** unified, "BTC/USDT" */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** every replayed timeframe, finest first; the finest drives matching */
  readonly series: readonly CandleSeries[];
  /** filters in 1e-8 units */
  readonly tickSize: bigint;
  readonly stepSize: bigint;
  readonly minQty: bigint;
  readonly maxQty: bigint;
  readonly minNotional: bigint;
}

/** Lists markets from replayed series (several timeframes of one symbol join one market) */
export function listMarkets(series: readonly CandleSeries[]): Map<string, SimMarket> {
  const bySymbol = new Map<string, CandleSeries[]>();
  for (const s of series) {
    const list = bySymbol.get(s.symbol) ?? [];
    list.push(s);
    bySymbol.set(s.symbol, list);
  }
  const out = new Map<string, SimMarket>();
  for (const [symbol, list] of bySymbol) {
    const [base, quote] = symbol.split("/") as [string, string];
    list.sort((a, b) => timeframeMs(a.timeframe) - timeframeMs(b.timeframe));
    let minLow = Number.POSITIVE_INFINITY;
    let maxHigh = 0;
    for (const s of list) {
      for (const p of s.low) if (p > 0 && p < minLow) minLow = p;
      for (const p of s.high) if (p > maxHigh) maxHigh = p;
    }
    // a tick of 1/10,000 of the lowest price (at most 0.01), a step worth about one quote unit at the highest
    const tick = Math.max(1e-8, Math.min(0.01, 10 ** (Math.floor(Math.log10(minLow)) - 4)));
    const step = Math.max(1e-8, Math.min(1, 10 ** Math.floor(Math.log10(1 / maxHigh))));
    const id = `${base}${quote}`;
    out.set(id, {
      id,
      symbol,
      base,
      quote,
      series: list,
      tickSize: unitsOf(tick),
      stepSize: unitsOf(step),
      minQty: unitsOf(step),
      maxQty: unitsOf(9_000_000 * step),
      minNotional: unitsOf(5),
    });
  }
  return out;
}

/** The market's entry in Binance's spot exchangeInfo */
export function exchangeInfoSymbol(m: SimMarket): Record<string, unknown> {
  return {
    symbol: m.id,
    status: "TRADING",
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "MARKET"],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: false,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: formatUnits(m.tickSize),
        maxPrice: "10000000.00000000",
        tickSize: formatUnits(m.tickSize),
      },
      {
        filterType: "LOT_SIZE",
        minQty: formatUnits(m.minQty),
        maxQty: formatUnits(m.maxQty),
        stepSize: formatUnits(m.stepSize),
      },
      {
        filterType: "NOTIONAL",
        minNotional: formatUnits(m.minNotional),
        applyMinToMarket: true,
        maxNotional: "9000000.00000000",
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "NONE",
    allowedSelfTradePreventionModes: ["NONE"],
  };
}
