export { BUNDLED_SIM_KEY, type BundledSimOptions, startBundledSimExchange } from "./bundled-sim.ts";
export { type Fault, Faults } from "./faults.ts";
export { type FundingRow, type ListedMarket, MarketData } from "./market-data.ts";
export {
  type LocalExchange,
  type LocalExchangeOptions,
  type SeenRequest,
  startLocalExchange,
} from "./server.ts";
