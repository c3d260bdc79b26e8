import { wilsonInterval } from "../../maths/distributions.ts";

export interface CalibrationBin {
  /** bin of predicted probability [lo, hi) */
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  observedUp: number;
}

export interface ForecastMetrics {
  n: number;
  /** mean absolute percentage error of the implied price close_t * exp(ret), in percent */
  mapePrice: number;
  /** mean |ret - actual| / |actual| over samples with a non-zero actual return, in percent */
  mapeReturn: number;
  /** root mean squared and mean absolute error of the log-return forecast */
  rmse: number;
  mae: number;
  /** share of correct signs among samples where the model and the market both moved */
  directionalAccuracy: number;
  directionalN: number;
  directionalCi: { lo: number; hi: number };
  brier: number;
  logLoss: number;
  /** expected calibration error over 10 equal-width bins */
  ece: number;
  calibration: CalibrationBin[];
}

/** Loss of a direction call: 0 right, 1 wrong, 0.5 when either side did not move or the model abstained */
export function directionLoss(dir: number, actual: number): number {
  if (dir === 0 || actual === 0 || !Number.isFinite(actual)) return 0.5;
  return dir > 0 === actual > 0 ? 0 : 1;
}

/**
 * Every point metric of a forecast on one test set. `actual` is the realised h-bar log return,
 * `base` the close at the forecast time (for price MAPE).
 */
export function forecastMetrics(
  actual: Float64Array,
  base: Float64Array,
  ret: Float64Array,
  probUp: Float64Array,
  dir: Int8Array,
): ForecastMetrics {
  const n = actual.length;
  let ape = 0;
  let apeN = 0;
  let rpe = 0;
  let rpeN = 0;
  let se = 0;
  let ae = 0;
  let eN = 0;
  let hit = 0;
  let dN = 0;
  let brier = 0;
  let ll = 0;
  let pN = 0;
  const bins = Array.from({ length: 10 }, (_, i) => ({
    lo: i / 10,
    hi: (i + 1) / 10,
    count: 0,
    sumP: 0,
    sumUp: 0,
  }));
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const r = ret[i]!;
    if (Number.isFinite(r)) {
      const price = base[i]! * Math.exp(a);
      const pred = base[i]! * Math.exp(r);
      ape += Math.abs(pred - price) / price;
      apeN++;
      if (a !== 0) {
        rpe += Math.abs(r - a) / Math.abs(a);
        rpeN++;
      }
      se += (r - a) ** 2;
      ae += Math.abs(r - a);
      eN++;
    }
    const d = dir[i]!;
    if (d !== 0 && a !== 0) {
      dN++;
      if (d > 0 === a > 0) hit++;
    }
    const p = probUp[i]!;
    if (Number.isFinite(p)) {
      const y = a > 0 ? 1 : 0;
      brier += (p - y) ** 2;
      const pc = Math.min(1 - 1e-12, Math.max(1e-12, p));
      ll += -(y * Math.log(pc) + (1 - y) * Math.log(1 - pc));
      pN++;
      const b = bins[Math.min(9, Math.floor(p * 10))]!;
      b.count++;
      b.sumP += p;
      b.sumUp += y;
    }
  }
  const calibration = bins
    .filter((b) => b.count > 0)
    .map((b) => ({
      lo: b.lo,
      hi: b.hi,
      count: b.count,
      meanPredicted: b.sumP / b.count,
      observedUp: b.sumUp / b.count,
    }));
  let ece = 0;
  for (const b of calibration) ece += (b.count / Math.max(1, pN)) * Math.abs(b.meanPredicted - b.observedUp);
  const nan = Number.NaN;
  return {
    n,
    mapePrice: apeN > 0 ? (100 * ape) / apeN : nan,
    mapeReturn: rpeN > 0 ? (100 * rpe) / rpeN : nan,
    rmse: eN > 0 ? Math.sqrt(se / eN) : nan,
    mae: eN > 0 ? ae / eN : nan,
    directionalAccuracy: dN > 0 ? hit / dN : nan,
    directionalN: dN,
    directionalCi: wilsonInterval(hit, dN),
    brier: pN > 0 ? brier / pN : nan,
    logLoss: pN > 0 ? ll / pN : nan,
    ece: pN > 0 ? ece : nan,
    calibration,
  };
}
