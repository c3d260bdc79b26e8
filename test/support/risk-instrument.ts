import { defineInstrument } from "../../src/domain/instrument.ts";

/** BTC/USDT with Binance-like filters (tick 0.01, lot 0.001, min notional 10): the risk tests' and bench's market */
export const BTC_USDT = defineInstrument({
  symbol: "BTC/USDT",
  tickSize: 0.01,
  lotSize: 0.001,
  minQty: 0.001,
  minNotional: 10,
});
