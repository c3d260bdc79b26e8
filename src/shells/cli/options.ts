import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { invalidField } from "../../errors.ts";
import { printInfo } from "./context.ts";

/**
 * How the CLI names a use case's fields. By default a field is the option whose attribute has its
 * name (`initialCash` -> `--initial-cash`); a command whose flag differs from the field registers
 * the difference here (`detailTimeframe` -> `--detail`). Only the CLI knows flag names.
 */
const RENAMES = new WeakMap<Command, Record<string, string>>();

/** Declares flags whose names differ from the use case's field paths (`{ symbols: "--symbol" }`) */
export function fieldFlags<C extends Command>(cmd: C, renames: Record<string, string>): C {
  RENAMES.set(cmd, { ...RENAMES.get(cmd), ...renames });
  return cmd;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag (or `<argument>`) the user typed for a field path of the use case's input */
export function flagFor(cmd: Command | undefined, path: string): string {
  // "horizons.0" is the first of --horizons: array indexes do not name a flag
  const field = path
    .split(".")
    .filter((s) => !/^\d+$/.test(s))
    .join(".");
  const last = field.split(".").pop() ?? field;
  for (let c = cmd; c !== undefined && c !== null; c = c.parent ?? undefined) {
    const names = RENAMES.get(c);
    const r = names?.[field];
    if (r !== undefined) return r;
    // "validation.*": "--set {key}" names every key under a prefix
    const dot = field.lastIndexOf(".");
    const wild = dot < 0 ? undefined : names?.[`${field.slice(0, dot)}.*`];
    if (wild !== undefined) return wild.replace("{key}", field.slice(dot + 1));
  }
  for (const name of field === last ? [field] : [field, last]) {
    for (let c = cmd; c !== undefined && c !== null; c = c.parent ?? undefined) {
      const o = c.options.find((x) => !x.hidden && x.attributeName() === name && x.long !== undefined);
      if (o?.long !== undefined) return o.long;
      if (c.registeredArguments.some((a) => a.name() === name)) return `<${name}>`;
    }
  }
  return `--${kebab(last)}`;
}

/** The command path as the user types it: "data show" */
export function commandPath(cmd: Command | undefined): string {
  const names: string[] = [];
  for (let c = cmd; c?.parent !== undefined && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The deepest (sub)command named by argv, for errors raised while parsing */
export function commandOfArgv(program: Command, argv: readonly string[]): Command {
  let cmd = program;
  const path: Command[] = [program];
  const takesValue = (flag: string): boolean =>
    path.some((c) =>
      c.options.some((o) => (o.long === flag || o.short === flag) && (o.required || o.optional)),
    );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("-")) {
      if (!a.includes("=") && takesValue(a)) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (sub === undefined) break;
    cmd = sub;
    path.push(sub);
  }
  return cmd;
}

/**
 * A deprecated spelling of an option: still accepted, hidden from help, and it prints one warning
 * naming the option to use (`--cash` -> `--initial-cash`). The value lands on the canonical option.
 */
export function deprecatedAlias(cmd: Command, aliasFlags: string, canonicalFlag: string): Command {
  cmd.option(aliasFlags, `deprecated: use ${canonicalFlag}`);
  const alias = cmd.options[cmd.options.length - 1]!;
  alias.hidden = true;
  const canonical = cmd.options.find((o) => o.long === canonicalFlag);
  if (canonical === undefined)
    throw new Error(`deprecatedAlias: ${canonicalFlag} is not an option of ${cmd.name()}`);
  cmd.hook("preAction", (c) => {
    const a = alias.attributeName();
    if (c.getOptionValueSource(a) !== "cli") return;
    printInfo(`kairos: ${alias.long} is deprecated; use ${canonicalFlag}`);
    const k = canonical.attributeName();
    if (c.getOptionValueSource(k) === "cli" && c.getOptionValue(k) !== c.getOptionValue(a))
      throw invalidField(k, `given twice with different values (${alias.long} and ${canonicalFlag})`);
    c.setOptionValueWithSource(k, c.getOptionValue(a), "cli");
  });
  return cmd;
}

/**
 * Refuses a --home kairos cannot use, before any command opens it: a file, a folder inside a
 * file, or a place that cannot be written (a missing home is created later, when its parent allows)
 */
export function checkHome(home: string): void {
  const abs = resolve(home);
  let p = abs;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  const allowed = "a folder kairos can write (created when missing)";
  let isDir: boolean;
  try {
    isDir = statSync(p).isDirectory();
  } catch {
    throw invalidField("home", `${home} cannot be read`, allowed);
  }
  if (!isDir)
    throw invalidField(
      "home",
      p === abs ? `${home} is a file, not a folder` : `${home} is inside a file (${p})`,
      allowed,
    );
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
  } catch {
    throw invalidField(
      "home",
      `${home} cannot be written${p === abs ? "" : ` (${p} is read-only)`}`,
      allowed,
    );
  }
}

type ZodLike = { _zod?: { def?: { type?: string; innerType?: ZodLike; in?: ZodLike } } };

/** The base kind of a zod field under defaults, optionals and pipes ("boolean", "number", ...) */
function baseKind(s: ZodLike): string | undefined {
  let cur: ZodLike | undefined = s;
  for (let k = 0; k < 8 && cur?._zod?.def !== undefined; k++) {
    const d: NonNullable<NonNullable<ZodLike["_zod"]>["def"]> = cur._zod.def;
    if (d.innerType !== undefined) cur = d.innerType;
    else if (d.in !== undefined) cur = d.in;
    else return d.type;
  }
  return undefined;
}

/**
 * Registers a strategy's or an indicator's parameters (the keys of its zod object) as real options
 * of `cmd`, so unknown flags are refused with "did you mean" like any other: `fast` -> `--fast <value>`,
 * a boolean `short` -> `--short` / `--no-short`. Returns the parameter keys registered.
 */
export function addParamOptions(cmd: Command, shape: Record<string, unknown>, what: string): string[] {
  const added: string[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const flag = kebab(key);
    if (cmd.options.some((o) => o.attributeName() === key || o.long === `--${flag}`)) continue;
    if (baseKind(schema as ZodLike) === "boolean") {
      cmd.option(`--${flag}`, `${what} parameter`);
      cmd.option(`--no-${flag}`, `${what} parameter (off)`);
    } else cmd.option(`--${flag} <value>`, `${what} parameter`);
    added.push(key);
  }
  return added;
}

/** The registered parameters the user gave, numbers and booleans parsed as the old flag parser did */
export function paramValues(
  cmd: Command,
  keys: readonly string[],
): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  const opts = cmd.opts() as Record<string, unknown>;
  for (const k of keys) {
    const v = opts[k];
    if (v === undefined) continue;
    if (typeof v === "boolean") out[k] = v;
    else if (v === "true" || v === "false") out[k] = v === "true";
    else {
      const s = String(v);
      const n = Number(s);
      out[k] =
        s.trim() !== "" && Number.isFinite(n) && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s.trim())
          ? n
          : s;
    }
  }
  return out;
}

/**
 * The first operand the user gave `sub` (the strategy of `backtest`, the indicator of `indicators
 * compute`), read from the raw arguments before `sub` parses them, skipping option values
 */
export function firstOperand(sub: Command): string | undefined {
  let root: Command = sub;
  const path: Command[] = [sub];
  while (root.parent !== null && root.parent !== undefined) {
    root = root.parent;
    path.unshift(root);
  }
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const takesValue = (flag: string): boolean =>
    path.some((c) =>
      c.options.some((o) => (o.long === flag || o.short === flag) && (o.required || o.optional)),
    );
  let depth = 1;
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i]!;
    if (a.startsWith("-")) {
      if (!a.includes("=") && takesValue(a)) i++;
      continue;
    }
    if (depth < path.length && path[depth]!.name() === a) {
      depth++;
      continue;
    }
    if (depth === path.length) return a;
  }
  return undefined;
}

/** The fields of a zod object schema (under pipes and refinements), for addParamOptions */
export function shapeOf(schema: unknown): Record<string, unknown> {
  let cur = schema as {
    shape?: Record<string, unknown>;
    _zod?: { def?: { in?: unknown; innerType?: unknown } };
  };
  for (let k = 0; k < 8 && cur !== undefined; k++) {
    if (cur.shape !== undefined) return cur.shape;
    cur = (cur._zod?.def?.in ?? cur._zod?.def?.innerType) as typeof cur;
  }
  return {};
}
