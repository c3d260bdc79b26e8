// The simulated exchange's matching is the one simulated venue (src/execution/venue), so an order
// fills on the exchange exactly where and how it fills in the backtest. One venue per market. The
// venue decides when and at what price; the funds are the ledger's alone (it applies the backtest's
// spot caps to the real balances), so the venue runs without caps of its own: an unbounded cash
// balance, and short positions allowed (margin mode, leverage 1, liquidation off) so that base
// assets the venue never saw bought (opening balances, deposits) can still be sold
import { defineInstrument } from "../../domain/instrument.ts";
import { timeframeMs } from "../../domain/timeframe.ts";
import type { SlippageSpec } from "../../execution/venue/types.ts";
import { createVenue } from "../../execution/venue/venue.ts";
import type { SimMarket } from "./markets.ts";
import type { BarOutcome, Matcher, MatchFill } from "./matcher.ts";
import { toNumber } from "./units.ts";

export interface VenueMatcherOptions {
  readonly fees: { maker: number; taker: number };
  /** default none: an exchange fills at the price the venue's model gives */
  readonly slippage?: SlippageSpec;
  /** at most this fraction of a bar's volume fills in that bar */
  readonly participationCap?: number;
}

// far above any balance, so the venue's own cash and margin caps never bind
const UNBOUNDED_CASH = 1e15;

/** A Matcher driven by the simulated venue over the market's finest series */
export function venueMatcher(m: SimMarket, o: VenueMatcherOptions): Matcher {
  const s = m.series[0]!;
  const venue = createVenue({
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
    symbols: [m.symbol],
    barMs: timeframeMs(s.timeframe),
    instruments: {
      [m.symbol]: defineInstrument({
        symbol: m.symbol,
        tickSize: toNumber(m.tickSize),
        lotSize: toNumber(m.stepSize),
        minQty: toNumber(m.minQty),
        minNotional: toNumber(m.minNotional),
      }),
    },
    models: { margin: { liquidationFee: 0, liquidationPrice: () => Number.NaN } },
  });
  return {
    submit(order) {
      venue.submit({
        clientOrderId: String(order.id),
        symbol: m.symbol,
        side: order.side,
        type: order.type,
        qty: order.qty,
        timeInForce: order.timeInForce,
        ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice }),
      });
    },
    cancel(id) {
      venue.cancel(String(id), "cancelled by the client");
    },
    closeBar(index): BarOutcome {
      const events = venue.onBar(index, {
        [m.symbol]: {
          ts: s.ts[index]!,
          open: s.open[index]!,
          high: s.high[index]!,
          low: s.low[index]!,
          close: s.close[index]!,
          volume: s.volume[index]!,
        },
      });
      const fills: MatchFill[] = [];
      const expired: number[] = [];
      for (const e of events) {
        if (e.type === "fill" && e.clientOrderId !== undefined)
          fills.push({
            id: Number(e.clientOrderId),
            qty: e.fill.qty,
            price: e.fill.price,
            maker: e.fill.liquidity === "maker",
          });
        else if (e.type === "order" && e.status !== "acknowledged" && e.status !== "partially_filled")
          expired.push(Number(e.clientOrderId));
      }
      return { fills, expired };
    },
  };
}
