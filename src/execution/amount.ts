/**
 * Exact amounts for trading: a bigint of atoms at 18 decimals (10^-18 units). Venues report
 * quantities, prices and fees as decimal strings at their market's precision (8 decimals at most
 * on Binance), so a product of quantity and price (16 decimals at most) is exact here, and sums
 * never drift the way float64 sums of 0.1 do. Only an average price or a pro-rata cost basis
 * divides; those round toward zero, deterministically.
 */
import { invalidInput } from "../errors.ts";

export type Amount = bigint;

export const AMOUNT_DECIMALS = 18;
export const ONE: Amount = 10n ** 18n;
export const ZERO: Amount = 0n;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string ("0.001", "-12.5", "1e-8") or a finite number (through its shortest
 * round-trip form, so 0.1 is exactly one tenth) into atoms. More than 18 decimals is refused.
 */
export function amount(value: string | number | bigint): Amount {
  if (typeof value === "bigint") return value * ONE;
  let text = typeof value === "number" ? numberToPlain(value) : value.trim();
  if (/e/i.test(text)) text = numberToPlain(Number(text), text);
  const m = DECIMAL.exec(text);
  if (m === null) throw invalidInput(`amount "${value}" is not a decimal number; write it like 0.001`);
  const frac = m[3] ?? "";
  if (frac.replace(/0+$/, "").length > AMOUNT_DECIMALS)
    throw invalidInput(`amount "${value}" has more than ${AMOUNT_DECIMALS} decimals`);
  const atoms =
    BigInt(m[2]!) * ONE + BigInt(frac.padEnd(AMOUNT_DECIMALS, "0").slice(0, AMOUNT_DECIMALS) || "0");
  return m[1] === "-" ? -atoms : atoms;
}

function numberToPlain(n: number, original: string = String(n)): string {
  if (!Number.isFinite(n)) throw invalidInput(`amount "${original}" is not a finite number`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // 1e-7 and 1.5e+21: expand the exponent by moving the point in the digit string
  const [mant, expText] = s.toLowerCase().split("e") as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith("-");
  const [ip, fp = ""] = (neg ? mant.slice(1) : mant).split(".") as [string, string?];
  const digits = ip + fp;
  const point = ip.length + exp;
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? "-" : "") + body;
}

/** The exact decimal text of an amount, without trailing zeros ("0.1", "-3", "0.00000001") */
export function formatAmount(a: Amount): string {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const ip = abs / ONE;
  const fp = (abs % ONE).toString().padStart(AMOUNT_DECIMALS, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${ip}${fp === "" ? "" : `.${fp}`}`;
}

/** For display and float research arrays only; never feed the result back into accounting */
export const toNumber = (a: Amount): number => Number(formatAmount(a));

/** a * b, exact when the two together carry at most 18 decimals (quantity x price at venue precision) */
export const mul = (a: Amount, b: Amount): Amount => (a * b) / ONE;

/** a / b rounded toward zero at 18 decimals */
export function div(a: Amount, b: Amount): Amount {
  if (b === 0n) throw new RangeError("division of an amount by zero");
  return (a * ONE) / b;
}

/** a * num / den rounded toward zero: a pro-rata share without an intermediate rounding */
export function prorate(a: Amount, num: Amount, den: Amount): Amount {
  if (den === 0n) throw new RangeError("pro-rata share of a zero total");
  return (a * num) / den;
}

export const abs = (a: Amount): Amount => (a < 0n ? -a : a);
export const sign = (a: Amount): -1 | 0 | 1 => (a < 0n ? -1 : a > 0n ? 1 : 0);
export const minAmount = (a: Amount, b: Amount): Amount => (a < b ? a : b);

/** Rounds toward zero to a step (a lot size or price tick), e.g. floorToStep(1.234, 0.01) = 1.23 */
export function floorToStep(a: Amount, step: Amount): Amount {
  if (step <= 0n) return a;
  return (a / step) * step;
}
