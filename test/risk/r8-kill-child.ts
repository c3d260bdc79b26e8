// The process that pulls the kill switch in R8's kill -9 case: opens the home as kairos does
// (audited order store), reaches the simulated exchange through ccxt's binance class, and runs the
// kill; the test SIGKILLs it halfway through the cancels. `per-order`: one cancel request per order
// (150 requests, not 3 bulk ones), so the SIGKILL can land between them.
// usage: tsx r8-kill-child.ts HOME EXCHANGE_URL [per-order]
import { killAll } from "../../src/app/kill.ts";
import { createContainer } from "../../src/composition-root.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const [home, url, mode] = process.argv.slice(2) as [string, string, string | undefined];
const c = createContainer({ home });
const t = c.trading();
const broker = bundledSimBroker({ url });
const r = await killAll(
  {
    home,
    orders: t.orders,
    clock: t.clock,
    sleep: t.sleep,
    ...(t.audit === undefined ? {} : { audit: t.audit }),
    venueFor: () => broker,
    bulkCancel: mode !== "per-order",
  },
  { by: "r8 child" },
);
process.stdout.write(`${JSON.stringify(r)}\n`);
await broker.close();
c.close();
