// The trading process of the crash tests (R1): starts or resumes a paper session in a home and may
// kill itself with SIGKILL at a lifecycle point named by KAIROS_CRASH_AT=<point>:<n>.
// usage: tsx crash-child.ts HOME start|resume SESSION [FROM TO]
import { runSession, startTrading } from "../../src/app/trade-start.ts";
import { createContainer } from "../../src/composition-root.ts";
import { crashHookFromSpec } from "../../src/execution/crash-points.ts";

const [home, mode, id, from, to] = process.argv.slice(2) as [string, string, string, string?, string?];
const spec = process.env.KAIROS_CRASH_AT;
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
};
const c = createContainer({ home });
const deps = c.trading(spec === undefined || spec === "" ? undefined : crashHookFromSpec(spec, die));
const r =
  mode === "start"
    ? await startTrading(deps, {
        id,
        strategy: "sma-cross",
        params: { fast: 3, slow: 8 },
        symbols: "BTC/USDT,ETH/USDT",
        timeframe: "1h",
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        reconcileEvery: 25,
      })
    : await runSession(deps, id);
c.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
