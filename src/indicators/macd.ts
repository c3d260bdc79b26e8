import { checkInt, checkOrder, checkOut, fillNaN, Ring } from "./util.ts";

export interface MacdOutput {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

function checkMacd(fast: number, slow: number, signal: number): void {
  checkInt("macd", "fast", fast, 1);
  checkInt("macd", "slow", slow, 2);
  checkInt("macd", "signal", signal, 1);
  checkOrder("macd", "fast", fast, "slow", slow);
}

/**
 * MACD (TA-Lib MACD): fast EMA - slow EMA, signal = EMA of that line, hist = line - signal.
 * As in TA-Lib, the fast EMA is seeded with the SMA of the `fast` closes ending at bar slow-1,
 * so both EMAs start on the same bar. The line is defined from bar slow-1 (TA-Lib withholds it
 * until the signal starts); signal and hist from bar slow+signal-2.
 */
export function macd(
  close: Float64Array,
  fast = 12,
  slow = 26,
  signal = 9,
  out: MacdOutput = {
    macd: new Float64Array(close.length),
    signal: new Float64Array(close.length),
    hist: new Float64Array(close.length),
  },
): MacdOutput {
  checkMacd(fast, slow, signal);
  const n = close.length;
  const line = checkOut("macd", out.macd, n, "macd");
  const sig = checkOut("macd", out.signal, n, "signal");
  const hist = checkOut("macd", out.hist, n, "hist");
  const start = slow - 1;
  const sigStart = start + signal - 1;
  fillNaN(line, 0, Math.min(start, n));
  fillNaN(sig, 0, Math.min(sigStart, n));
  fillNaN(hist, 0, Math.min(sigStart, n));
  if (n <= start) return out;
  let ss = 0;
  for (let i = 0; i < slow; i++) ss += close[i]!;
  let fs = 0;
  for (let i = slow - fast; i < slow; i++) fs += close[i]!;
  let es = ss / slow;
  let ef = fs / fast;
  const ks = 2 / (slow + 1);
  const kf = 2 / (fast + 1);
  const kg = 2 / (signal + 1);
  line[start] = ef - es;
  const seedEnd = Math.min(sigStart, n - 1);
  let gs = ef - es;
  for (let i = start + 1; i <= seedEnd; i++) {
    const c = close[i]!;
    ef = (c - ef) * kf + ef;
    es = (c - es) * ks + es;
    const m = ef - es;
    line[i] = m;
    gs += m;
  }
  if (n <= sigStart) return out;
  const st = runState;
  st[0] = ef;
  st[1] = es;
  st[2] = gs / signal;
  st[3] = kf;
  st[4] = ks;
  st[5] = kg;
  sig[sigStart] = st[2];
  hist[sigStart] = line[sigStart]! - st[2];
  macdRun(close, line, sig, hist, sigStart + 1, n, st);
  return out;
}

/**
 * The steady-state MACD loop over [from, n), its EMAs handed over in `st`. A function of its own:
 * V8 allocates type feedback during a kernel's first call, so the argument checks and warm-up before
 * the loop have none and an optimised whole kernel deoptimises there; and a Float64Array carries the
 * EMAs because V8 keeps number arguments boxed in a loop's variables. Unrolled by two (same arithmetic
 * in the same order): V8 re-checks each array on every back-edge. The tail loop always gets a bar or
 * two, so it has type feedback and never deoptimises when a length of the other parity comes.
 */
function macdRun(
  close: Float64Array,
  line: Float64Array,
  sig: Float64Array,
  hist: Float64Array,
  from: number,
  n: number,
  st: Float64Array,
): void {
  let ef = st[0]!;
  let es = st[1]!;
  let g = st[2]!;
  const kf = st[3]!;
  const ks = st[4]!;
  const kg = st[5]!;
  let i = from;
  for (const m = n - 2; i < m; i += 2) {
    const c0 = close[i]!;
    const c1 = close[i + 1]!;
    ef = (c0 - ef) * kf + ef;
    es = (c0 - es) * ks + es;
    const m0 = ef - es;
    g = (m0 - g) * kg + g;
    line[i] = m0;
    sig[i] = g;
    hist[i] = m0 - g;
    ef = (c1 - ef) * kf + ef;
    es = (c1 - es) * ks + es;
    const m1 = ef - es;
    g = (m1 - g) * kg + g;
    line[i + 1] = m1;
    sig[i + 1] = g;
    hist[i + 1] = m1 - g;
  }
  for (; i < n; i++) {
    const c = close[i]!;
    ef = (c - ef) * kf + ef;
    es = (c - es) * ks + es;
    const m = ef - es;
    g = (m - g) * kg + g;
    line[i] = m;
    sig[i] = g;
    hist[i] = m - g;
  }
}

const runState = new Float64Array(6);

/** Streaming MACD; `update` returns the line and sets `signal` and `hist` */
export class MacdStream {
  private readonly ring: Ring;
  private count = 0;
  private ss = 0;
  private ef = Number.NaN;
  private es = Number.NaN;
  private gs = 0;
  private gcount = 0;
  value = Number.NaN;
  signal = Number.NaN;
  hist = Number.NaN;
  constructor(
    readonly fast = 12,
    readonly slow = 26,
    readonly signalPeriod = 9,
  ) {
    checkMacd(fast, slow, signalPeriod);
    this.ring = new Ring(fast);
  }
  update(c: number): number {
    const k = this.count++;
    const { fast, slow } = this;
    if (k < slow) {
      this.ss += c;
      this.ring.push(c);
      if (k < slow - 1) return this.value;
      let fs = 0;
      for (let j = fast - 1; j >= 0; j--) fs += this.ring.at(j);
      this.es = this.ss / slow;
      this.ef = fs / fast;
    } else {
      this.ef = (c - this.ef) * (2 / (fast + 1)) + this.ef;
      this.es = (c - this.es) * (2 / (slow + 1)) + this.es;
    }
    const m = this.ef - this.es;
    this.value = m;
    const sp = this.signalPeriod;
    if (this.gcount < sp) {
      this.gs += m;
      this.gcount++;
      if (this.gcount === sp) {
        this.signal = this.gs / sp;
        this.hist = m - this.signal;
      }
    } else {
      this.signal = (m - this.signal) * (2 / (sp + 1)) + this.signal;
      this.hist = m - this.signal;
    }
    return m;
  }
}
