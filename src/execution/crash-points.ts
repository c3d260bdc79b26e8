/**
 * Named points of the lifecycle where a test may kill the process (R1: kill -9 anywhere, then
 * restart and reconcile). The hook is injected; production code passes none. The shell builds it
 * from `KAIROS_CRASH_AT=<point>:<n>` (die at the n-th pass through that point, n from 1).
 */
import { invalidInput } from "../errors.ts";

export const CRASH_POINTS = [
  "after-intent",
  "before-send",
  "after-mark-sent",
  "after-submit",
  "after-ack",
  "after-unknown",
  "before-fill",
  "after-fill",
  "before-cancel",
  "after-cancel",
  "after-bar",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export type CrashHook = (point: CrashPoint) => void;

/** A hook that calls `die` at the n-th pass through `point`; `spec` is "<point>:<n>" */
export function crashHookFromSpec(spec: string, die: () => never): CrashHook {
  const [point, nText] = spec.split(":");
  const n = Number(nText);
  if (!CRASH_POINTS.includes(point as CrashPoint) || !Number.isInteger(n) || n < 1)
    throw invalidInput(
      `KAIROS_CRASH_AT "${spec}" must be <point>:<n> with point one of ${CRASH_POINTS.join(", ")}`,
    );
  let seen = 0;
  return (p) => {
    if (p === point && ++seen === n) die();
  };
}
