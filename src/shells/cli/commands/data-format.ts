import type { SeriesSummary } from "../../../app/list-series.ts";

/**
 * 2024-01-01 00:00Z style (minutes are the finest timeframe kairos stores); midnight shows the
 * date alone unless `timeframe` is intraday, so a column of hourly times stays uniform
 */
export function fmtTs(ms: number, timeframe?: string): string {
  if (!Number.isFinite(ms)) return "-";
  // a damaged row beyond Date's range prints as its number (toISOString would throw RangeError)
  if (Math.abs(ms) > 8.64e15) return String(ms);
  const s = new Date(ms).toISOString();
  const intraday = timeframe !== undefined && /[mh]$/.test(timeframe);
  return s.endsWith("T00:00:00.000Z") && !intraday ? s.slice(0, 10) : `${s.slice(0, 16).replace("T", " ")}Z`;
}

/** A plain left-aligned text table */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]): string =>
    r
      .map((x, i) => x.padEnd(w[i]!))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

/** The stored series as a table: rows, first/last bar and gaps (`kairos data list`, `kairos demo`) */
export function seriesTable(series: readonly SeriesSummary[]): string {
  return table(
    ["exchange", "symbol", "tf", "rows", "first", "last", "gaps"],
    series.map((s) => [
      s.exchange,
      s.symbol,
      s.timeframe,
      s.rows.toLocaleString("en-US"),
      fmtTs(s.first, s.timeframe),
      fmtTs(s.last, s.timeframe),
      s.gaps === 0 ? "none" : `${s.gaps} (${s.missing} missing)`,
    ]),
  );
}
