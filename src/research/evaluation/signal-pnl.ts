export interface SignalPnl {
  /** net return of trading the signal over the test bars, in percent */
  netReturnPct: number;
  /** buy and hold over the same bars, in percent, for scale */
  buyHoldPct: number;
  trades: number;
  feesPaid: number;
}

/**
 * Long/flat spot trading of a direction signal under the execution model of src/backtest/types.ts:
 * the target (1 when the forecast is up, else 0) decided at bar t's close is sized on equity at that
 * close (qty = equity / close, capped by cash) and fills at bar t+1's open,
 * fees on traded notional, cash never negative, equity marked at closes, an open position at the
 * end stays open marked at the last close. Samples must be consecutive bars.
 */
export function signalPnl(
  samples: Int32Array,
  dir: Int8Array,
  open: Float64Array,
  close: Float64Array,
  fee: number,
  slippage = 0,
): SignalPnl {
  const start = 1;
  let cash = start;
  let qty = 0;
  let trades = 0;
  let feesPaid = 0;
  let prevTarget = 0;
  const first = samples[0];
  const lastSample = samples[samples.length - 1];
  if (first === undefined || lastSample === undefined)
    return { netReturnPct: Number.NaN, buyHoldPct: Number.NaN, trades: 0, feesPaid: 0 };
  // the last fill happens at the open after the last sample; equity is read at that bar's close
  const endBar = Math.min(lastSample + 1, close.length - 1);
  for (let i = 0; i < samples.length; i++) {
    const t = samples[i]!;
    const target = dir[i]! > 0 ? 1 : 0;
    if (target === prevTarget || t + 1 >= open.length) continue;
    prevTarget = target;
    const o = open[t + 1]!;
    if (target === 1) {
      const px = o * (1 + slippage);
      // sized on equity marked at t's close, then capped so cash never goes negative
      const q = Math.min((cash + qty * close[t]!) / close[t]! - qty, cash / (px * (1 + fee)));
      const f = fee * q * px;
      cash -= q * px + f;
      qty += q;
      feesPaid += f;
    } else {
      const px = o * (1 - slippage);
      const f = fee * qty * px;
      cash += qty * px - f;
      qty = 0;
      feesPaid += f;
    }
    trades++;
  }
  const equity = cash + qty * close[endBar]!;
  return {
    netReturnPct: 100 * (equity / start - 1),
    buyHoldPct: 100 * (close[endBar]! / open[first + 1]! - 1),
    trades,
    feesPaid,
  };
}
