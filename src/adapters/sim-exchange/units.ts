// Exact amounts: every balance, price and quantity the simulated exchange keeps is an integer count
// of 1e-8 (Binance's 8-decimal precision), so the ledger sums without float drift

/** 1e-8 units per whole unit */
export const SCALE = 100_000_000n;

/** Parses a decimal string ("0.00123", "5", "1e-3" is refused) into 1e-8 units; undefined when malformed or finer than 8 decimals */
export function parseUnits(s: string): bigint | undefined {
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(s.trim());
  if (m === null) return undefined;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > 8) return undefined;
  const v = BigInt(m[2]!) * SCALE + BigInt(frac.padEnd(8, "0") || "0");
  return m[1] === "-" ? -v : v;
}

/** 1e-8 units as Binance writes them: always 8 decimals ("0.00123000") */
export function formatUnits(u: bigint): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  const whole = a / SCALE;
  const frac = (a % SCALE).toString().padStart(8, "0");
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

/** A float (a replayed candle price) rounded to the nearest 1e-8 unit */
export const unitsOf = (x: number): bigint => BigInt(Math.round(x * 1e8));

/** Units back to a float, for the venue's float arithmetic */
export const toNumber = (u: bigint): number => Number(u) / 1e8;

/** price x quantity in units, rounded half up (both inputs in units) */
export const mulUnits = (price: bigint, qty: bigint): bigint => (price * qty + SCALE / 2n) / SCALE;

/** rounds down to a multiple of step */
export const floorTo = (u: bigint, step: bigint): bigint => (step > 0n ? (u / step) * step : u);

/** min and max for bigints (Math.min/max take numbers only) */
export const minUnits = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxUnits = (a: bigint, b: bigint): bigint => (a > b ? a : b);
