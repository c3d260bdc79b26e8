import { invalidInput } from "../errors.ts";
import type { AnyFamily } from "../strategies/catalog.ts";
import { isBasket, OPT_IN_FAMILIES, SCREEN_FAMILIES } from "../strategies/catalog.ts";
import { FAMILIES } from "../strategies/registry.ts";
import type { FamilySpace } from "./search.ts";

/** Named symbol sets of the bundled data (binance, quoted in USDT) */
export const UNIVERSES: Readonly<Record<string, readonly string[]>> = {
  "ai-tokens": ["TAO", "FET", "RENDER", "NEAR", "ICP", "AR", "WLD", "ARKM", "IO"].map((b) => `${b}/USDT`),
  majors: ["BTC/USDT", "ETH/USDT"],
};

/** Every family the screen can run, by name */
export const SCREEN_REGISTRY: ReadonlyMap<string, AnyFamily> = new Map<string, AnyFamily>([
  ...Object.values(FAMILIES).map((f): [string, AnyFamily] => [f.name, f]),
  ...SCREEN_FAMILIES.map((f): [string, AnyFamily] => [f.name, f]),
  ...OPT_IN_FAMILIES.map((f): [string, AnyFamily] => [f.name, f]),
]);

/** Run only when named with --families, never by default nor by a preset */
export const OPT_IN_NAMES: ReadonlySet<string> = new Set(OPT_IN_FAMILIES.map((f) => f.name));

/** Checks a --families list against the registry; one line naming the valid families otherwise */
export function checkFamilies(names: readonly string[]): string[] {
  if (names.length === 0)
    throw invalidInput(
      `screen: --families is empty: use one or more of ${[...SCREEN_REGISTRY.keys()].join(", ")}`,
    );
  const bad = names.filter((n) => !SCREEN_REGISTRY.has(n));
  if (bad.length > 0)
    throw invalidInput(
      `screen: unknown famil${bad.length === 1 ? "y" : "ies"} ${bad.map((b) => `"${b}"`).join(", ")} in --families: use ${[...SCREEN_REGISTRY.keys()].join(", ")}`,
    );
  return [...new Set(names)];
}

export function screenFamily(name: string): AnyFamily {
  const f = SCREEN_REGISTRY.get(name);
  if (f === undefined)
    throw invalidInput(
      `unknown strategy family "${name}": use one of ${[...SCREEN_REGISTRY.keys()].join(", ")}`,
    );
  return f;
}

/** A preset bundles families and parameter ranges in the style of one kind of investor */
export interface Preset {
  name: string;
  description: string;
  /** family name -> parameter ranges (omitted: the family's grid, widened) */
  families: Record<string, Record<string, readonly number[]> | undefined>;
}

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let x = from; x <= to + 1e-9; x += step) out.push(Math.round(x * 1e6) / 1e6);
  return out;
};

export const PRESETS: Readonly<Record<string, Preset>> = {
  "trend-follower": {
    name: "trend-follower",
    description:
      "Rides trends: moving-average crosses, MACD, breakouts, Supertrend, ADX, with volatility targeting",
    families: {
      "sma-cross": { fast: range(5, 50, 5), slow: range(20, 200, 20) },
      "ema-cross": { fast: range(5, 50, 5), slow: range(20, 200, 20) },
      macd: { fast: range(6, 20, 2), slow: range(20, 50, 5), signal: range(5, 15, 2) },
      "donchian-breakout": { entry: range(10, 100, 10), exit: range(5, 50, 5) },
      supertrend: { period: range(5, 30, 5), multiplier: range(1.5, 5, 0.5) },
      "adx-trend": { period: range(7, 28, 7), adxMin: range(15, 35, 5) },
      "vol-target(macd)": undefined,
      "vol-target(supertrend)": undefined,
    },
  },
  "mean-reverter": {
    name: "mean-reverter",
    description:
      "Buys overreactions: RSI bands, Bollinger and z-score reversion, optionally only in calm regimes",
    families: {
      "rsi-reversion": { period: range(4, 28, 4), lower: range(15, 40, 5), upper: range(50, 80, 5) },
      "bollinger-reversion": { period: range(10, 100, 10), k: range(1, 3.5, 0.5) },
      "zscore-reversion": { period: range(20, 200, 20), entryZ: range(1, 3, 0.5), exitZ: [0, 0.5, 1] },
      "regime-filter(bollinger-reversion)": undefined,
      "regime-filter(zscore-reversion)": undefined,
    },
  },
  "momentum-rotator": {
    name: "momentum-rotator",
    description: "Rotates across the basket: cross-sectional momentum and relative strength against BTC",
    families: {
      "xs-momentum": { lookback: range(24, 720, 48), topK: [1, 2, 3, 4], rebalance: [12, 24, 48, 72, 168] },
      "rs-rotation": { lookback: range(24, 720, 48), topK: [1, 2, 3, 4], rebalance: [12, 24, 48, 72, 168] },
    },
  },
  "grid-trader": {
    name: "grid-trader",
    description: "Runs grid bots around a slow anchor",
    families: {
      grid: { levels: range(2, 20, 2), spacing: range(0.005, 0.06, 0.005), anchor: range(24, 480, 24) },
    },
  },
  "dca-accumulator": {
    name: "dca-accumulator",
    description: "Accumulates on a schedule, with or without take-profit",
    families: {
      dca: { every: [6, 12, 24, 48, 72, 168], step: range(0.01, 0.2, 0.01), takeProfit: range(0, 0.5, 0.05) },
    },
  },
};

/** Widens a grid into about a dozen evenly spaced values between its ends */
function widen(vals: readonly number[]): number[] {
  if (vals.length === 0) return [];
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  if (lo === hi) return [lo];
  const ints = vals.every(Number.isInteger);
  const out = new Set<number>(vals);
  for (let i = 0; i <= 12; i++) {
    const x = lo + ((hi - lo) * i) / 12;
    out.add(ints ? Math.round(x) : Math.round(x * 1000) / 1000);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The search space of a run: each family of the preset (all families without one) over its symbols;
 * basket families trade the whole universe as one variant, and need two symbols or more.
 */
export function searchSpaces(
  symbols: readonly string[],
  presetName?: string,
  families?: readonly string[],
): FamilySpace[] {
  let entries: [string, Record<string, readonly number[]> | undefined][];
  if (presetName === undefined)
    entries = [...SCREEN_REGISTRY.keys()].filter((k) => !OPT_IN_NAMES.has(k)).map((k) => [k, undefined]);
  else {
    const p = PRESETS[presetName];
    if (p === undefined)
      throw invalidInput(`unknown preset "${presetName}": use one of ${Object.keys(PRESETS).join(", ")}`);
    entries = Object.entries(p.families);
  }
  // --families restricts the preset's (or the default) set; opt-in families enter only this way
  if (families !== undefined) {
    const want = new Set(checkFamilies(families));
    entries = entries.filter(([k]) => want.has(k));
    for (const k of want)
      if (OPT_IN_NAMES.has(k) && !entries.some(([e]) => e === k)) entries.push([k, undefined]);
  }
  const out: FamilySpace[] = [];
  for (const [name, ranges] of entries) {
    const fam = screenFamily(name);
    const basket = isBasket(fam);
    if (basket && symbols.length < 2) continue;
    const params: Record<string, readonly number[]> = {};
    for (const [k, v] of Object.entries(fam.grid as Record<string, readonly number[]>))
      params[k] = ranges?.[k] ?? widen(v);
    out.push({
      family: name,
      params,
      symbols: basket ? ["basket"] : symbols,
      valid: (p) => fam.params.safeParse(p).success,
    });
  }
  if (out.length === 0 && families !== undefined)
    throw invalidInput(
      `screen: no family left to run: --families ${families.join(",")}${presetName === undefined ? "" : ` with preset "${presetName}"`} (basket families need two or more symbols)`,
    );
  if (out.length === 0)
    throw invalidInput(
      `preset "${presetName}" needs a basket of two or more symbols: use --universe ai-tokens`,
    );
  return out;
}
