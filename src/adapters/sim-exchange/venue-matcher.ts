// The simulated exchange's matching is the one simulated venue (src/execution/venue), so an order
// fills on the exchange exactly where and how it fills in the backtest. One venue per market
// (createExchangeVenue: the venue decides when and at what price; the funds are the ledger's alone)
import { defineInstrument } from "../../domain/instrument.ts";
import { timeframeMs } from "../../domain/timeframe.ts";
import { createExchangeVenue } from "../../execution/venue/exchange-venue.ts";
import type { SlippageSpec } from "../../execution/venue/types.ts";
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

/** A Matcher driven by the simulated venue over the market's finest series */
export function venueMatcher(m: SimMarket, o: VenueMatcherOptions): Matcher {
  const s = m.series[0]!;
  const venue = createExchangeVenue({
    fees: o.fees,
    ...(o.slippage === undefined ? {} : { slippage: o.slippage }),
    ...(o.participationCap === undefined ? {} : { participationCap: o.participationCap }),
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
