// Start-up stays fast because heavy packages load when a command first needs them, never when the CLI
// starts (TensorFlow.js ~1 s, ccxt ~0.6 s, apache-arrow ~0.5 s, the MCP SDK ~0.3 s, bullmq ~0.25 s, tsx
// with esbuild). Proven on the module
// graph, not with a timer (timings live in `npm run bench -- startup`): the CLI runs from the sources
// with a hook recording every package that kairos's own files import.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.ts";

const HEAVY =
  /^(@tensorflow\/|ccxt|apache-arrow|tsx|esbuild|playwright|@modelcontextprotocol\/|bullmq|ioredis|openai)/;
const dir = mkdtempSync(join(tmpdir(), "kairos-startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** "<package> <- <file>" for every package the files under src/ imported while `kairos ...args` ran */
function importsOf(args: string[]): string[] {
  const log = join(dir, "imports.txt");
  writeFileSync(log, "");
  const r = spawnSync(
    process.execPath,
    ["--import", join(ROOT, "test/support/record-imports.mjs"), join(ROOT, "bin/kairos.js"), ...args],
    {
      encoding: "utf8",
      env: { ...process.env, KAIROS_HOME: "", KAIROS_FROM_SOURCE: "1", KAIROS_IMPORT_LOG: log },
    },
  );
  expect(r.status, r.stderr).toBe(0);
  const src = `file://${ROOT}/src/`;
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.includes(src))
    .map((l) => {
      const [pkg, from] = l.split(" ");
      return `${pkg} <- ${from!.slice(src.length)}`;
    });
}

describe("CLI start-up imports", () => {
  it("records what the sources import (the hook works)", () => {
    expect(importsOf(["--help"]).some((l) => l.startsWith("commander <- "))).toBe(true);
  });

  it.each([[["--version", "--debug"]], [["--help"]], [["--home", join(dir, "home"), "data", "list"]]])(
    "kairos %j loads no heavy package (tfjs, ccxt, apache-arrow, tsx, esbuild, playwright, MCP SDK, bullmq)",
    (args) => {
      expect(importsOf(args).filter((l) => HEAVY.test(l))).toEqual([]);
    },
  );
});
