import { closeToCloseVolatilityAt } from "../indicators/realized-volatility.ts";
import type { SizingSpec } from "./types.ts";

/**
 * The exposure actually targeted after the sizing spec: fixed-fraction scales it, fixed-notional
 * passes it through (the engine sizes by notional), vol-target scales it to `annualVol` over the
 * realised volatility (closeToCloseVolatilityAt: sample sd of the last `lookback` log returns up to
 * bar t, annualised), capped.
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
  // the one realised volatility of kairos (log returns; the vol-target family uses the same)
  const vol = closeToCloseVolatilityAt(close, t, lb, barsPerYear);
  const cap = Math.min(spec.maxExposure, maxExposure);
  return vol > 0 ? Math.sign(e) * Math.min(cap, (Math.abs(e) * spec.annualVol) / vol) : 0;
}
