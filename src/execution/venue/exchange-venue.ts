/**
 * The simulated venue as an exchange's matching engine (the paper broker and the simulated
 * exchange): it decides when and at what price each order fills, with the backtest's rules. The
 * funds are the caller's books alone (they apply the backtest's spot caps to real balances), so
 * the venue runs without caps of its own: unbounded cash and short positions allowed (margin mode,
 * leverage 1, liquidation off), so that base assets the venue never saw bought (opening balances,
 * deposits) can still be sold.
 */
import type { Instrument } from "../../domain/instrument.ts";
import type { SlippageSpec, Venue } from "./types.ts";
import { createVenue } from "./venue.ts";

export interface ExchangeVenueOptions {
  /** per traded symbol: tick, lot and minimum notional */
  readonly instruments: Readonly<Record<string, Instrument>>;
  readonly fees: { readonly maker: number; readonly taker: number };
  /** default none: an exchange fills at the price the venue's model gives */
  readonly slippage?: SlippageSpec;
  /** at most this fraction of a bar's volume fills in that bar */
  readonly participationCap?: number;
  /** length of one bar, ms */
  readonly barMs: number;
}

// far above any balance, so the venue's own cash and margin caps never bind
const UNBOUNDED_CASH = 1e15;

export function createExchangeVenue(o: ExchangeVenueOptions): Venue {
  return createVenue({
    config: {
      initialCash: UNBOUNDED_CASH,
      market: "perp",
      fee: o.fees.taker,
      makerFee: o.fees.maker,
      slippage: o.slippage ?? { kind: "fixed", rate: 0 },
      leverage: 1,
      maintenanceMargin: 0.005,
      liquidationFee: 0.005,
      fundingRate: 0,
      fundingIntervalMs: 8 * 3_600_000,
      exits: {},
      cooldownBars: 0,
      ...(o.participationCap === undefined ? {} : { participationCap: o.participationCap }),
    },
    symbols: Object.keys(o.instruments),
    barMs: o.barMs,
    instruments: o.instruments,
    models: { margin: { liquidationFee: 0, liquidationPrice: () => Number.NaN } },
  });
}
