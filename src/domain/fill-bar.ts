// Which bar a fill belongs to, one rule for every place that puts fills on bars: the dashboard's
// charts (web/, over the bars it draws) and `kairos trade drift` (over the session's bar grid).
// A paper fill carries its bar's open time. A live fill is stamped with the moment it matched, which
// lies inside the bar it filled in or at that bar's very end (a simulated exchange matches at the
// close, the next bar's open time), so it counts one millisecond earlier.

/** The moment a fill is placed at: a live fill's stamp one millisecond earlier, a paper fill's own time */
export const fillMoment = (ts: number, live: boolean): number => (live ? ts - 1 : ts);

/** The open time of the bar a fill falls in, among bars in ascending open time; undefined before the first */
export function fillBarOpen(bars: readonly { ts: number }[], ts: number, live: boolean): number | undefined {
  const t = fillMoment(ts, live);
  let lo = 0;
  let hi = bars.length - 1;
  if (hi < 0 || bars[0]!.ts > t) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bars[mid]!.ts <= t) lo = mid;
    else hi = mid - 1;
  }
  return bars[lo]!.ts;
}

/**
 * The same where the bars are not at hand: on a regular grid of `barMs`-long bars from the epoch, a
 * live fill's bar; a paper fill's time is its bar's open already
 */
export function fillBarOnGrid(ts: number, live: boolean, barMs: number): number {
  return live ? Math.floor(fillMoment(ts, live) / barMs) * barMs : ts;
}
