import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import type { CandleStore, SeriesKey } from "../ports/candle-store.ts";

/** A series whose newest stored bar closed more than two bars before now */
export interface StaleSeries extends SeriesKey {
  /** open time of the newest stored bar (epoch ms) */
  last: number;
  /** how long ago that bar closed */
  ageMs: number;
}

/**
 * Watches which series a command reads up to their newest bar (a read without `to`), so the command
 * can say afterwards when that newest bar is old. Everything else passes straight to `store`.
 */
export function watchReads(store: CandleStore): { store: CandleStore; keys: () => SeriesKey[] } {
  const seen = new Map<string, SeriesKey>();
  const read: CandleStore["read"] = (key, range, into) => {
    // a read that stops at --to asked for the past on purpose: its age is no surprise
    if (range?.to === undefined)
      seen.set(`${key.exchange}\u0000${key.symbol}\u0000${key.timeframe}`, {
        exchange: key.exchange,
        symbol: key.symbol,
        timeframe: key.timeframe,
      });
    return store.read(key, range, into);
  };
  const watched = new Proxy(store, {
    get(target, prop) {
      if (prop === "read") return read;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: watched, keys: () => [...seen.values()] };
}

/** The series among `keys` whose newest stored bar closed more than two bars of its timeframe before `now` */
export function staleSeries(store: CandleStore, keys: readonly SeriesKey[], now: number): StaleSeries[] {
  const out: StaleSeries[] = [];
  for (const key of keys) {
    const info = store.info(key);
    if (info === undefined || info.rows === 0) continue;
    const bar = timeframeMs(key.timeframe as Timeframe);
    const ageMs = now - (info.last + bar);
    if (ageMs > 2 * bar) out.push({ ...key, last: info.last, ageMs });
  }
  return out;
}

const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** "818 days", "5 hours", "40 minutes" */
export function durationText(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h < 48) return `${h} hours`;
  return `${Math.floor(ms / 86_400_000).toLocaleString("en-US")} days`;
}

/**
 * One line per group of stale series that end at the same bar, e.g. "binance FET/USDT, NEAR/USDT 1h:
 * newest bar 2024-09-07 00:00 UTC, 818 days old (more than two 1h bars): ..."
 */
export function staleWarnings(stale: readonly StaleSeries[]): string[] {
  const groups = new Map<string, StaleSeries[]>();
  for (const s of stale) {
    const k = `${s.exchange}\u0000${s.timeframe}\u0000${s.last}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()].map((g) => {
    const s = g[0]!;
    const names =
      g.length <= 4
        ? g.map((x) => x.symbol).join(", ")
        : `${g.length} symbols (${g
            .slice(0, 3)
            .map((x) => x.symbol)
            .join(", ")}, ...)`;
    return `${s.exchange} ${names} ${s.timeframe}: newest bar ${when(s.last)}, ${durationText(s.ageMs)} old (more than two ${s.timeframe} bars): every figure and signal stops there; \`kairos data download\` or \`kairos data import\` brings newer candles`;
  });
}
