/** Exposure of a two-line cross: 1 while fast > slow, -1 while fast < slow when short, else 0 (NaN warm-up is 0) */
export function crossExposures(
  fast: Float64Array,
  slow: Float64Array,
  short: boolean,
  out: Float64Array,
): Float64Array {
  const lo = short ? -1 : 0;
  for (let i = 0; i < out.length; i++) {
    const f = fast[i]!;
    const s = slow[i]!;
    out[i] = f > s ? 1 : f < s ? lo : 0;
  }
  return out;
}
