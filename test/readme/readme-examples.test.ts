// The README's examples run as written, in the order written, in one fresh home: every ```sh block
// (minus what its <!-- readme-examples: ... --> marker names: servers, the network, the reader's own
// files, runs of minutes), each command must exit 0; a quoted transcript (a ``` block starting with
// `$ kairos ...`) must print exactly what the README shows; and every CLI command has an example.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/shells/cli/program.ts";
import { ROOT } from "../support/cli.ts";
import { readmeShellBlocks } from "./readme-examples.ts";

// KAIROS_README_FILE: another copy of the README, to show the test fails on a broken example
const README = readFileSync(process.env.KAIROS_README_FILE ?? join(ROOT, "README.md"), "utf8");
const blocks = readmeShellBlocks(README);

const work = mkdtempSync(join(tmpdir(), "kairos-readme-"));
const home = join(work, "home");
const cwd = join(work, "cwd");
mkdirSync(home);
mkdirSync(cwd);
// the examples name the bundled files as `data/...`, relative to the clone
symlinkSync(join(ROOT, "data"), join(cwd, "data"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PRELUDE = [
  "set -o pipefail",
  `kairos() { ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, "bin/kairos.js"))} "$@"; }`,
  'npx() { if [ "$1" = kairos ]; then shift; kairos "$@"; else command npx "$@"; fi; }',
].join("\n");

/** Runs commands in one bash, in order; stops at the first that fails and names its README line */
function runScript(commands: { line: number; command: string }[]): {
  code: number;
  stdout: string;
  stderr: string;
} {
  const body = commands
    .map(
      (c) =>
        `{ ${c.command}\n} || { rc=$?; echo "README.md:${c.line}: exit $rc: "${JSON.stringify(c.command)} >&2; exit 1; }`,
    )
    .join("\n");
  const r = spawnSync("bash", ["-c", `${PRELUDE}\n${body}`], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, KAIROS_HOME: home, NO_COLOR: "1" },
    maxBuffer: 256 << 20,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `$ kairos ...` transcripts: ``` blocks (no language) whose first line is a command */
interface Transcript {
  line: number;
  command: string;
  output: string;
}
function transcripts(text: string): Transcript[] {
  const lines = text.split("\n");
  const out: Transcript[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    const first = lines[i + 1] ?? "";
    if (fence[1] === "" && first.startsWith("$ kairos ")) {
      out.push({ line: i + 2, command: first.slice(2), output: `${lines.slice(i + 2, end).join("\n")}\n` });
    }
    i = end;
  }
  return out;
}

// sh blocks and transcripts in README order, so a transcript runs after the blocks above it
type Step =
  | { kind: "block"; line: number; commands: { line: number; command: string }[] }
  | ({ kind: "transcript" } & Transcript);
const steps: Step[] = [
  ...blocks.map((b) => ({ kind: "block" as const, line: b.line, commands: b.commands })),
  ...transcripts(README).map((t) => ({ kind: "transcript" as const, ...t })),
].sort((a, b) => a.line - b.line);

/** every command path of the CLI ("data import", "risk set", "demo", ...), leaves only */
function commandPaths(cmd: Command, prefix: string[] = []): string[] {
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  if (subs.length === 0) return [prefix.join(" ")];
  const own =
    prefix.length > 0 && (cmd as unknown as { _actionHandler: unknown })._actionHandler
      ? [prefix.join(" ")]
      : [];
  return [...own, ...subs.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

describe("README examples", () => {
  it("has runnable examples and markers that name a reason", () => {
    const runnable = blocks.flatMap((b) => b.commands);
    expect(runnable.length).toBeGreaterThan(40);
    for (const b of blocks) {
      if (b.skip || b.skipped.length > 0)
        expect(b.reason, `README.md:${b.line}: a marker without a reason`).not.toBe("");
    }
  });

  it("gives every CLI command an example", () => {
    const examples = [
      ...blocks.flatMap((b) => [...b.commands, ...b.skipped]).map((c) => c.command),
      ...transcripts(README).map((t) => t.command),
    ];
    const missing = commandPaths(buildProgram()).filter(
      (path) =>
        !examples.some((e) => new RegExp(`(^|[|;&(]\\s*|npx )kairos( --\\S+( \\S+)?)* ${path}( |$)`).test(e)),
    );
    expect(missing, "commands without an example in a ```sh block of README.md").toEqual([]);
  });

  it.each(steps.map((s) => [`README.md:${s.line}`, s] as const))(
    "%s runs as written",
    (_, step) => {
      if (step.kind === "block") {
        if (step.commands.length === 0) return;
        const r = runScript(step.commands);
        expect(r.code, `${r.stderr.slice(-2000)}`).toBe(0);
      } else {
        const r = runScript([{ line: step.line, command: step.command }]);
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        expect(r.stdout).toBe(step.output);
      }
    },
    240_000,
  );
});
