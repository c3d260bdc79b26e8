/**
 * Holm's step-down adjustment: adjusted p-values in the input order, the same numbers as R's
 * `p.adjust(p, "holm")`. NaN entries are left out of the family and stay NaN.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const idx = pValues.map((p, i) => ({ p, i })).filter((e) => Number.isFinite(e.p));
  idx.sort((a, b) => a.p - b.p || a.i - b.i);
  const m = idx.length;
  const out = pValues.map(() => Number.NaN);
  let running = 0;
  idx.forEach((e, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * e.p));
    out[e.i] = running;
  });
  return out;
}
