/** Causal helpers the feature builder needs beyond the indicator kernels; each reads bars <= t only */

/** log(src[t] / src[t - lag]); NaN for the first `lag` bars */
export function logReturn(src: Float64Array, lag: number): Float64Array {
  const out = new Float64Array(src.length).fill(Number.NaN);
  for (let t = lag; t < src.length; t++) out[t] = Math.log(src[t]! / src[t - lag]!);
  return out;
}

/** Share of the last `period` values (t included) that are <= src[t], in [0, 1]; NaN in warm-up or on NaN */
export function percentileRank(src: Float64Array, period: number): Float64Array {
  const n = src.length;
  const out = new Float64Array(n).fill(Number.NaN);
  for (let t = period - 1; t < n; t++) {
    const v = src[t]!;
    if (Number.isNaN(v)) continue;
    let le = 0;
    let seen = 0;
    for (let k = t - period + 1; k <= t; k++) {
      const w = src[k]!;
      if (Number.isNaN(w)) continue;
      seen++;
      if (w <= v) le++;
    }
    out[t] = seen === period ? le / period : Number.NaN;
  }
  return out;
}

/** a[t] / b[t] - 1, NaN where either is NaN or b is 0 */
export function ratioMinusOne(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let t = 0; t < a.length; t++) {
    const d = b[t]!;
    out[t] = d === 0 ? Number.NaN : a[t]! / d - 1;
  }
  return out;
}

/** a[t] / b[t], NaN where b is 0 */
export function ratio(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let t = 0; t < a.length; t++) {
    const d = b[t]!;
    out[t] = d === 0 ? Number.NaN : a[t]! / d;
  }
  return out;
}

/** Rolling mean over the last `period` values, recomputed per bar so NaN in warm-up never poisons later bars */
export function rollingMean(src: Float64Array, period: number): Float64Array {
  const n = src.length;
  const out = new Float64Array(n).fill(Number.NaN);
  for (let t = period - 1; t < n; t++) {
    let s = 0;
    for (let k = t - period + 1; k <= t; k++) s += src[k]!;
    out[t] = s / period;
  }
  return out;
}

/** (src[t] - mean) / sd over the last `period` values, NaN-tolerant as rollingMean; 0 on a flat window */
export function rollingZ(src: Float64Array, period: number): Float64Array {
  const n = src.length;
  const out = new Float64Array(n).fill(Number.NaN);
  for (let t = period - 1; t < n; t++) {
    let s = 0;
    for (let k = t - period + 1; k <= t; k++) s += src[k]!;
    const m = s / period;
    let v = 0;
    for (let k = t - period + 1; k <= t; k++) v += (src[k]! - m) * (src[k]! - m);
    const sd = Math.sqrt(v / period);
    out[t] = sd > 0 ? (src[t]! - m) / sd : sd === 0 ? 0 : Number.NaN;
  }
  return out;
}
