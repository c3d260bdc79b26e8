import { invalidInput } from "../errors.ts";

/** TA-Lib's TA_IS_ZERO threshold, kept so our outputs match the reference bit for bit where it applies */
export const TA_EPSILON = 1e-8;

/** A running-sum variance at or below this fraction of mean² is rounding noise: the window is flat */
export const FLAT_VARIANCE = 1e-12;

/** Throws INVALID_INPUT unless `value` is an integer in [min, max] */
export function checkInt(fn: string, param: string, value: number, min: number, max = 1_000_000): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidInput(
      `${fn}: ${param} must be an integer from ${min} to ${max}, got ${value}; pass a valid --${param}`,
      { indicator: fn, param, value },
    );
}

/** Throws INVALID_INPUT unless `value` is a finite number in [min, max] */
export function checkNum(fn: string, param: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max)
    throw invalidInput(
      `${fn}: ${param} must be a number from ${min} to ${max}, got ${value}; pass a valid --${param}`,
      { indicator: fn, param, value },
    );
}

/** Throws INVALID_INPUT unless fast < slow */
export function checkOrder(fn: string, fastName: string, fast: number, slowName: string, slow: number): void {
  if (!(fast < slow))
    throw invalidInput(`${fn}: ${fastName} (${fast}) must be less than ${slowName} (${slow})`, {
      indicator: fn,
      param: fastName,
      value: fast,
    });
}

/** Throws INVALID_INPUT when the caller's output array is shorter than the input */
export function checkOut(fn: string, out: Float64Array, n: number, name = "out"): Float64Array {
  if (out.length < n)
    throw invalidInput(`${fn}: output array ${name} has length ${out.length}, needs at least ${n}`, {
      indicator: fn,
      param: name,
    });
  return out;
}

/** Throws INVALID_INPUT when parallel input arrays differ in length */
export function checkSameLength(fn: string, ...arrays: Float64Array[]): number {
  const n = arrays[0]?.length ?? 0;
  for (const a of arrays)
    if (a.length !== n) throw invalidInput(`${fn}: input arrays differ in length (${n} vs ${a.length})`);
  return n;
}

/** Fills out[from, to) with NaN */
export function fillNaN(out: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = Number.NaN;
}

/** A fixed-size ring of the last `size` values; O(1) push, oldest value returned on overflow */
export class Ring {
  readonly buf: Float64Array;
  private head = 0;
  count = 0;
  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }
  /** Pushes v and returns the value it evicted (NaN when the ring was not yet full) */
  push(v: number): number {
    const old = this.count === this.size ? this.buf[this.head]! : Number.NaN;
    this.buf[this.head] = v;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    if (this.count < this.size) this.count++;
    return old;
  }
  /** The value pushed `back` pushes ago (0 = newest) */
  at(back: number): number {
    let i = this.head - 1 - back;
    if (i < 0) i += this.size;
    return this.buf[i]!;
  }
  get full(): boolean {
    return this.count === this.size;
  }
}

let scratchI32 = new Int32Array(64);
let scratchI32b = new Int32Array(64);
/** Reusable index scratch for deques, so batch kernels allocate nothing per call */
export function scratchIndex(n: number, which: 0 | 1 = 0): Int32Array {
  if (which === 0) {
    if (scratchI32.length < n) scratchI32 = new Int32Array(Math.max(n, scratchI32.length * 2));
    return scratchI32;
  }
  if (scratchI32b.length < n) scratchI32b = new Int32Array(Math.max(n, scratchI32b.length * 2));
  return scratchI32b;
}

/**
 * Monotonic deque over the last `period` values for an O(1) amortised rolling max (sign 1) or
 * min (sign -1); ties keep the most recent value, as TA-Lib's AROON does. NaN values are skipped:
 * a window holding nothing else has the value NaN.
 */
export class ExtremumWindow {
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private head = 0;
  private len = 0;
  /** number of values pushed so far */
  n = 0;
  constructor(
    readonly period: number,
    private readonly isMax: boolean,
  ) {
    this.vals = new Float64Array(period);
    this.idx = new Float64Array(period);
  }
  push(v: number): void {
    const p = this.period;
    const i = this.n++;
    if (this.len > 0 && this.idx[this.head]! <= i - p) {
      this.head = this.head + 1 === p ? 0 : this.head + 1;
      this.len--;
    }
    // a NaN is skipped: it can be no window's extremum
    if (Number.isNaN(v)) return;
    while (this.len > 0) {
      let b = this.head + this.len - 1;
      if (b >= p) b -= p;
      const bv = this.vals[b]!;
      if (this.isMax ? bv <= v : bv >= v) this.len--;
      else break;
    }
    let t = this.head + this.len;
    if (t >= p) t -= p;
    this.vals[t] = v;
    this.idx[t] = i;
    this.len++;
  }
  /** The extremum of the window (NaN while it holds no value other than NaN) */
  get value(): number {
    return this.len > 0 ? this.vals[this.head]! : Number.NaN;
  }
  /** How many pushes ago the extremum was seen (0 = the newest value) */
  get age(): number {
    return this.len > 0 ? this.n - 1 - this.idx[this.head]! : Number.NaN;
  }
}

/**
 * Rolling max (isMax) or min of src over `period` into out; NaN for the first period-1 bars.
 * Same deque as ExtremumWindow, inlined for speed: NaN values are skipped, and a window holding
 * nothing else gives NaN.
 */
export function rollingExtremum(
  src: Float64Array,
  period: number,
  isMax: boolean,
  out: Float64Array,
  which: 0 | 1 = 0,
): void {
  const n = src.length;
  const dq = scratchIndex(period, which);
  let head = 0;
  let len = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (len > 0 && dq[head]! <= i - period) {
      head = head + 1 === period ? 0 : head + 1;
      len--;
    }
    if (Number.isNaN(v)) {
      out[i] = i >= period - 1 && len > 0 ? src[dq[head]!]! : Number.NaN;
      continue;
    }
    while (len > 0) {
      let b = head + len - 1;
      if (b >= period) b -= period;
      const bv = src[dq[b]!]!;
      if (isMax ? bv <= v : bv >= v) len--;
      else break;
    }
    let t = head + len;
    if (t >= period) t -= period;
    dq[t] = i;
    len++;
    out[i] = i >= period - 1 ? src[dq[head]!]! : Number.NaN;
  }
}
