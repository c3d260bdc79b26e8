/**
 * Peak and day-start equity derived from an account's fills alone (pure), so the drawdown and
 * daily-loss checks start from the account's history after a restart instead of from whatever
 * equity the first decision of a new process happens to see. Each fill is also a price observation:
 * equity after fill i = quote balance + every other asset valued at the last fill price of its
 * symbol seen so far (assets never traded in the history are valued at `marks`, else not at all).
 */

export interface FillForMarks {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly feeAsset: string;
  readonly ts: number;
}

export interface EquityHistory {
  /** highest equity marked after any fill (or the opening equity) */
  peak: number;
  /** equity as marked after the last fill before `dayStartTs` (the opening equity when none) */
  dayStart: number;
  /** fills read */
  fills: number;
}

const split = (symbol: string): { base: string; quote: string } => {
  const [pair = "", settle] = symbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  return { base, quote: settle ?? quote };
};

/**
 * Walks the fills in time order from the opening balances. `quote` is the currency equity is
 * counted in; `marks` are prices (in quote) for assets held before any fill priced them.
 */
export function equityHistory(
  opening: Readonly<Record<string, number>>,
  fills: readonly FillForMarks[],
  quote: string,
  dayStartTs: number,
  marks: Readonly<Record<string, number>> = {},
): EquityHistory {
  const bal = new Map<string, number>(Object.entries(opening));
  const price = new Map<string, number>(Object.entries(marks));
  const equity = (): number => {
    let e = 0;
    for (const [asset, q] of bal) {
      if (asset === quote) e += q;
      else if (q !== 0) e += q * (price.get(asset) ?? 0);
    }
    return e;
  };
  const sorted = [...fills].sort((a, b) => a.ts - b.ts);
  let e = equity();
  let peak = e;
  let dayStart = e;
  for (const f of sorted) {
    const { base, quote: q } = split(f.symbol);
    const sign = f.side === "buy" ? 1 : -1;
    bal.set(base, (bal.get(base) ?? 0) + sign * f.qty);
    bal.set(q, (bal.get(q) ?? 0) - sign * f.qty * f.price);
    bal.set(f.feeAsset, (bal.get(f.feeAsset) ?? 0) - f.fee);
    if (q === quote) price.set(base, f.price);
    e = equity();
    if (e > peak) peak = e;
    if (f.ts < dayStartTs) dayStart = e;
  }
  return { peak, dayStart, fills: sorted.length };
}
