// Golden files: a test compares against the recorded file and FAILS when it is missing, so a deleted or
// never-committed golden cannot turn into a test that passes by recording whatever the code gives today.
// Recording is a separate, explicit act: UPDATE_GOLDEN=1 npx vitest run <test file>
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

/** True when the run was asked to (re)record golden files */
export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === "1";

/**
 * The recorded text of the golden file at `path`. With UPDATE_GOLDEN=1 it first writes `actual` there
 * (atomically); otherwise a missing file throws, naming the file and the command that records it.
 */
export function readGolden(path: string, actual: string): string {
  if (updatingGolden()) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, actual);
    renameSync(tmp, path);
  }
  if (!existsSync(path))
    throw new Error(
      `golden file ${relative(process.cwd(), path)} is missing; record it on purpose with ` +
        "UPDATE_GOLDEN=1 npx vitest run <this test file>, review it, and commit it",
    );
  return readFileSync(path, "utf8");
}

/** readGolden for a JSON value, written with two-space indentation and a final newline */
export function readGoldenJson<T>(path: string, actual: unknown): T {
  return JSON.parse(readGolden(path, `${JSON.stringify(actual, null, 2)}\n`)) as T;
}
