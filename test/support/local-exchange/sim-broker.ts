// CcxtBroker (ccxt's real binance class) pointed at a simulated exchange started by
// startBundledSimExchange: the bundled test key, a short timeout, and no ccxt-side throttle (the
// sim and the broker's own weight gate are what is tested). Kept apart from bundled-sim.ts so tests
// that do not trade do not load ccxt.

import { CcxtBroker, type CcxtBrokerOptions } from "../../../src/adapters/ccxt/ccxt-broker.ts";
import type { SimExchange } from "../../../src/adapters/sim-exchange/server.ts";
import { BUNDLED_SIM_KEY } from "./bundled-sim.ts";

export function bundledSimBroker(
  sim: Pick<SimExchange, "url">,
  extra: Partial<CcxtBrokerOptions> = {},
): CcxtBroker {
  return new CcxtBroker("binance", {
    apiKey: BUNDLED_SIM_KEY.key,
    secret: BUNDLED_SIM_KEY.secret,
    apiBase: sim.url,
    timeoutMs: 2000,
    rateLimitMs: 1,
    ...extra,
  });
}
