/** Trade breakdowns (by symbol, month, weekday, exit reason) and CSV/JSON export of trades */
import type { Trade } from "../domain/trade.ts";

export interface TradeGroup {
  key: string;
  trades: number;
  wins: number;
  winRate: number;
  pnl: number;
  avgReturn: number;
  avgBars: number;
  avgMae: number;
  avgMfe: number;
}

export interface TradeAnalysis {
  trades: number;
  avgBars: number;
  avgMae: number;
  avgMfe: number;
  bestReturn: number;
  worstReturn: number;
  bySymbol: TradeGroup[];
  byMonth: TradeGroup[];
  byWeekday: TradeGroup[];
  byExitReason: TradeGroup[];
  byEntryReason: TradeGroup[];
  bySide: TradeGroup[];
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const DAY = 86_400_000;

/** "YYYY-MM" of an epoch ms, UTC */
export function monthOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 7);
}

/** Short weekday name of an epoch ms, UTC (the epoch fell on a Thursday) */
export function weekdayOf(ts: number): string {
  return WEEKDAYS[(((Math.floor(ts / DAY) + 4) % 7) + 7) % 7]!;
}

function group(
  trades: readonly Trade[],
  keyOf: (t: Trade) => string,
  order?: readonly string[],
): TradeGroup[] {
  const acc = new Map<string, Trade[]>();
  for (const t of trades) {
    const k = keyOf(t);
    const list = acc.get(k);
    if (list === undefined) acc.set(k, [t]);
    else list.push(t);
  }
  const keys = [...acc.keys()].sort((a, b) =>
    order === undefined ? (a < b ? -1 : a > b ? 1 : 0) : order.indexOf(a) - order.indexOf(b),
  );
  return keys.map((key) => {
    const ts = acc.get(key)!;
    const wins = ts.filter((t) => t.pnl > 0).length;
    const mean = (f: (t: Trade) => number): number => ts.reduce((s, t) => s + f(t), 0) / ts.length;
    return {
      key,
      trades: ts.length,
      wins,
      winRate: wins / ts.length,
      pnl: ts.reduce((s, t) => s + t.pnl, 0),
      avgReturn: mean((t) => t.returnPct),
      avgBars: mean((t) => t.bars),
      avgMae: mean((t) => t.mae),
      avgMfe: mean((t) => t.mfe),
    };
  });
}

/** Every breakdown of a trade list; months and weekdays by entry time (UTC) */
export function analyseTrades(trades: readonly Trade[]): TradeAnalysis {
  const n = trades.length;
  const mean = (f: (t: Trade) => number): number => (n > 0 ? trades.reduce((s, t) => s + f(t), 0) / n : 0);
  let best = n > 0 ? Number.NEGATIVE_INFINITY : 0;
  let worst = n > 0 ? Number.POSITIVE_INFINITY : 0;
  for (const t of trades) {
    if (t.returnPct > best) best = t.returnPct;
    if (t.returnPct < worst) worst = t.returnPct;
  }
  return {
    trades: n,
    avgBars: mean((t) => t.bars),
    avgMae: mean((t) => t.mae),
    avgMfe: mean((t) => t.mfe),
    bestReturn: best,
    worstReturn: worst,
    bySymbol: group(trades, (t) => t.symbol),
    byMonth: group(trades, (t) => monthOf(t.entryTs)),
    byWeekday: group(trades, (t) => weekdayOf(t.entryTs), WEEKDAYS),
    byExitReason: group(trades, (t) => t.exitReason),
    byEntryReason: group(trades, (t) => t.entryReason),
    bySide: group(trades, (t) => t.side),
  };
}

export const TRADE_COLUMNS = [
  "symbol",
  "side",
  "entryTime",
  "entryPrice",
  "exitTime",
  "exitPrice",
  "qty",
  "fees",
  "funding",
  "pnl",
  "returnPct",
  "bars",
  "durationHours",
  "entryReason",
  "exitReason",
  "mae",
  "mfe",
] as const;

const csvCell = (v: string | number): string => {
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : v;
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Trades as CSV (RFC 4180, header row, ISO UTC times, full float precision) */
export function tradesToCsv(trades: readonly Trade[]): string {
  const lines = [TRADE_COLUMNS.join(",")];
  for (const t of trades) {
    const row: (string | number)[] = [
      t.symbol,
      t.side,
      new Date(t.entryTs).toISOString(),
      t.entryPrice,
      new Date(t.exitTs).toISOString(),
      t.exitPrice,
      t.qty,
      t.fees,
      t.funding,
      t.pnl,
      t.returnPct,
      t.bars,
      (t.exitTs - t.entryTs) / 3_600_000,
      t.entryReason,
      t.exitReason,
      t.mae,
      t.mfe,
    ];
    lines.push(row.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Trades as JSON records with ISO times beside the epoch ms */
export function tradesToJson(trades: readonly Trade[]): object[] {
  return trades.map((t) => ({
    ...t,
    entryTime: new Date(t.entryTs).toISOString(),
    exitTime: new Date(t.exitTs).toISOString(),
    durationHours: (t.exitTs - t.entryTs) / 3_600_000,
  }));
}
