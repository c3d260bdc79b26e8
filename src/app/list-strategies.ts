import { z } from "zod";
import { AppError } from "../errors.ts";
import { PRESETS, SCREEN_REGISTRY } from "../research/screen-catalog.ts";
import { buyAndHoldFamily, isBasket, OPT_IN_FAMILIES, SCREEN_FAMILIES } from "../strategies/catalog.ts";
import { paramMeaning } from "../strategies/param-meanings.ts";
import { FAMILIES } from "../strategies/registry.ts";

/** One parameter of a strategy family, from its zod schema plus its meaning */
export interface StrategyParam {
  name: string;
  type: "integer" | "number" | "boolean";
  default: number | boolean | null;
  min: number | null;
  max: number | null;
  meaning: string;
}

/** A strategy family as `kairos strategies list/show` describes it, read from the registry */
export interface StrategyInfo {
  name: string;
  description: string;
  /** single: one symbol at a time; basket: ranks several symbols at once; baseline: the yardstick */
  kind: "single" | "basket" | "baseline";
  /** run by the screen only when named with --families */
  optIn: boolean;
  params: StrategyParam[];
  /** bars before the first decision, with the default parameters */
  warmup: number;
  /**
   * The forms it exists in: event (bar by bar: `kairos backtest`), sweep (every combination of a grid:
   * `kairos sweep`), basket (ranks several symbols at once, in the screen), and whether the screen runs it
   */
  forms: { event: boolean; sweep: boolean; basket: boolean; screen: boolean };
  /** screen presets that include it */
  presets: string[];
}

const presetsOf = (name: string): string[] =>
  Object.values(PRESETS)
    .filter((p) => name in p.families)
    .map((p) => p.name);

function paramsOf(family: string, schema: z.ZodType): StrategyParam[] {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<
      string,
      { type?: string; default?: number | boolean; minimum?: number; maximum?: number }
    >;
  };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: p.type === "integer" ? "integer" : p.type === "boolean" ? "boolean" : "number",
    default: p.default ?? null,
    min: p.minimum ?? null,
    max: p.maximum ?? null,
    meaning: paramMeaning(family, name),
  }));
}

/** Every built-in family: single-symbol ones (backtest, sweep, screen), baskets (screen), opt-in ones, the baseline */
export function listStrategies(): StrategyInfo[] {
  const out: StrategyInfo[] = [];
  const info = (
    f: { name: string; description: string; params: z.ZodType; warmup(p: never): number },
    kind: StrategyInfo["kind"],
    optIn: boolean,
    forms: Omit<StrategyInfo["forms"], "screen">,
  ): StrategyInfo => ({
    name: f.name,
    description: f.description,
    kind,
    optIn,
    params: paramsOf(f.name, f.params),
    warmup: f.warmup(f.params.parse({}) as never),
    forms: { ...forms, screen: SCREEN_REGISTRY.has(f.name) },
    presets: presetsOf(f.name),
  });
  for (const f of Object.values(FAMILIES))
    out.push(info(f, "single", false, { event: true, sweep: true, basket: false }));
  for (const f of SCREEN_FAMILIES.filter(isBasket))
    out.push(info(f, "basket", false, { event: false, sweep: false, basket: true }));
  // opt-in families replay by name in backtest and sweep too (each variant refits its models)
  for (const f of OPT_IN_FAMILIES)
    out.push(info(f, "single", true, { event: true, sweep: true, basket: false }));
  // the yardstick every report shows beside its figures, not a command argument
  out.push(info(buyAndHoldFamily, "baseline", false, { event: false, sweep: false, basket: false }));
  return out;
}

/** `kairos strategies show NAME` */
export const ShowStrategyInput = z.object({ name: z.string().min(1).max(200) }).strict();
export type ShowStrategyRequest = z.input<typeof ShowStrategyInput>;

/** One family by name; NOT_FOUND listing every name when unknown */
export function showStrategy(req: z.output<typeof ShowStrategyInput>): StrategyInfo {
  const { name } = req;
  const all = listStrategies();
  const hit = all.find((s) => s.name === name);
  if (hit === undefined)
    throw new AppError(
      "NOT_FOUND",
      `no strategy family "${name}": use one of ${all.map((s) => s.name).join(", ")}`,
    );
  return hit;
}

/** Every family name, for the --help of the commands that take one */
export function strategyNames(filter: (s: StrategyInfo) => boolean = () => true): string[] {
  return listStrategies()
    .filter(filter)
    .map((s) => s.name);
}
