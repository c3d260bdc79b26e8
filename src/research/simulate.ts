/**
 * Per-bar returns of a target-exposure array under kairos's execution model (src/backtest/types.ts):
 * the target decided at bar t's close is sized on equity marked at that close and filled at bar
 * t+1's open with slippage and a fee on the fill notional; spot buys are capped by cash; a position
 * changes only when its target changes; equity is marked at every close. The sweep engine computes
 * the same curve but keeps only summary figures; validation needs the curve itself, bar by bar.
 */

export interface Costs {
  /** fee rate, fraction of fill notional */
  fee: number;
  /** slippage, fraction of the open */
  slippage: number;
}

/** Round trips found while simulating, as bar indices into the simulated arrays */
export interface SimTrades {
  count: number;
  /** bar of the first fill of each trade */
  entry: Int32Array;
  /** bar of the closing fill (or n when still open at the end) */
  exit: Int32Array;
  /** pnl / money put in, net of fees */
  ret: Float64Array;
}

export interface SimResult {
  /** returns[t] = equity_t / equity_{t-1} - 1; returns[0] = 0 */
  returns: Float64Array;
  trades: SimTrades;
  /** bars whose close saw a position */
  barsInMarket: number;
}

const growTrades = (t: SimTrades): SimTrades => {
  const cap = Math.max(16, t.entry.length * 2);
  const e = new Int32Array(cap);
  e.set(t.entry);
  const x = new Int32Array(cap);
  x.set(t.exit);
  const r = new Float64Array(cap);
  r.set(t.ret);
  return { count: t.count, entry: e, exit: x, ret: r };
};

/**
 * Simulates one symbol, long-only spot (targets clipped to [0, 1]; NaN counts as 0).
 * `out` receives the returns when given (length >= n).
 */
export function simulateExposure(
  open: ArrayLike<number>,
  close: ArrayLike<number>,
  exposure: ArrayLike<number>,
  costs: Costs,
  out: Float64Array = new Float64Array(close.length),
  /** when given, fill prices are clamped into the fill bar's [low, high] (rule 3 of the model) */
  bar?: { high: ArrayLike<number>; low: ArrayLike<number> },
): SimResult {
  const n = close.length;
  const { fee, slippage } = costs;
  let cash = 1;
  let qty = 0;
  let prevEq = 1;
  let target = 0;
  let pending = false;
  let pendingTarget = 0;
  let inMarket = 0;
  let trades: SimTrades = {
    count: 0,
    entry: new Int32Array(16),
    exit: new Int32Array(16),
    ret: new Float64Array(16),
  };
  let tradeIn = 0;
  let tradeOut = 0;
  let tradeOpen = false;
  let sizedOn = 1;
  out[0] = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      pending = false;
      const o = open[t]!;
      const want = (pendingTarget * sizedOn) / close[t - 1]!;
      let delta = want - qty;
      if (delta > 0) {
        let px = o * (1 + slippage);
        if (bar !== undefined && px > bar.high[t]!) px = bar.high[t]!;
        const cap = cash / (px * (1 + fee));
        if (delta > cap) delta = cap;
        if (delta > 0) {
          const cost = delta * px * (1 + fee);
          cash -= cost;
          qty += delta;
          if (!tradeOpen) {
            tradeOpen = true;
            tradeIn = 0;
            tradeOut = 0;
            if (trades.count === trades.entry.length) trades = growTrades(trades);
            trades.entry[trades.count] = t;
          }
          tradeIn += cost;
        }
      } else if (delta < 0) {
        let px = o * (1 - slippage);
        if (bar !== undefined && px < bar.low[t]!) px = bar.low[t]!;
        const q = -delta;
        cash += q * px * (1 - fee);
        tradeOut += q * px * (1 - fee);
        qty -= q;
        if (qty <= 1e-15 * Math.max(1, q)) {
          qty = 0;
          if (tradeOpen) {
            tradeOpen = false;
            trades.exit[trades.count] = t;
            trades.ret[trades.count] = tradeOut / tradeIn - 1;
            trades.count++;
          }
        }
      }
    }
    const c = close[t]!;
    const eq = cash + qty * c;
    if (t > 0) out[t] = eq / prevEq - 1;
    prevEq = eq;
    if (qty > 0) inMarket++;
    let e = exposure[t]!;
    if (!(e > 0)) e = 0;
    else if (e > 1) e = 1;
    if (e !== target && t + 1 < n) {
      target = e;
      pending = true;
      pendingTarget = e;
      sizedOn = eq;
    }
  }
  if (tradeOpen) {
    trades.exit[trades.count] = n;
    trades.ret[trades.count] = (tradeOut + qty * close[n - 1]!) / tradeIn - 1;
    trades.count++;
  }
  return { returns: out, trades, barsInMarket: inMarket };
}

/**
 * Simulates a basket on one clock: `weights[k][t]` is symbol k's target exposure at bar t's close
 * (the weights of a bar sum to at most 1). A symbol trades only on bars where its open and close are
 * finite (it joins the basket at its first bar). Sells fill before buys so freed cash can be used.
 */
export function simulateBasket(
  open: readonly Float64Array[],
  close: readonly Float64Array[],
  weights: readonly Float64Array[],
  costs: Costs,
  out: Float64Array = new Float64Array(close[0]?.length ?? 0),
): SimResult {
  const m = close.length;
  const n = close[0]?.length ?? 0;
  const { fee, slippage } = costs;
  let cash = 1;
  const qty = new Float64Array(m);
  const mark = new Float64Array(m);
  const target = new Float64Array(m);
  const pend = new Float64Array(m).fill(Number.NaN);
  let prevEq = 1;
  let inMarket = 0;
  let sizedOn = 1;
  let wasIn = false;
  let trades: SimTrades = {
    count: 0,
    entry: new Int32Array(16),
    exit: new Int32Array(16),
    ret: new Float64Array(16),
  };
  let tradeStartEq = 1;
  out[0] = 0;
  for (let t = 0; t < n; t++) {
    // sells first, then buys, all at this bar's open
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < m; k++) {
        const tgt = pend[k]!;
        if (Number.isNaN(tgt)) continue;
        const o = open[k]![t]!;
        if (!Number.isFinite(o)) continue;
        const ref = mark[k]!;
        const want = ref > 0 ? (tgt * sizedOn) / ref : 0;
        const delta = want - qty[k]!;
        if (pass === 0 && delta < 0) {
          const px = o * (1 - slippage);
          cash += -delta * px * (1 - fee);
          qty[k] = want <= 0 ? 0 : want;
          pend[k] = Number.NaN;
        } else if (pass === 1 && delta >= 0) {
          const px = o * (1 + slippage);
          const d = Math.min(delta, Math.max(0, cash / (px * (1 + fee))));
          cash -= d * px * (1 + fee);
          qty[k]! += d;
          pend[k] = Number.NaN;
        }
      }
    }
    let eq = cash;
    let held = false;
    for (let k = 0; k < m; k++) {
      const c = close[k]![t]!;
      if (Number.isFinite(c)) mark[k] = c;
      if (qty[k]! > 0) {
        eq += qty[k]! * mark[k]!;
        held = true;
      }
    }
    if (t > 0) out[t] = eq / prevEq - 1;
    const before = prevEq;
    prevEq = eq;
    if (held) inMarket++;
    // a basket "trade" is a stretch of bars holding anything: its return is the equity change
    if (held && !wasIn) {
      if (trades.count === trades.entry.length) trades = growTrades(trades);
      trades.entry[trades.count] = t;
      tradeStartEq = before;
    } else if (!held && wasIn) {
      trades.exit[trades.count] = t;
      trades.ret[trades.count] = eq / tradeStartEq - 1;
      trades.count++;
    }
    wasIn = held;
    if (t + 1 < n) {
      let changed = false;
      for (let k = 0; k < m; k++) {
        let w = weights[k]![t]!;
        if (!(w > 0) || !(mark[k]! > 0)) w = 0;
        if (w !== target[k]) {
          target[k] = w;
          pend[k] = w;
          changed = true;
        }
      }
      if (changed) sizedOn = eq;
    }
  }
  if (wasIn) {
    trades.exit[trades.count] = n;
    trades.ret[trades.count] = prevEq / tradeStartEq - 1;
    trades.count++;
  }
  return { returns: out, trades, barsInMarket: inMarket };
}
