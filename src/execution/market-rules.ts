import { defineInstrument, type Instrument } from "../domain/instrument.ts";
import type { MarketRules } from "../ports/broker.ts";
import { amount, formatAmount, toNumber } from "./amount.ts";

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

/**
 * The instrument the paper venue matches a market's orders with (tick, lot, minimums from its
 * rules, spot arithmetic): the paper broker's matching and `trade drift`'s replay of a session use
 * this one, so both size and round an order the same way
 */
export function paperInstrumentOf(r: MarketRules): Instrument {
  return defineInstrument({
    symbol: r.symbol,
    tickSize: toNumber(amount(r.tickSize)),
    lotSize: toNumber(amount(r.stepSize)),
    minQty: toNumber(amount(r.minQuantity)),
    minNotional: toNumber(amount(r.minNotional)),
  });
}
