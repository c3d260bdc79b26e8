/** What a strategy decides at a bar's close: target exposures and/or explicit orders, with reasons */
import type { OrderRequest } from "./order.ts";

/** Stop levels as fractions of the entry price (0.05 = 5%) */
export interface ExitRules {
  stopLoss?: number;
  takeProfit?: number;
  trailingStop?: number;
}

export interface Decision {
  /** exposure per symbol as a fraction of equity (1 all-in long, -1 all-in short) */
  targets?: Record<string, number>;
  orders?: OrderRequest[];
  /** per-position stop rules set at entry (override the configured ones) */
  exits?: Record<string, ExitRules>;
  reason?: string;
  /** named values (indicators, signals) the look-ahead check compares between runs */
  values?: Record<string, number>;
}
