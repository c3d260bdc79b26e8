// The golden harness fails on a missing file and records only when asked to (UPDATE_GOLDEN=1)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readGolden, readGoldenJson } from "./golden.ts";

describe("golden files", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-golden-"));
  const saved = process.env.UPDATE_GOLDEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.UPDATE_GOLDEN;
    else process.env.UPDATE_GOLDEN = saved;
  });

  it("fails when the golden file is missing, naming it and the command that records it, and writes nothing", () => {
    delete process.env.UPDATE_GOLDEN;
    const path = join(dir, "missing.json");
    expect(() => readGolden(path, "whatever the code gives today")).toThrow(
      /golden file .*missing\.json is missing; record it on purpose with UPDATE_GOLDEN=1/,
    );
    expect(existsSync(path)).toBe(false);
  });

  it("returns the recorded text, not the actual one, so a changed output fails the comparison", () => {
    delete process.env.UPDATE_GOLDEN;
    const path = join(dir, "recorded.txt");
    writeFileSync(path, "recorded");
    expect(readGolden(path, "changed")).toBe("recorded");
  });

  it("records with UPDATE_GOLDEN=1, JSON with two-space indentation and a final newline", () => {
    process.env.UPDATE_GOLDEN = "1";
    const path = join(dir, "new.json");
    expect(readGoldenJson(path, { a: [1, 2] })).toEqual({ a: [1, 2] });
    expect(readFileSync(path, "utf8")).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
