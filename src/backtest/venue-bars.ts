/**
 * Feeds aligned series to the venue: one reused `VenueBar` per symbol, refreshed for each bar
 * index (no allocation per bar unless finer detail bars are given), and the gaps the run crosses.
 */
import type { CandleSeries } from "../domain/candle-series.ts";
import type { Segment, VenueBar } from "../execution/venue/types.ts";
import type { GapCrossed } from "./types.ts";

export interface VenueBars {
  /** the bars of every symbol at the index last loaded */
  readonly bars: Readonly<Record<string, VenueBar>>;
  load(t: number): Readonly<Record<string, VenueBar>>;
}

export function venueBars(
  series: readonly CandleSeries[],
  detail: Readonly<Record<string, CandleSeries>> | undefined,
  barMs: number,
): VenueBars {
  const bars: Record<string, VenueBar> = {};
  for (const s of series) bars[s.symbol] = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  return {
    bars,
    load(t) {
      for (const s of series) {
        const b = bars[s.symbol]!;
        b.ts = s.ts[t]!;
        b.open = s.open[t]!;
        b.high = s.high[t]!;
        b.low = s.low[t]!;
        b.close = s.close[t]!;
        b.volume = s.volume[t]!;
        const d = detail?.[s.symbol];
        if (d !== undefined) b.detail = segmentsIn(d, b.ts, b.ts + barMs);
      }
      return bars;
    },
  };
}

/** The finer bars with open time in [from, to); undefined when there are none (the bar itself is used) */
function segmentsIn(d: CandleSeries, from: number, to: number): Segment[] | undefined {
  let lo = 0;
  let hi = d.ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.ts[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  const out: Segment[] = [];
  for (let i = lo; i < d.ts.length && d.ts[i]! < to; i++)
    out.push({ open: d.open[i]!, high: d.high[i]!, low: d.low[i]!, volume: d.volume[i]! });
  return out.length > 0 ? out : undefined;
}

/** Holes in the bar grid after `start`, with the number of bars missing in each */
export function gapsOf(s: CandleSeries, start: number, tfMs: number): GapCrossed[] {
  const out: GapCrossed[] = [];
  for (let i = Math.max(1, start); i < s.ts.length; i++) {
    const d = s.ts[i]! - s.ts[i - 1]!;
    if (d > tfMs)
      out.push({
        symbol: s.symbol,
        fromTs: s.ts[i - 1]!,
        toTs: s.ts[i]!,
        missingBars: Math.round(d / tfMs) - 1,
      });
  }
  return out;
}
