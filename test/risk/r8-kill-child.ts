// The process that pulls the kill switch in R8's kill -9 case: opens the home as kairos does
// (audited order store), reaches the simulated exchange through ccxt's binance class, and runs the
// kill; the test SIGKILLs it halfway through the cancels. `per-order`: one cancel request per order
// (150 requests, not 3 bulk ones), so the SIGKILL can land between them; the cancels after the
// first HOLD_AFTER are held (never sent) until the SIGKILL, so the process cannot finish its kill
// before the test sees it halfway: a test process starved for the cancels' few hundred ms found
// the child already exited, and no SIGKILL to test.
// usage: tsx r8-kill-child.ts HOME EXCHANGE_URL [per-order]
import { killAll } from "../../src/app/kill.ts";
import { createContainer } from "../../src/composition-root.ts";
import type { Broker } from "../../src/ports/broker.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const HOLD_AFTER = 75;
const [home, url, mode] = process.argv.slice(2) as [string, string, string | undefined];
const c = createContainer({ home });
const t = c.trading();
// ccxt's timeout as the product sets it, as the test's own broker (r8-kill-sim.ts)
const ccxt = bundledSimBroker({ url }, { timeoutMs: 10_000 });
let cancels = 0;
let holding = false;
/** a held cancel: nothing else may keep the process up, so a timer does (and ends an orphan after 10 min) */
const hold = (): Promise<never> => {
  if (!holding) setTimeout(() => process.exit(3), 600_000);
  holding = true;
  return new Promise<never>(() => {});
};
const broker: Broker =
  mode === "per-order"
    ? new Proxy(ccxt, {
        get(target, prop) {
          if (prop === "cancel")
            return (symbol: string, id: string) =>
              ++cancels > HOLD_AFTER ? hold() : target.cancel(symbol, id);
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === "function" ? v.bind(target) : v;
        },
      })
    : ccxt;
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
await ccxt.close();
c.close();
