// What the terminal and HTML leaderboards say beside the figures: full parameters in words where a number
// is a code, and a note when a symbol has too little out-of-sample data for its figures to be judged
import type { JudgedVariant } from "../../research/screen-judge.ts";

/** Parameters whose numbers are codes, spelled out (regime-filter's `regime`) */
const CODES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  regime: { 0: "trend", 1: "calm" },
};

/** Every parameter, sorted by name, never cut; coded values spelled out (`regime=trend`) */
export function paramsText(family: string, p: Readonly<Record<string, number | boolean>>): string {
  return Object.keys(p)
    .sort()
    .map((k) => {
      const v = p[k]!;
      const word = family.startsWith("regime-filter(") && typeof v === "number" ? CODES[k]?.[v] : undefined;
      return `${k}=${word ?? String(v)}`;
    })
    .join(" ");
}

/** A symbol is too thin to judge below half the longest symbol's out-of-sample bars or under this many days */
const MIN_OOS_DAYS = 90;

/**
 * One note per symbol whose out-of-sample record is too short to judge: fewer than half the bars of the
 * longest symbol in the run, or under 90 days. Its Sharpe figures are estimated from too few bars.
 */
export function sampleNotes(variants: readonly JudgedVariant[], barMs: number): Map<string, string> {
  const bars = new Map<string, number>();
  for (const v of variants) bars.set(v.symbol, Math.max(bars.get(v.symbol) ?? 0, v.oos.bars));
  const longest = Math.max(0, ...bars.values());
  const out = new Map<string, string>();
  for (const [symbol, n] of bars) {
    const days = (n * barMs) / 86_400_000;
    if (n >= 0.5 * longest && days >= MIN_OOS_DAYS) continue;
    out.set(
      symbol,
      `${symbol}: only ${n.toLocaleString("en-US")} out-of-sample bars (${days < 10 ? days.toFixed(1) : Math.round(days)} days)` +
        `${n < 0.5 * longest ? ` against ${longest.toLocaleString("en-US")} for the longest symbol` : ""}: too little data to judge; its figures are noisy`,
    );
  }
  return out;
}

/** "818 days ago", "5 hours ago", "40 minutes ago" */
export function ageText(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  if (m < 120) return `${m} minute${m === 1 ? "" : "s"} ago`;
  const h = Math.round(ms / 3_600_000);
  if (h < 48) return `${h} hours ago`;
  return `${Math.floor(ms / 86_400_000).toLocaleString("en-US")} days ago`;
}
