// The simulated exchange of R8 and the kill bench in a process of its own, as a real exchange is
// elsewhere: the kill's figures are then kairos's side plus the wire, not the exchange's CPU.
// Three bundled markets, the books at GET /sim/ledger; prints its URL, then serves until killed.
// usage: tsx r8-sim-child.ts SYMBOL[,SYMBOL...]
import type { Timeframe } from "../../src/domain/timeframe.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";

const symbols = (process.argv[2] ?? "BTC/USDT").split(",");
const sim = await startBundledSimExchange({
  markets: symbols.map((symbol) => ({ symbol, timeframe: "1h" as Timeframe })),
  balances: { USDT: "100000000" },
  ledgerRoute: true,
  // the weight limit has its own test (R5); 150 cancels use 150 of Binance's 6,000 a minute
  weightLimit: 1e9,
  // likewise the unfilled-order limit (R5 orders): 150 orders placed at once
  orderLimits: [{ limit: 1e9, windowMs: 10_000 }],
});
process.stdout.write(`${sim.url}\n`);
process.on("SIGTERM", () => {
  void sim.close().then(() => process.exit(0));
});
