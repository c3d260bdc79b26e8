// bin/kairos.js runs the build in dist/ only when it is at least as new as every source file the build
// reads, so a CLI test or a user after `git pull` never runs stale code. Checked on a copy of bin/ with
// a one-line "CLI" in dist/ and in src/ that says which one ran.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "kairos-bin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (which: string): string =>
  `export async function runCli(argv) { process.stdout.write("${which} " + argv.join(" ")); return 0; }\n`;
const file = (rel: string, text: string, mtimeSec: number): void => {
  const p = join(dir, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  utimesSync(p, mtimeSec, mtimeSec);
};
const T = 1_700_000_000;

function run(env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(dir, "bin/kairos.js"), "data", "list"], {
    encoding: "utf8",
    env: { ...process.env, KAIROS_FROM_SOURCE: "", ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("bin/kairos.js: the build or the sources", () => {
  beforeEach(() => {
    rmSync(join(dir, "src"), { recursive: true, force: true });
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    mkdirSync(join(dir, "bin"), { recursive: true });
    copyFileSync(join(ROOT, "bin/kairos.js"), join(dir, "bin/kairos.js"));
    rmSync(join(dir, "node_modules"), { force: true });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    file("src/shells/cli/main.ts", cli("source"), T);
    file("src/domain/x.ts", "export const x = 1;\n", T);
    file("dist/shells/cli/main.js", cli("dist"), T + 10);
  });

  it("runs dist/ when it is newer than every source file", () => {
    expect(run()).toBe("dist data list");
  });

  it("runs the sources when one source file changed after the build", () => {
    file("src/domain/x.ts", "export const x = 2;\n", T + 20);
    expect(run()).toBe("source data list");
  });

  it("ignores test files, which the build does not read", () => {
    file("src/domain/x.test.ts", "// a test\n", T + 20);
    expect(run()).toBe("dist data list");
  });

  it("runs the sources when there is no build", () => {
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    expect(run()).toBe("source data list");
  });

  it("follows KAIROS_FROM_SOURCE: 1 forces the sources, 0 the build", () => {
    expect(run({ KAIROS_FROM_SOURCE: "1" })).toBe("source data list");
    file("src/domain/x.ts", "export const x = 2;\n", T + 20);
    expect(run({ KAIROS_FROM_SOURCE: "0" })).toBe("dist data list");
  });
});
