// `kairos --version` is answered by bin/kairos.js before the CLI loads (start-up budget 0.3 s): it must
// say exactly what the program itself says, and what package.json says
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/shells/cli/program.ts";
import { ROOT, runKairos } from "../support/cli.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

describe("kairos --version", () => {
  it("the fast path, the program and package.json agree", () => {
    expect(buildProgram().version()).toBe(pkg.version);
    for (const flag of ["--version", "-V"]) {
      const r = runKairos([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe("");
    }
  });

  it("with other arguments, the program answers (a home flag is still parsed)", () => {
    const r = runKairos(["--version", "--home", join(ROOT, "no-such-dir-for-version")]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
