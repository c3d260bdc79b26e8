import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

/** Simple return (x - prev) / prev as TA-Lib's BETA forms it; 0 where prev is 0 */
const ret = (x: number, prev: number): number => (prev !== 0 ? (x - prev) / prev : 0);

/**
 * Rolling Pearson correlation of the two series' simple returns over `period` returns (TA-Lib
 * CORREL applied to returns; TA-Lib's CORREL itself works on raw values). 0 where either return
 * series is flat in the window. Defined from bar `period`.
 */
export class CorrelationStream {
  private readonly rx: Ring;
  private readonly ry: Ring;
  private px = Number.NaN;
  private py = Number.NaN;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private syy = 0;
  private sxy = 0;
  value = Number.NaN;
  constructor(readonly period = 30) {
    checkInt("correlation", "period", period, 2);
    this.rx = new Ring(period);
    this.ry = new Ring(period);
  }
  update(a: number, b: number): number {
    const k = this.n++;
    const x = ret(a, this.px);
    const y = ret(b, this.py);
    this.px = a;
    this.py = b;
    if (k === 0) return this.value;
    this.rx.push(x);
    this.ry.push(y);
    this.sx += x;
    this.sxx += x * x;
    this.sxy += x * y;
    this.sy += y;
    this.syy += y * y;
    if (!this.rx.full) return this.value;
    const p = this.period;
    const t = (this.sxx - (this.sx * this.sx) / p) * (this.syy - (this.sy * this.sy) / p);
    this.value = t > 0 ? (this.sxy - (this.sx * this.sy) / p) / Math.sqrt(t) : 0;
    const ox = this.rx.at(p - 1);
    const oy = this.ry.at(p - 1);
    this.sx -= ox;
    this.sxx -= ox * ox;
    this.sxy -= ox * oy;
    this.sy -= oy;
    this.syy -= oy * oy;
    return this.value;
  }
}

/**
 * Rolling beta of `asset` against `benchmark` on simple returns over `period` returns (TA-Lib
 * BETA with the benchmark as its first input): cov / var(benchmark); 0 where the benchmark's
 * returns are flat (TA-Lib: variance term below 1e-8). Defined from bar `period`.
 */
export class BetaStream {
  private readonly rx: Ring;
  private readonly ry: Ring;
  private px = Number.NaN;
  private py = Number.NaN;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;
  value = Number.NaN;
  constructor(readonly period = 5) {
    checkInt("beta", "period", period, 2);
    this.rx = new Ring(period);
    this.ry = new Ring(period);
  }
  /** asset and benchmark prices of the same bar */
  update(asset: number, benchmark: number): number {
    const k = this.n++;
    const x = ret(benchmark, this.px);
    const y = ret(asset, this.py);
    this.px = benchmark;
    this.py = asset;
    if (k === 0) return this.value;
    this.rx.push(x);
    this.ry.push(y);
    this.sxx += x * x;
    this.sx += x;
    this.sxy += x * y;
    this.sy += y;
    if (!this.rx.full) return this.value;
    const p = this.period;
    const t = p * this.sxx - this.sx * this.sx;
    this.value = t > 0 ? (p * this.sxy - this.sx * this.sy) / t : 0;
    const ox = this.rx.at(p - 1);
    const oy = this.ry.at(p - 1);
    this.sxx -= ox * ox;
    this.sx -= ox;
    this.sxy -= ox * oy;
    this.sy -= oy;
    return this.value;
  }
}

/** Rolling correlation of returns (see CorrelationStream); NaN for the first `period` bars */
export function correlation(
  a: Float64Array,
  b: Float64Array,
  period = 30,
  out: Float64Array = new Float64Array(a.length),
): Float64Array {
  const n = checkSameLength("correlation", a, b);
  checkOut("correlation", out, n);
  const s = new CorrelationStream(period);
  for (let i = 0; i < n; i++) out[i] = s.update(a[i]!, b[i]!);
  return out;
}

/** Rolling beta of asset on benchmark returns (see BetaStream); NaN for the first `period` bars */
export function beta(
  asset: Float64Array,
  benchmark: Float64Array,
  period = 5,
  out: Float64Array = new Float64Array(asset.length),
): Float64Array {
  const n = checkSameLength("beta", asset, benchmark);
  checkOut("beta", out, n);
  const s = new BetaStream(period);
  for (let i = 0; i < n; i++) out[i] = s.update(asset[i]!, benchmark[i]!);
  return out;
}
