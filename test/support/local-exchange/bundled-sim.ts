// The product's simulated exchange (src/adapters/sim-exchange) over the bundled files: what trading
// tests start. The public-data local exchange beside it stays for download tests (it also serves
// USD-M futures and funding, which the simulated exchange does not)

import {
  type SimExchange,
  type SimExchangeOptions,
  startSimExchange,
} from "../../../src/adapters/sim-exchange/server.ts";
import type { Timeframe } from "../../../src/domain/timeframe.ts";
import { loadBundledSeries } from "../bundled-data.ts";

export interface BundledSimOptions extends Partial<Omit<SimExchangeOptions, "series">> {
  /** bundled Binance series to replay, default BTC/USDT 1h */
  markets?: readonly { symbol: string; timeframe: Timeframe }[];
}

/** Test credentials of the bundled simulated exchange (never real ones) */
export const BUNDLED_SIM_KEY = { key: "kairos-test-key", secret: "kairos-test-secret" } as const;

/** Starts the simulated exchange on the bundled data, with a manual clock unless told otherwise */
export function startBundledSimExchange(opts: BundledSimOptions = {}): Promise<SimExchange> {
  const { markets = [{ symbol: "BTC/USDT", timeframe: "1h" as Timeframe }], ...rest } = opts;
  return startSimExchange({
    apiKey: { ...BUNDLED_SIM_KEY },
    clock: { kind: "manual" },
    ...rest,
    series: markets.map((m) => loadBundledSeries("binance", m.symbol, m.timeframe)),
  });
}
