import { findGaps, type Gap, keepMask, validateCandles } from "../data/validate-candles.ts";
import { allocColumns, type CandleSeries } from "../domain/candle-series.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { isAppError } from "../errors.ts";
import type { CandleStore, SeriesInfo } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import { resolveSeries, type SeriesRef } from "./resolve-series.ts";

export interface SeriesCheck {
  series: SeriesInfo;
  /** invariant violations (should never happen: imports are validated) */
  problems: string[];
  gaps: Gap[];
  missing: number;
  zeroVolume: number;
  /** a last candle that had not closed by now (never stored by download; an import may carry one) */
  unclosedLast: boolean;
}

/**
 * Re-validates stored series (finite, low <= open/close <= high, volume >= 0, sorted, aligned)
 * and reports gaps, zero-volume candles and an unclosed last candle. One series, or all when
 * `ref` is omitted.
 */
export function checkSeries(deps: { store: CandleStore; clock: Clock }, ref?: SeriesRef): SeriesCheck[] {
  const infos = ref === undefined ? deps.store.list() : [deps.store.info(resolveSeries(deps.store, ref))!];
  // one set of columns, sized to the longest series, serves every read (a check of the whole store
  // reads every series once and keeps none of them)
  const buf = allocColumns(Math.max(0, ...infos.map((i) => i.rows)));
  return infos.map((info) => {
    const s = deps.store.read(info, {}, buf);
    const tfMs = timeframeMs(info.timeframe);
    const problems: string[] = [];
    if (s.ts.length !== info.rows) {
      problems.push(
        `${info.rows - s.ts.length} stored rows lie outside the dates a candle can have (run kairos data check --repair)`,
      );
    }
    try {
      validateCandles({ ...s, line: Uint32Array.from(s.ts, (_, i) => i + 1) }, tfMs, "row");
    } catch (err) {
      problems.push(isAppError(err) ? err.message : String(err));
    }
    const gaps = findGaps(s.ts, tfMs);
    let zeroVolume = 0;
    for (const v of s.volume) if (v === 0) zeroVolume++;
    const last = s.ts[s.ts.length - 1] ?? Number.NaN;
    return {
      series: info,
      problems,
      gaps,
      missing: gaps.reduce((a, g) => a + g.count, 0),
      zeroVolume,
      unclosedLast: last + tfMs > deps.clock.now(),
    };
  });
}

/**
 * Removes every stored row the validator would refuse (not finite, beyond Date's range, low above
 * open/close, high below them, negative volume, misaligned, duplicate or out of order), keeping the
 * rest exactly; all series in ONE transaction, so a repair lands whole or not at all. Returns the
 * rows removed per series ("exchange symbol timeframe" -> n).
 */
export function repairSeries(store: CandleStore, ref?: SeriesRef): Map<string, number> {
  const infos = ref === undefined ? store.list() : [store.info(resolveSeries(store, ref))!];
  const removed = new Map<string, number>();
  store.batch(() => {
    for (const info of infos) {
      // every chunk, in stored order: a damaged row may sit outside any sane read range
      const all = store.read(info, { from: -8.64e15, to: 8.64e15 });
      const extra = info.rows - all.ts.length;
      const keep = keepMask(all, timeframeMs(info.timeframe));
      let kept = 0;
      for (const k of keep) kept += k;
      if (kept === all.ts.length && extra === 0) continue;
      const cols = (["ts", "open", "high", "low", "close", "volume"] as const).map((c) => {
        const out = new Float64Array(kept);
        let j = 0;
        for (let i = 0; i < keep.length; i++) if (keep[i] === 1) out[j++] = all[c][i]!;
        return out;
      });
      const series: CandleSeries = {
        exchange: info.exchange,
        symbol: info.symbol,
        timeframe: info.timeframe,
        ts: cols[0]!,
        open: cols[1]!,
        high: cols[2]!,
        low: cols[3]!,
        close: cols[4]!,
        volume: cols[5]!,
      };
      store.deleteRange(info);
      store.upsert(series);
      removed.set(`${info.exchange} ${info.symbol} ${info.timeframe}`, info.rows - kept);
    }
  });
  return removed;
}
