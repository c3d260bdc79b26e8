// The trading process of the SIGTERM test: a live session on the simulated exchange at API_BASE,
// keys from the environment, run until it ends (stopped, halted, or terminated by SIGTERM).
// usage: node --import tsx term-child.ts HOME API_BASE
import { startTrading } from "../../src/app/trade-start.ts";
import { createContainer } from "../../src/composition-root.ts";

const [home, apiBase] = process.argv.slice(2) as [string, string];
const c = createContainer({ home });
const d = c.trading();
// the exchange runs its clock 3,600x faster than real time: the gate measures price age in its time
const deps = { ...d, live: { ...d.live!, pollMs: 20, clock: "venue" as const } };
const r = await startTrading(
  deps,
  {
    id: "term1",
    strategy: "sma-cross",
    params: { fast: 2, slow: 4 },
    symbols: "BTC/USDT",
    timeframe: "1h",
    live: true,
    exchange: "binance",
    confirmLive: "binance",
    apiBase,
    size: 0.95,
  },
  (p) => process.stderr.write(`bar ${new Date(p.barTs).toISOString()} orders ${p.orders}\n`),
);
c.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
