import { BLOCK, BLOCK_SHIFT, type CachedArray, SUPER_SHIFT } from "../../indicators/cache/block-summary.ts";

// module-local copies: a transpiler may turn imported bindings into getter calls, too slow in hot loops
const BSHIFT = BLOCK_SHIFT;
const SSHIFT = SUPER_SHIFT;
const BSIZE = BLOCK;

/** A target-exposure path stored sparsely: the bars whose close changes the target, and the new target */
export interface TransitionBuffer {
  idx: Int32Array;
  val: Float64Array;
  /** scan state carried from one range to the next (family-specific, 0 at the start) */
  state: number;
}

/** A buffer able to hold the transitions of `n` bars */
export function allocTransitions(n: number): TransitionBuffer {
  return { idx: new Int32Array(n + 1), val: new Float64Array(n + 1), state: 0 };
}

/** Converts a dense exposure array (target 0 before bar 0, clipped to spot's [0, 1]) to its transitions; returns the count */
export function transitionsOf(exposure: Float64Array, buf: TransitionBuffer): number {
  const { idx, val } = buf;
  let prev = 0;
  let k = 0;
  for (let t = 0; t < exposure.length; t++) {
    const raw = exposure[t]!;
    const x = raw < 0 ? 0 : raw > 1 ? 1 : raw;
    if (x !== prev) {
      idx[k] = t;
      val[k] = x;
      k++;
      prev = x;
    }
  }
  return k;
}

/**
 * Transitions of "target `on` while a[t] > b[t], else 0" over bars [from, to), continuing from
 * `state` (1 when a > b held at bar from-1). Super blocks (64 bars) and blocks (8 bars) whose
 * min/max prove the comparison cannot flip are skipped whole, so a crossover costs per bar only
 * near its crossings. NaN compares false, as `a[t] > b[t]` does. Returns the count; the new state
 * is `buf.state`.
 */
export function crossScan(
  A: CachedArray,
  B: CachedArray,
  from: number,
  to: number,
  state: number,
  on: number,
  buf: TransitionBuffer,
): number {
  const a = A.values;
  const b = B.values;
  const aMin = A.min;
  const aMax = A.max;
  const bMin = B.min;
  const bMax = B.max;
  const aMin64 = A.min64;
  const aMax64 = A.max64;
  const bMin64 = B.min64;
  const bMax64 = B.max64;
  const { idx, val } = buf;
  let k = 0;
  let st = state;
  let i = from;
  const aligned = Math.min(to, (from + BSIZE - 1) & ~(BSIZE - 1));
  for (; i < aligned; i++) {
    const c = a[i]! > b[i]! ? 1 : 0;
    if (c !== st) {
      st = c;
      idx[k] = i;
      val[k] = c * on;
      k++;
    }
  }
  const endBlock = to >> BSHIFT;
  const SB = 1 << SSHIFT;
  let blk = i >> BSHIFT;
  while (blk < endBlock) {
    if ((blk & (SB - 1)) === 0 && blk + SB <= endBlock) {
      const sb = blk >> SSHIFT;
      if (st === 1 ? aMin64[sb]! > bMax64[sb]! : aMax64[sb]! <= bMin64[sb]!) {
        blk += SB;
        continue;
      }
    }
    if (st === 1 ? aMin[blk]! > bMax[blk]! : aMax[blk]! <= bMin[blk]!) {
      blk++;
      continue;
    }
    const end = (blk + 1) << BSHIFT;
    for (let j = blk << BSHIFT; j < end; j++) {
      const c = a[j]! > b[j]! ? 1 : 0;
      if (c !== st) {
        st = c;
        idx[k] = j;
        val[k] = c * on;
        k++;
      }
    }
    blk++;
  }
  for (i = Math.max(i, endBlock << BSHIFT); i < to; i++) {
    const c = a[i]! > b[i]! ? 1 : 0;
    if (c !== st) {
      st = c;
      idx[k] = i;
      val[k] = c * on;
      k++;
    }
  }
  buf.state = st;
  return k;
}
