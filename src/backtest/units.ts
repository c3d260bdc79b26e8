import { invalidInput } from "../errors.ts";

/**
 * A rate written on the command line: a fraction (0.001), a percentage (0.1%) or basis points (5bps).
 * Rejects negative and non-numeric values with the flag's name in the message.
 */
export function parseFraction(value: string | number, flag: string, max = 1): number {
  if (typeof value === "number") return check(value, String(value), flag, max);
  const v = value.trim().toLowerCase();
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(%|bps|bp)?$/.exec(v);
  if (m === null)
    throw invalidInput(
      `${flag} "${value}": write a fraction (0.001), a percentage (0.1%) or basis points (10bps)`,
    );
  const x = Number(m[1]);
  const unit = m[2];
  return check(unit === "%" ? x / 100 : unit === "bps" || unit === "bp" ? x / 10_000 : x, value, flag, max);
}

function check(x: number, raw: string, flag: string, max: number): number {
  if (!Number.isFinite(x) || x < 0 || x > max)
    throw invalidInput(
      `${flag} "${raw}" must be between 0 and ${max} as a fraction (e.g. 0.001 = 0.1% = 10bps)`,
    );
  return x;
}
