/** Solves A x = b for a symmetric positive definite k x k matrix (row-major) by Cholesky; null if not SPD */
export function solveSpd(a: Float64Array, b: Float64Array, k: number): Float64Array | null {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j]!;
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * y[p]!;
    y[i] = s / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/**
 * Weighted ridge normal equations with an unpenalised intercept: rows of x (n x k, row-major) get
 * weight w (all 1 when undefined); returns [intercept, ...coefficients] or null when singular.
 */
export function ridgeSolve(
  x: Float64Array,
  y: Float64Array,
  n: number,
  k: number,
  lambda: number,
  w?: Float64Array,
): Float64Array | null {
  const m = k + 1;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    row[0] = 1;
    for (let j = 0; j < k; j++) row[j + 1] = x[i * k + j]!;
    const yi = y[i]!;
    for (let p = 0; p < m; p++) {
      const rp = row[p]! * wi;
      b[p] = b[p]! + rp * yi;
      for (let q = 0; q <= p; q++) a[p * m + q] = a[p * m + q]! + rp * row[q]!;
    }
  }
  for (let p = 0; p < m; p++) for (let q = 0; q < p; q++) a[q * m + p] = a[p * m + q]!;
  for (let p = 1; p < m; p++) a[p * m + p] = a[p * m + p]! + lambda;
  return solveSpd(a, b, m);
}

/** Column means and standard deviations over the finite entries of the given rows */
export interface Scaler {
  mean: Float64Array;
  sd: Float64Array;
}

export function fitScaler(features: Float64Array, k: number, rows: Int32Array): Scaler {
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  const cnt = new Float64Array(k);
  for (const r of rows) {
    for (let j = 0; j < k; j++) {
      const v = features[r * k + j]!;
      if (Number.isFinite(v)) {
        mean[j] = mean[j]! + v;
        cnt[j] = cnt[j]! + 1;
      }
    }
  }
  for (let j = 0; j < k; j++) mean[j] = cnt[j]! > 0 ? mean[j]! / cnt[j]! : 0;
  for (const r of rows) {
    for (let j = 0; j < k; j++) {
      const v = features[r * k + j]!;
      if (Number.isFinite(v)) sd[j] = sd[j]! + (v - mean[j]!) ** 2;
    }
  }
  for (let j = 0; j < k; j++) {
    const s = cnt[j]! > 1 ? Math.sqrt(sd[j]! / (cnt[j]! - 1)) : 0;
    sd[j] = s > 1e-12 ? s : 1;
  }
  return { mean, sd };
}

/** Standardised rows (missing values become 0, the training mean), clipped at +-10 sd */
export function scaleRows(features: Float64Array, k: number, rows: Int32Array, s: Scaler): Float64Array {
  const out = new Float64Array(rows.length * k);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let j = 0; j < k; j++) {
      const v = features[r * k + j]!;
      const z = Number.isFinite(v) ? (v - s.mean[j]!) / s.sd[j]! : 0;
      out[i * k + j] = Math.min(10, Math.max(-10, z));
    }
  }
  return out;
}
