import { findGaps, type Gap, validateCandles } from "../data/validate-candles.ts";
import { allocColumns } from "../domain/candle-series.ts";
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
