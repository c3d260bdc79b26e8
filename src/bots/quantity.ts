/**
 * Quantities on a market's step as plain numbers, never above what was asked: an execution
 * algorithm's cap (participation, remaining quantity) must hold after rounding, so rounding is
 * always down and checked against the bound it came from.
 */

/** Decimal places of a step such as 0.00001 (5) or 1 (0) */
export function decimalsOf(step: number): number {
  const s = String(step);
  const e = s.indexOf("e-");
  if (e >= 0) return Number(s.slice(e + 2)) + (s.split("e")[0]!.split(".")[1]?.length ?? 0);
  return s.split(".")[1]?.length ?? 0;
}

/** The largest whole multiple of `step` that is <= x (0 for x <= 0), written to the step's decimals */
export function floorToStepNumber(x: number, step: number): number {
  if (!(x > 0) || !(step > 0)) return 0;
  const dec = decimalsOf(step);
  // x / step can land a hair under a whole count (0.3 / 0.1 = 2.9999999999999996): try one more
  // step, written to the step's decimals; the loop below keeps the result <= x
  let n = Math.floor(x / step);
  if (Number(((n + 1) * step).toFixed(dec)) <= x) n++;
  let q = Number((n * step).toFixed(dec));
  while (n > 0 && q > x) {
    n--;
    q = Number((n * step).toFixed(dec));
  }
  return n > 0 ? q : 0;
}
