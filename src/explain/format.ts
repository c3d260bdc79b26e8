/** Rounds to a number of decimals, giving -0 back as 0 */
export function round(x: number, decimals: number): number {
  const k = 10 ** decimals;
  const r = Math.round(x * k) / k;
  return r === 0 ? 0 : r;
}

/** Rounds a price to 6 significant digits, the precision explanations quote */
export function roundPrice(x: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  const digits = Math.max(0, 5 - Math.floor(Math.log10(Math.abs(x))));
  return round(x, Math.min(digits, 12));
}

/** "YYYY-MM-DD HH:MM UTC" for an epoch-ms bar open time */
export function barTimeOf(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A number as the paragraph prints it: exactly its stored value, never in exponent notation */
export function num(x: number): string {
  const s = String(x);
  return s.includes("e") ? x.toFixed(12).replace(/0+$/, "") : s;
}
