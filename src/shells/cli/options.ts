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
export function flagFor(cmd: Command | undefined, field: string): string {
  const last = field.split(".").pop() ?? field;
  for (let c = cmd; c !== undefined && c !== null; c = c.parent ?? undefined) {
    const r = RENAMES.get(c)?.[field];
    if (r !== undefined) return r;
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
  for (const a of argv) {
    if (a.startsWith("-")) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (sub === undefined) break;
    cmd = sub;
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
