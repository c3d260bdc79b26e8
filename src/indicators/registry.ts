import { invalidInput } from "../errors.ts";
import { MOMENTUM } from "./registry-momentum.ts";
import { TREND } from "./registry-trend.ts";
import type { Indicator } from "./registry-types.ts";
import { VOLATILITY } from "./registry-volatility.ts";
import { STATISTICS, VOLUME } from "./registry-volume.ts";

export type {
  Indicator,
  IndicatorCategory,
  IndicatorInput,
  IndicatorStream,
  Params,
  StreamBar,
} from "./registry-types.ts";

/** Every indicator kairos knows, by category; strategies, screens, features, CLI and MCP read this */
export const INDICATORS: readonly Indicator[] = [
  ...TREND,
  ...MOMENTUM,
  ...VOLATILITY,
  ...VOLUME,
  ...STATISTICS,
];

const BY_NAME = new Map(INDICATORS.map((i) => [i.name, i]));

/** The indicator called `name` (case-insensitive); INVALID_INPUT listing the names when unknown */
export function getIndicator(name: string): Indicator {
  const found = BY_NAME.get(name.toLowerCase());
  if (found === undefined)
    throw invalidInput(`unknown indicator "${name}": use one of ${[...BY_NAME.keys()].join(", ")}`, { name });
  return found;
}
