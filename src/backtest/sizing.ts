import type { SizingSpec } from "./types.ts";

/**
 * The exposure actually targeted after the sizing spec: fixed-fraction scales it, fixed-notional
 * passes it through (the engine sizes by notional), vol-target scales it to `annualVol` over the
 * realised volatility of the last `lookback` close-to-close returns up to bar t (ddof 1), capped.
 * Before `lookback` bars exist a vol-target exposure is 0.
 */
export function sizeExposure(
  spec: SizingSpec,
  e: number,
  close: Float64Array,
  t: number,
  maxExposure: number,
  barsPerYear: number,
): number {
  if (spec.kind === "fixed-fraction") return e * spec.fraction;
  if (spec.kind === "fixed-notional") return e;
  const lb = spec.lookback;
  if (t < lb || lb < 2) return 0;
  let mean = 0;
  for (let i = t - lb + 1; i <= t; i++) mean += close[i]! / close[i - 1]! - 1;
  mean /= lb;
  let ss = 0;
  for (let i = t - lb + 1; i <= t; i++) ss += (close[i]! / close[i - 1]! - 1 - mean) ** 2;
  const vol = Math.sqrt(ss / (lb - 1)) * Math.sqrt(barsPerYear);
  const cap = Math.min(spec.maxExposure, maxExposure);
  return vol > 0 ? Math.sign(e) * Math.min(cap, (Math.abs(e) * spec.annualVol) / vol) : 0;
}
