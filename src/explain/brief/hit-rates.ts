/** One member's target exposure on a common clock (NaN where its symbol has no bar) */
export interface SignalSource {
  family: string;
  symbol: string;
  exposure: Float64Array;
}

/** How often one kind of signal (family and direction) was right out of sample, beside its baseline */
export interface HitRate {
  family: string;
  direction: "long" | "short";
  /** entries into the direction within the out-of-sample bars */
  signals: number;
  right: number;
  /** right / signals */
  rate: number;
  /** 95% Wilson interval of the rate */
  low: number;
  high: number;
  /**
   * the chance of the same move at any out-of-sample bar of the same symbols, weighted like the
   * signals: what a coin that knows each symbol's drift would score
   */
  baseline: number;
  /** bars ahead the move is measured over (one day of bars) */
  horizonBars: number;
}

function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

/**
 * Hit rates of each kind of signal out of sample. A signal is an entry: the member's exposure turns
 * long (or short) at bar t from anything else. It was right when the close `horizon` bars later is
 * beyond the close at t in its direction. Only entries at or after `from` (the first out-of-sample
 * bar) whose horizon ends inside the data count, so nothing an in-sample pick saw is scored.
 */
export function signalHitRates(
  sources: readonly SignalSource[],
  closes: ReadonlyMap<string, Float64Array>,
  from: number,
  horizon: number,
): HitRate[] {
  // per symbol: the share of out-of-sample bars whose horizon move was up, and down
  const drift = new Map<string, { up: number; down: number }>();
  for (const [sym, c] of closes) {
    let up = 0;
    let down = 0;
    let n = 0;
    for (let t = Math.max(0, from); t + horizon < c.length; t++) {
      const m = c[t + horizon]! / c[t]! - 1;
      if (!Number.isFinite(m)) continue;
      n++;
      if (m > 0) up++;
      else if (m < 0) down++;
    }
    drift.set(sym, { up: n === 0 ? Number.NaN : up / n, down: n === 0 ? Number.NaN : down / n });
  }
  const acc = new Map<
    string,
    { family: string; direction: "long" | "short"; n: number; k: number; base: number }
  >();
  for (const s of sources) {
    const c = closes.get(s.symbol);
    const d = drift.get(s.symbol);
    if (c === undefined || d === undefined) continue;
    const e = s.exposure;
    for (let t = Math.max(1, from); t + horizon < e.length && t + horizon < c.length; t++) {
      const now = Math.sign(e[t]!);
      const before = Number.isNaN(e[t - 1]!) ? 0 : Math.sign(e[t - 1]!);
      if (!(now === 1 || now === -1) || now === before) continue;
      const m = c[t + horizon]! / c[t]! - 1;
      if (!Number.isFinite(m)) continue;
      const direction = now === 1 ? "long" : "short";
      const key = `${s.family}\u0000${direction}`;
      const a = acc.get(key) ?? { family: s.family, direction, n: 0, k: 0, base: 0 };
      a.n++;
      if (Math.sign(m) === now) a.k++;
      a.base += now === 1 ? d.up : d.down;
      acc.set(key, a);
    }
  }
  return [...acc.values()]
    .map((a) => {
      const [low, high] = wilson(a.k, a.n);
      return {
        family: a.family,
        direction: a.direction,
        signals: a.n,
        right: a.k,
        rate: a.k / a.n,
        low,
        high,
        baseline: a.base / a.n,
        horizonBars: horizon,
      };
    })
    .sort((x, y) => y.signals - x.signals || (x.family < y.family ? -1 : 1));
}
