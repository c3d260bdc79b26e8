/** Loss-specific pieces: gradients, the starting margin, the link and the validation loss */
export type Objective = "squared" | "logistic";

export function computeGradients(
  objective: Objective,
  margin: Float64Array,
  y: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
): void {
  const n = y.length;
  if (objective === "logistic") {
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-margin[r]!));
      grad[r] = p - y[r]!;
      const h = p * (1 - p);
      hess[r] = Math.max(h, 1e-16);
    }
  } else {
    for (let r = 0; r < n; r++) {
      grad[r] = margin[r]! - y[r]!;
      hess[r] = 1;
    }
  }
}

/** Starting margin: the mean (squared) or the log-odds of the mean (logistic) */
export function baseMargin(objective: Objective, y: Float64Array): number {
  let s = 0;
  for (let r = 0; r < y.length; r++) s += y[r]!;
  const mean = y.length === 0 ? 0 : s / y.length;
  if (objective === "squared") return mean;
  const p = Math.min(Math.max(mean, 1e-6), 1 - 1e-6);
  return Math.log(p / (1 - p));
}

/** Margin to prediction: identity or the logistic sigmoid */
export const link = (objective: Objective, margin: number): number =>
  objective === "logistic" ? 1 / (1 + Math.exp(-margin)) : margin;

/** Mean validation loss: log loss (logistic) or mean squared error */
export function meanLoss(objective: Objective, margin: Float64Array, y: Float64Array): number {
  let s = 0;
  const n = y.length;
  if (objective === "logistic") {
    for (let r = 0; r < n; r++) {
      const m = margin[r]!;
      // log(1 + e^m) - y*m, computed without overflow
      const sp = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      s += sp - y[r]! * m;
    }
  } else {
    for (let r = 0; r < n; r++) {
      const d = margin[r]! - y[r]!;
      s += d * d;
    }
  }
  return n === 0 ? 0 : s / n;
}
