import type { MarketRules } from "../ports/broker.ts";
import { formatAmount } from "./amount.ts";

/**
 * Binance-like rules for a market when no exchange metadata is at hand (paper trading on stored
 * candles): the tick a millionth of the price's order of magnitude (0.01 at 10,000-99,999), the
 * step worth one to ten quote units (0.00001 BTC above 100,000), minimum notional 5 quote units
 */
export function defaultRules(symbol: string, price: number): MarketRules {
  const [pair = "", settle] = symbol.split(":");
  const [base = "", quote = ""] = pair.split("/");
  const mag = Math.floor(Math.log10(price));
  const tickExp = Math.min(8, Math.max(2, 6 - mag));
  const stepExp = Math.min(8, Math.max(0, mag));
  return {
    symbol,
    base,
    quote: settle ?? quote,
    marketType: settle === undefined ? "spot" : "perp",
    tickSize: formatAmount(10n ** BigInt(18 - tickExp)),
    stepSize: formatAmount(10n ** BigInt(18 - stepExp)),
    minQuantity: formatAmount(10n ** BigInt(18 - stepExp)),
    minNotional: "5",
  };
}
