import { invalidInput } from "../../errors.ts";
import type { StrategyFamily } from "../../strategies/family.ts";

/** One swept parameter and its values */
export interface ParamAxis {
  name: string;
  values: number[];
}

const RANGE = /^([A-Za-z][\w-]*)=(.+)$/;

/**
 * Parses `name=from..to:step` (inclusive, step defaults to 1), `name=a,b,c` or `name=v`.
 * Example: `fast=5..50:1`, `slow=10..200:10`, `lower=20,25,30`.
 */
export function parseParamAxis(text: string): ParamAxis {
  const m = RANGE.exec(text.trim());
  if (m === null) throw invalidInput(`--param "${text}": write name=from..to:step, name=a,b,c or name=value`);
  const name = m[1]!;
  const spec = m[2]!;
  const num = (s: string): number => {
    const v = Number(s);
    if (s.trim() === "" || !Number.isFinite(v)) throw invalidInput(`--param ${name}: "${s}" is not a number`);
    return v;
  };
  const range = /^(-?[\d.e+-]+)\.\.(-?[\d.e+-]+?)(?::(-?[\d.e+-]+))?$/.exec(spec);
  if (range !== null) {
    const from = num(range[1]!);
    const to = num(range[2]!);
    const step = range[3] === undefined ? 1 : num(range[3]);
    if (!(step > 0)) throw invalidInput(`--param ${name}: step must be > 0, got ${step}`);
    if (to < from)
      throw invalidInput(`--param ${name}: range ${from}..${to} is empty; write from..to with from <= to`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > 100_000)
      throw invalidInput(`--param ${name}: ${count} values is too many; use a larger step`);
    // from + k * step rather than repeated addition, so 0.1 steps do not drift
    const values = Array.from({ length: count }, (_, k) => Number((from + k * step).toPrecision(12)));
    return { name, values };
  }
  return { name, values: spec.split(",").map(num) };
}

/**
 * Every combination of the axes (first axis slowest), each completed with the family's defaults
 * and validated by its schema; combinations the schema refuses (e.g. fast >= slow) are dropped.
 */
export function expandGrid(
  // biome-ignore lint/suspicious/noExplicitAny: any family
  family: StrategyFamily<any>,
  axes: readonly ParamAxis[],
): Record<string, number | boolean>[] {
  const defaults = family.params.parse({}) as Record<string, unknown>;
  for (const a of axes)
    if (!(a.name in defaults))
      throw invalidInput(
        `--param ${a.name}: ${family.name} has no such parameter; it has ${Object.keys(defaults).join(", ")}`,
      );
  const names = new Set<string>();
  for (const a of axes) {
    if (names.has(a.name)) throw invalidInput(`--param ${a.name} is given twice; give each parameter once`);
    names.add(a.name);
  }
  const out: Record<string, number | boolean>[] = [];
  const cur: Record<string, unknown> = { ...defaults };
  const rec = (k: number): void => {
    if (k === axes.length) {
      const r = family.params.safeParse(cur);
      if (r.success) out.push(r.data as Record<string, number | boolean>);
      return;
    }
    const axis = axes[k]!;
    for (const v of axis.values) {
      cur[axis.name] = typeof defaults[axis.name] === "boolean" ? v !== 0 : v;
      rec(k + 1);
    }
  };
  rec(0);
  if (out.length === 0)
    throw invalidInput(
      `sweep ${family.name}: no valid parameter combination in the given ranges; check the bounds`,
    );
  return out;
}
