import type { ResultField, SweepRow } from "./sweep.ts";

/** Metrics a sweep can sort by; drawdown sorts ascending (smaller is better), the others descending */
export const SWEEP_SORTS = [
  "sharpe",
  "totalReturn",
  "maxDrawdown",
  "trades",
  "finalEquity",
] as const satisfies readonly ResultField[];
export type SweepSort = (typeof SWEEP_SORTS)[number];

/** Best first: descending, except drawdown ascending; NaN last; ties keep grid order */
export function rankRows<R extends SweepRow>(rows: R[], sort: SweepSort): R[] {
  const sign = sort === "maxDrawdown" ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => {
      const a = x.r[sort];
      const b = y.r[sort];
      if (Number.isNaN(a) !== Number.isNaN(b)) return Number.isNaN(a) ? 1 : -1;
      return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? x.i - y.i : sign * (a - b);
    })
    .map((x) => x.r);
}
