/**
 * What can be traded on one venue and the venue's rules for it: market type, the price and
 * amount steps (tick, lot), decimals and the minimum notional. Built from ccxt market metadata or
 * a simulated exchange's `exchangeInfo`; research runs use `anyInstrument` (no steps, no minimum).
 */
import { invalidInput } from "../errors.ts";

export type MarketType = "spot" | "perp";

export interface Instrument {
  /** unified symbol, "BTC/USDT" */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly market: MarketType;
  /** smallest price step (PRICE_FILTER tickSize); 0 = any price */
  readonly tickSize: number;
  /** smallest quantity step (LOT_SIZE stepSize); 0 = any quantity */
  readonly lotSize: number;
  /** smallest order quantity (LOT_SIZE minQty); 0 = none */
  readonly minQty: number;
  /** smallest order value in quote (MIN_NOTIONAL / NOTIONAL); 0 = none */
  readonly minNotional: number;
  /** decimals of a price and of an amount as the venue writes them */
  readonly pricePrecision: number;
  readonly amountPrecision: number;
  /** 1 on spot */
  readonly maxLeverage: number;
}

export interface InstrumentSpec {
  symbol: string;
  market?: MarketType;
  tickSize?: number;
  lotSize?: number;
  minQty?: number;
  minNotional?: number;
  pricePrecision?: number;
  amountPrecision?: number;
  maxLeverage?: number;
}

/** Largest number of decimals a float64 price or amount is kept at (ccxt's and Binance's is 8) */
export const MAX_DECIMALS = 12;

/** Decimals of a step written in decimal (0.001 -> 3, 0.5 -> 1, 1 -> 0); 0 means no step */
export function decimalsOf(step: number): number {
  if (!(step > 0)) return MAX_DECIMALS;
  for (let d = 0; d <= MAX_DECIMALS; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return MAX_DECIMALS;
}

/**
 * Checks and completes a spec: BASE/QUOTE symbol, non-negative finite steps, decimals in
 * [0, MAX_DECIMALS] (derived from the steps when not given), leverage >= 1 and exactly 1 on spot.
 */
export function defineInstrument(spec: InstrumentSpec): Instrument {
  const parts = spec.symbol.split("/");
  const base = parts[0] ?? "";
  const quote = (parts[1] ?? "").split(":")[0] ?? "";
  if (parts.length !== 2 || base === "" || quote === "")
    throw invalidInput(`instrument "${spec.symbol}": write the symbol as BASE/QUOTE, e.g. BTC/USDT`);
  const market = spec.market ?? "spot";
  const step = (name: string, v: number | undefined): number => {
    const x = v ?? 0;
    if (!Number.isFinite(x) || x < 0)
      throw invalidInput(`instrument ${spec.symbol}: ${name} must be a finite number >= 0, got ${v}`);
    return x;
  };
  const tickSize = step("tickSize", spec.tickSize);
  const lotSize = step("lotSize", spec.lotSize);
  const minQty = step("minQty", spec.minQty);
  const minNotional = step("minNotional", spec.minNotional);
  const decimals = (name: string, v: number | undefined, fromStep: number): number => {
    const d = v ?? decimalsOf(fromStep);
    if (!Number.isInteger(d) || d < 0 || d > MAX_DECIMALS)
      throw invalidInput(
        `instrument ${spec.symbol}: ${name} must be an integer in [0, ${MAX_DECIMALS}], got ${v}`,
      );
    return d;
  };
  const maxLeverage = spec.maxLeverage ?? 1;
  if (!(maxLeverage >= 1) || !Number.isFinite(maxLeverage) || (market === "spot" && maxLeverage !== 1))
    throw invalidInput(
      `instrument ${spec.symbol}: maxLeverage must be >= 1 (exactly 1 on spot), got ${spec.maxLeverage}`,
    );
  return {
    symbol: spec.symbol,
    base,
    quote,
    market,
    tickSize,
    lotSize,
    minQty,
    minNotional,
    pricePrecision: decimals("pricePrecision", spec.pricePrecision, tickSize),
    amountPrecision: decimals("amountPrecision", spec.amountPrecision, lotSize),
    maxLeverage,
  };
}

/** An instrument without steps or minimums: what research and the backtest assume by default */
export const anyInstrument = (symbol: string, market: MarketType = "spot", maxLeverage = 1): Instrument =>
  defineInstrument({ symbol, market, maxLeverage });

// a float that is a step multiple up to noise snaps to it instead of losing a whole step
const SNAP = 1e-9;

/** Quantity floored to the lot (never rounds an order up); unchanged without a lot */
export function floorToLot(instrument: Instrument, qty: number): number {
  const lot = instrument.lotSize;
  return lot > 0 ? Math.floor(qty / lot + SNAP) * lot : qty;
}

/** Price rounded to the tick against the trader: buys up, sells down; unchanged without a tick */
export function roundPrice(instrument: Instrument, price: number, side: "buy" | "sell"): number {
  const tick = instrument.tickSize;
  if (!(tick > 0)) return price;
  const steps = price / tick;
  const near = Math.round(steps);
  if (Math.abs(steps - near) < SNAP) return near * tick;
  return (side === "buy" ? Math.ceil(steps) : Math.floor(steps)) * tick;
}

/** The venue filter an order breaks, as Binance names them (it answers -1013 "Filter failure") */
export type FilterFailure =
  | { filter: "LOT_SIZE"; message: string }
  | { filter: "PRICE_FILTER"; message: string }
  | { filter: "MIN_NOTIONAL"; message: string };

const onStep = (x: number, step: number): boolean => {
  if (!(step > 0)) return true;
  const s = x / step;
  return Math.abs(s - Math.round(s)) < SNAP * Math.max(1, Math.abs(s));
};

/**
 * Whether an order of `qty` at `price` passes the instrument's filters; undefined when it does.
 * `price` is the limit price, or the reference price for a market order (notional check only).
 */
export function filterFailure(
  instrument: Instrument,
  qty: number,
  price: number,
  checkPriceStep = true,
): FilterFailure | undefined {
  const { symbol } = instrument;
  if (!(qty > 0) || !Number.isFinite(qty))
    return { filter: "LOT_SIZE", message: `${symbol}: quantity must be > 0, got ${qty}` };
  if (qty < instrument.minQty)
    return {
      filter: "LOT_SIZE",
      message: `${symbol}: quantity ${qty} is below the minimum ${instrument.minQty}`,
    };
  if (!onStep(qty, instrument.lotSize))
    return {
      filter: "LOT_SIZE",
      message: `${symbol}: quantity ${qty} is not a multiple of the lot ${instrument.lotSize}`,
    };
  if (!(price > 0) || !Number.isFinite(price))
    return { filter: "PRICE_FILTER", message: `${symbol}: price must be > 0, got ${price}` };
  if (checkPriceStep && !onStep(price, instrument.tickSize))
    return {
      filter: "PRICE_FILTER",
      message: `${symbol}: price ${price} is not a multiple of the tick ${instrument.tickSize}`,
    };
  if (qty * price < instrument.minNotional)
    return {
      filter: "MIN_NOTIONAL",
      message: `${symbol}: order value ${qty * price} is below the minimum notional ${instrument.minNotional}`,
    };
  return undefined;
}
