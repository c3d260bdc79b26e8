/** A group of members whose summed weight may not exceed `cap` (a family, a symbol, one member) */
export interface CapGroup {
  readonly members: readonly number[];
  readonly cap: number;
}

/**
 * Scales weights (summing to at most 1) so every group respects its cap, handing the excess to
 * uncapped members in proportion; what cannot be placed stays in cash. Writes into `w`.
 */
export function applyCaps(w: Float64Array, groups: readonly CapGroup[]): void {
  const frozen = new Uint8Array(w.length);
  for (let iter = 0; iter < 50; iter++) {
    let violated = false;
    for (const g of groups) {
      let s = 0;
      for (const i of g.members) s += w[i]!;
      if (s > g.cap * (1 + 1e-12)) {
        violated = true;
        const k = g.cap / s;
        for (const i of g.members) {
          w[i] = w[i]! * k;
          frozen[i] = 1;
        }
      }
    }
    if (!violated) return;
    let total = 0;
    let free = 0;
    for (let i = 0; i < w.length; i++) {
      total += w[i]!;
      if (frozen[i] === 0) free += w[i]!;
    }
    const excess = 1 - total;
    if (free <= 0 || excess <= 1e-15) break;
    const k = (free + excess) / free;
    for (let i = 0; i < w.length; i++) if (frozen[i] === 0) w[i] = w[i]! * k;
  }
  // a last pass that only scales down, so caps hold even if redistribution did not settle
  for (const g of groups) {
    let s = 0;
    for (const i of g.members) s += w[i]!;
    if (s > g.cap) for (const i of g.members) w[i] = (w[i]! * g.cap) / s;
  }
}
