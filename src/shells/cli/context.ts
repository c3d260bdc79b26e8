import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { safeText } from "./render-error.ts";

/** Options every command takes */
export interface CliGlobals {
  home: string;
  json: boolean;
  debug: boolean;
}

/** Reads the global options as seen from a (sub)command */
export function globalsOf(cmd: Command): CliGlobals {
  const o = cmd.optsWithGlobals() as { home?: string; json?: boolean; debug?: boolean };
  return {
    home: o.home ?? process.env.KAIROS_HOME ?? join(homedir(), ".kairos"),
    json: o.json === true,
    debug: o.debug === true,
  };
}

/** Machine-readable output: one JSON document on stdout and nothing else there */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human output on stdout */
export function printLine(text = ""): void {
  process.stdout.write(`${text}\n`);
}

/** Progress and prose that must not pollute --json output */
export function printInfo(text: string): void {
  // file names, headers and exchange replies can hold escapes: shown, never obeyed
  process.stderr.write(`${safeText(text, true)}\n`);
}
