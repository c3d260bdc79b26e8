// The import rule (.dependency-cruiser.cjs, run by `npm test` as `npm run lint:imports`) must be able
// to fail: on a copy of src/ and web/src/ it passes, and each wrong import planted by hand makes it fail naming
// the rule and the planted file. Type-only imports count (they once slipped through the cycle rule).
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let tree = "";

/** `npm run lint:imports` in the copy: exit status and everything it printed */
function lintImports(): { status: number | null; out: string } {
  const r = spawnSync("npm", ["run", "--silent", "lint:imports"], {
    cwd: tree,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs the rule with `file` planted in the copy, then takes it out again */
function withPlanted(file: string, text: string): { status: number | null; out: string } {
  const path = join(tree, file);
  writeFileSync(path, text);
  try {
    return lintImports();
  } finally {
    unlinkSync(path);
  }
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), "kairos-import-rule-"));
  cpSync(join(ROOT, "src"), join(tree, "src"), { recursive: true });
  // the rule covers the dashboard's sources too (web/src may import only src/domain)
  cpSync(join(ROOT, "web", "src"), join(tree, "web", "src"), { recursive: true });
  for (const f of [".dependency-cruiser.cjs", "tsconfig.json", "package.json"])
    copyFileSync(join(ROOT, f), join(tree, f));
  symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"), "dir");
});

afterAll(() => {
  if (tree !== "") rmSync(tree, { recursive: true, force: true });
});

describe("import rule (npm run lint:imports)", () => {
  it("passes on an untouched copy of src/ (the control: a failure below is the planted file's)", () => {
    const r = lintImports();
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  });

  it("fails on a planted folder cycle: indicators importing strategies, which import indicators", () => {
    const r = withPlanted(
      "src/indicators/planted-cycle.ts",
      'import { FAMILIES } from "../strategies/registry.ts";\nexport const planted = Object.keys(FAMILIES).length;\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error no-folder-cycles: src\/indicators/);
  });

  it("fails on a planted type-only wrong-way import: strategies naming a backtest type", () => {
    const r = withPlanted(
      "src/strategies/planted-type.ts",
      'import type { BacktestResult } from "../backtest/types.ts";\nexport type Planted = BacktestResult;\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error no-folder-cycles: src\/strategies/);
  });

  it("fails on a planted type-only wrong-way import: forecasting naming a research type", () => {
    const r = withPlanted(
      "src/forecasting/planted-type.ts",
      'import type { EvaluationResult } from "../research/evaluation/evaluate.ts";\nexport type Planted = EvaluationResult;\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error no-folder-cycles: src\/forecasting/);
  });

  it("fails on a planted type-only import into domain from a layer above it", () => {
    const r = withPlanted(
      "src/domain/planted-type.ts",
      'import type { BacktestResult } from "../backtest/types.ts";\nexport type Planted = BacktestResult;\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error domain-imports-nothing: src\/domain\/planted-type\.ts/);
  });

  it("fails on a planted dashboard import of anything in src/ beyond the domain", () => {
    const r = withPlanted(
      "web/src/planted-app.ts",
      'import { askKairos } from "../../src/app/ask.ts";\nexport const planted = typeof askKairos;\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/error web-imports-only-domain: web\/src\/planted-app\.ts/);
  });
});
