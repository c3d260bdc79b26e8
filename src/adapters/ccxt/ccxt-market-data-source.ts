import ccxt, { type Exchange } from "ccxt";
import { allocColumns } from "../../domain/candle-series.ts";
import type { Timeframe } from "../../domain/timeframe.ts";
import { AppError, invalidInput } from "../../errors.ts";
import type { CandlePage, FundingPage, MarketDataSource } from "../../ports/market-data-source.ts";
import { translateCcxtError } from "./translate-error.ts";

export interface CcxtSourceOptions {
  /** replaces the origin of every API URL (mirrors, proxies, the local test exchange) */
  apiBase?: string;
  /** per-request timeout, ms (ccxt's default is 10 s) */
  timeoutMs?: number;
  /** ms between requests for ccxt's own limiter (default: the exchange's published rate) */
  rateLimitMs?: number;
}

/** Public market data of any ccxt exchange; ccxt's own rate limiter spaces the requests */
export class CcxtMarketDataSource implements MarketDataSource {
  readonly exchange: string;
  readonly maxCandlesPerPage: number;
  private readonly ex: Exchange;
  private marketsLoaded: Promise<unknown> | undefined;

  constructor(exchangeId: string, opts: CcxtSourceOptions = {}) {
    const id = exchangeId.toLowerCase();
    const Ctor = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[id];
    if (!ccxt.exchanges.includes(id) || Ctor === undefined) {
      throw invalidInput(
        `unknown exchange "${exchangeId}": use a ccxt id such as binance, kraken, okx, bybit, coinbase`,
      );
    }
    this.exchange = id;
    this.ex = new Ctor({
      enableRateLimit: true,
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.rateLimitMs === undefined ? {} : { rateLimit: opts.rateLimitMs }),
      // spot and USD-M perpetuals only: options and coin-M markets are never downloaded here
      options: { fetchMarkets: { types: ["spot", "linear"] }, defaultType: "spot" },
    });
    if (opts.apiBase !== undefined)
      rewriteOrigins(this.ex.urls as Record<string, unknown>, opts.apiBase.replace(/\/+$/, ""));
    const features = this.ex.features as { spot?: { fetchOHLCV?: { limit?: number } } } | undefined;
    this.maxCandlesPerPage = features?.spot?.fetchOHLCV?.limit ?? 500;
  }

  async capabilities(): Promise<{ ohlcv: boolean; funding: boolean; timeframes: readonly string[] }> {
    return {
      ohlcv: this.ex.has.fetchOHLCV === true,
      funding: this.ex.has.fetchFundingRateHistory === true,
      timeframes: Object.keys(this.ex.timeframes ?? {}),
    };
  }

  async fetchCandles(
    symbol: string,
    timeframe: Timeframe,
    since: number,
    limit: number,
  ): Promise<CandlePage> {
    await this.market(symbol, "candles");
    const rows = await this.call(`fetching ${symbol} ${timeframe} candles`, () =>
      this.ex.fetchOHLCV(symbol, timeframe, since, limit),
    );
    const n = rows.length;
    const page = allocColumns(n);
    // ccxt rows: [timestamp, open, high, low, close, volume]; a missing volume is 0 on some venues
    rows.forEach((r, i) => {
      page.ts[i] = Number(r[0]);
      page.open[i] = Number(r[1]);
      page.high[i] = Number(r[2]);
      page.low[i] = Number(r[3]);
      page.close[i] = Number(r[4]);
      page.volume[i] = Number(r[5] ?? 0);
    });
    return page;
  }

  async fetchFunding(symbol: string, since: number, limit: number): Promise<FundingPage> {
    await this.market(symbol, "funding");
    const rows = await this.call(`fetching ${symbol} funding`, () =>
      this.ex.fetchFundingRateHistory(symbol, since, limit),
    );
    return {
      ts: Float64Array.from(rows, (r) => Number(r.timestamp)),
      rate: Float64Array.from(rows, (r) => Number(r.fundingRate)),
    };
  }

  async close(): Promise<void> {
    await this.ex.close();
    // ccxt's close ends its WebSockets only; its REST connection pool (an undici Agent) keeps a request
    // still in flight (an interrupted download's page) and the process with it until the exchange
    // answers or the timeout passes
    const pool = (this.ex as { fetchDispatcher?: { destroy?: () => Promise<void> } }).fetchDispatcher;
    await pool?.destroy?.().catch(() => undefined);
  }

  private async market(symbol: string, what: string): Promise<void> {
    this.marketsLoaded ??= this.call("loading markets", () => this.ex.loadMarkets());
    try {
      await this.marketsLoaded;
    } catch (err) {
      this.marketsLoaded = undefined;
      throw err;
    }
    const markets = this.ex.markets ?? {};
    if (markets[symbol] === undefined) {
      const base = symbol.split("/")[0] ?? symbol;
      const similar = Object.keys(markets)
        .filter((s) => s.startsWith(`${base}/`))
        .slice(0, 8);
      const hint =
        what === "funding" ? " (perpetuals are written BASE/QUOTE:SETTLE, e.g. BTC/USDT:USDT)" : "";
      throw new AppError(
        "NOT_FOUND",
        `${this.exchange} has no market ${symbol}${hint}${similar.length > 0 ? `; similar: ${similar.join(", ")}` : ""}`,
      );
    }
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const headers = (this.ex.last_response_headers ?? {}) as Record<string, string>;
      const retryAfter = headers["retry-after"] ?? headers["Retry-After"];
      const sec = retryAfter === undefined ? Number.NaN : Number(retryAfter);
      throw translateCcxtError(err, this.exchange, doing, Number.isFinite(sec) ? sec * 1000 : undefined);
    }
  }
}

// every string URL under urls.api keeps its path and gets the new origin
export function rewriteOrigins(urls: Record<string, unknown>, base: string): void {
  const walk = (o: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === "string" && /^https?:\/\//.test(v))
        o[k] = base + new URL(v).pathname.replace(/\/+$/, "");
      else if (v !== null && typeof v === "object") walk(v as Record<string, unknown>);
    }
  };
  const api = urls.api;
  if (typeof api === "string") urls.api = base + new URL(api).pathname;
  else if (api !== null && typeof api === "object") walk(api as Record<string, unknown>);
}
