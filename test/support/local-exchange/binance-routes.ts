// Binance's public REST shapes (spot /api/v3 and USD-M futures /fapi/v1), answered from MarketData.
// Field names and string formatting follow Binance's documented responses, which ccxt parses.
import { isTimeframe, timeframeMs } from "../../../src/domain/timeframe.ts";
import type { ListedMarket, MarketData } from "./market-data.ts";

/** A JSON answer (status 200 unless an error) */
export interface Reply {
  status: number;
  body: unknown;
  /** rows an answer holds, so a "truncate" fault can shorten it */
  rows?: unknown[];
}

const ok = (body: unknown, rows?: unknown[]): Reply =>
  rows === undefined ? { status: 200, body } : { status: 200, body, rows };
const err = (status: number, code: number, msg: string): Reply => ({ status, body: { code, msg } });

// Binance sends prices as strings with 8 decimals; keep the shortest form when 8 would round
const s8 = (x: number): string => (Number(x.toFixed(8)) === x ? x.toFixed(8) : String(x));

const RATE_LIMITS = [
  { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
  { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
  { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
];

function tickFor(m: ListedMarket): number {
  const any = [...m.series.values()][0]!;
  let min = Number.POSITIVE_INFINITY;
  for (const p of any.low) if (p > 0 && p < min) min = p;
  return Math.min(0.01, 10 ** (Math.floor(Math.log10(min)) - 4));
}

function spotSymbol(m: ListedMarket) {
  const tick = tickFor(m);
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
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: s8(tick), maxPrice: "1000000.00000000", tickSize: s8(tick) },
      { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
      { filterType: "MARKET_LOT_SIZE", minQty: "0.00000000", maxQty: "100.00000000", stepSize: "0.00000000" },
      {
        filterType: "NOTIONAL",
        minNotional: "5.00000000",
        applyMinToMarket: true,
        maxNotional: "9000000.00000000",
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

function futuresSymbol(m: ListedMarket) {
  const tick = tickFor(m);
  return {
    symbol: m.id,
    pair: m.id,
    contractType: "PERPETUAL",
    deliveryDate: 4133404800000,
    onboardDate: [...m.series.values()][0]!.ts[0],
    status: "TRADING",
    maintMarginPercent: "2.5000",
    requiredMarginPercent: "5.0000",
    baseAsset: m.base,
    quoteAsset: m.quote,
    marginAsset: m.quote,
    pricePrecision: Math.max(0, -Math.round(Math.log10(tick))),
    quantityPrecision: 3,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: "COIN",
    underlyingSubType: [],
    triggerProtect: "0.0500",
    liquidationFee: "0.012500",
    marketTakeBound: "0.05",
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: s8(tick), maxPrice: "4529764", tickSize: s8(tick) },
      { filterType: "LOT_SIZE", minQty: "0.001", maxQty: "1000", stepSize: "0.001" },
      { filterType: "MARKET_LOT_SIZE", minQty: "0.001", maxQty: "120", stepSize: "0.001" },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MIN_NOTIONAL", notional: "100" },
      {
        filterType: "PERCENT_PRICE",
        multiplierUp: "1.0500",
        multiplierDown: "0.9500",
        multiplierDecimal: "4",
      },
    ],
    orderTypes: [
      "LIMIT",
      "MARKET",
      "STOP",
      "STOP_MARKET",
      "TAKE_PROFIT",
      "TAKE_PROFIT_MARKET",
      "TRAILING_STOP_MARKET",
    ],
    timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
  };
}

const int = (q: URLSearchParams, k: string): number | undefined => {
  const v = q.get(k);
  return v === null || !/^\d+$/.test(v) ? undefined : Number(v);
};

/** Answers one public GET; `now` is the exchange's clock (candles opening after it do not exist yet) */
export function binanceRoute(
  data: MarketData,
  path: string,
  q: URLSearchParams,
  now: number,
): Reply | undefined {
  switch (path) {
    case "/api/v3/ping":
    case "/fapi/v1/ping":
      return ok({});
    case "/api/v3/time":
    case "/fapi/v1/time":
      return ok({ serverTime: now });
    case "/api/v3/exchangeInfo":
      return ok({
        timezone: "UTC",
        serverTime: now,
        rateLimits: RATE_LIMITS,
        exchangeFilters: [],
        symbols: [...data.markets.values()].map(spotSymbol),
      });
    case "/fapi/v1/exchangeInfo":
      return ok({
        timezone: "UTC",
        serverTime: now,
        futuresType: "U_MARGINED",
        rateLimits: RATE_LIMITS,
        exchangeFilters: [],
        assets: [{ asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" }],
        symbols: [...data.markets.values()].filter((m) => m.series.has("1h")).map(futuresSymbol),
      });
    case "/api/v3/klines":
    case "/fapi/v1/klines":
      return klines(data, q, now, path.startsWith("/fapi") ? 1500 : 1000);
    case "/fapi/v1/fundingRate":
      return fundingRate(data, q, now);
    default:
      return undefined;
  }
}

// GET /api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=...&endTime=...&limit=500
function klines(data: MarketData, q: URLSearchParams, now: number, maxLimit: number): Reply {
  const id = q.get("symbol") ?? "";
  const interval = q.get("interval") ?? "";
  if (!data.markets.has(id)) return err(400, -1121, "Invalid symbol.");
  if (!isTimeframe(interval)) return err(400, -1120, "Invalid interval.");
  const s = data.candles(id, interval);
  if (s === undefined) return err(400, -1120, "Invalid interval.");
  const limit = Math.min(int(q, "limit") ?? 500, maxLimit);
  const start = int(q, "startTime");
  const end = Math.min(int(q, "endTime") ?? Number.POSITIVE_INFINITY, now);
  const tf = timeframeMs(interval);
  const idx: number[] = [];
  if (start !== undefined) {
    for (let i = 0; i < s.ts.length && idx.length < limit; i++) {
      if (s.ts[i]! >= start && s.ts[i]! <= end) idx.push(i);
    }
  } else {
    for (let i = s.ts.length - 1; i >= 0 && idx.length < limit; i--) if (s.ts[i]! <= end) idx.unshift(i);
  }
  const rows = idx.map((i) => {
    const t = s.ts[i]!;
    const v = s.volume[i]!;
    const quoteVol = v * s.close[i]!;
    return [
      t,
      s8(s.open[i]!),
      s8(s.high[i]!),
      s8(s.low[i]!),
      s8(s.close[i]!),
      s8(v),
      t + tf - 1,
      s8(Math.round(quoteVol * 1e8) / 1e8),
      Math.round(v * 10) + 1,
      s8(Math.round(v * 0.5 * 1e8) / 1e8),
      s8(Math.round(quoteVol * 0.5 * 1e8) / 1e8),
      "0",
    ];
  });
  return ok(rows, rows);
}

// GET /fapi/v1/fundingRate?symbol=BTCUSDT&startTime=...&endTime=...&limit=100
function fundingRate(data: MarketData, q: URLSearchParams, now: number): Reply {
  const id = q.get("symbol") ?? "";
  if (!data.markets.get(id)?.series.has("1h")) return err(400, -1121, "Invalid symbol.");
  const limit = Math.min(int(q, "limit") ?? 100, 1000);
  const start = int(q, "startTime");
  const end = Math.min(int(q, "endTime") ?? Number.POSITIVE_INFINITY, now);
  const all = data.funding(id).filter((r) => r.fundingTime <= end);
  const picked =
    start === undefined ? all.slice(-limit) : all.filter((r) => r.fundingTime >= start).slice(0, limit);
  const rows = picked.map((r) => ({
    symbol: id,
    fundingTime: r.fundingTime,
    fundingRate: s8(r.fundingRate),
    markPrice: s8(r.markPrice),
  }));
  return ok(rows, rows);
}
