// What the local exchange trades and the history it serves: the bundled Binance files, plus
// funding payments derived from them (synthetic but deterministic: the bundle has no funding data)
import { resampleCandles } from "../../../src/data/resample.ts";
import type { CandleSeries } from "../../../src/domain/candle-series.ts";
import { type Timeframe, timeframeMs } from "../../../src/domain/timeframe.ts";
import { bundledFiles, loadBundledSeries } from "../bundled-data.ts";

/** One listed pair, e.g. BTC/USDT as BTCUSDT */
export interface ListedMarket {
  id: string;
  base: string;
  quote: string;
  /** candles per timeframe the bundle holds */
  series: Map<Timeframe, CandleSeries>;
}

export interface FundingRow {
  fundingTime: number;
  fundingRate: number;
  markPrice: number;
}

const FUNDING_EVERY = 8 * 3_600_000;

/** The markets of one bundled exchange (binance by default) */
export class MarketData {
  readonly markets = new Map<string, ListedMarket>();
  private readonly fundingCache = new Map<string, FundingRow[]>();

  constructor(exchange = "binance") {
    for (const f of bundledFiles().filter((x) => x.exchange === exchange)) {
      const [base, quote] = f.symbol.split("/") as [string, string];
      const id = `${base}${quote}`;
      const m = this.markets.get(id) ?? { id, base, quote, series: new Map() };
      m.series.set(f.timeframe, loadBundledSeries(f.exchange, f.symbol, f.timeframe));
      this.markets.set(id, m);
    }
  }

  /** Candles for an interval: stored, or resampled from the finest stored timeframe that divides it */
  candles(id: string, interval: Timeframe): CandleSeries | undefined {
    const m = this.markets.get(id);
    if (m === undefined) return undefined;
    const direct = m.series.get(interval);
    if (direct !== undefined) return direct;
    const want = timeframeMs(interval);
    const source = [...m.series.values()]
      .filter((s) => want > timeframeMs(s.timeframe) && want % timeframeMs(s.timeframe) === 0)
      .sort((a, b) => timeframeMs(b.timeframe) - timeframeMs(a.timeframe))[0];
    if (source === undefined) return undefined;
    const r = resampleCandles(source, interval).series;
    m.series.set(interval, r);
    return r;
  }

  /**
   * Funding every 8 hours over the hourly history: 0.01% plus a tenth of the last 8 hours' return,
   * clamped to +-0.75%, rounded to 8 decimals like Binance's strings
   */
  funding(id: string): FundingRow[] {
    const hit = this.fundingCache.get(id);
    if (hit !== undefined) return hit;
    const h = this.markets.get(id)?.series.get("1h");
    const rows: FundingRow[] = [];
    if (h !== undefined) {
      const idx = new Map<number, number>();
      for (let i = 0; i < h.ts.length; i++) idx.set(h.ts[i]!, i);
      const first = Math.ceil(h.ts[0]! / FUNDING_EVERY) * FUNDING_EVERY + FUNDING_EVERY;
      for (let t = first; t <= h.ts[h.ts.length - 1]!; t += FUNDING_EVERY) {
        const now = idx.get(t);
        const before = idx.get(t - FUNDING_EVERY);
        if (now === undefined || before === undefined) continue;
        const ret = h.open[now]! / h.open[before]! - 1;
        const rate = Math.round(Math.max(-0.0075, Math.min(0.0075, 0.0001 + ret / 10)) * 1e8) / 1e8;
        rows.push({ fundingTime: t, fundingRate: rate, markPrice: h.open[now]! });
      }
    }
    this.fundingCache.set(id, rows);
    return rows;
  }
}
