import { invalidInput } from "../../../errors.ts";

/** A whole-number option value >= `min`, or an error naming the flag and the value */
export function wholeNumber(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw invalidInput(`${flag} "${v}": use a whole number >= ${min}`);
  return n;
}
