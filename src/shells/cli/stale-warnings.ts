import { staleSeries, staleWarnings, watchReads } from "../../app/staleness.ts";
import type { Container } from "../../composition-root.ts";
import type { CandleStore } from "../../ports/candle-store.ts";
import { printInfo } from "./context.ts";

/**
 * The container with its candle store watched, and `report()` to print, on stderr, a warning for each
 * series the command read whose newest bar is older than two bars of its timeframe
 */
export function watchStaleness(c: Container): { container: Container; report: () => void } {
  let watched: ReturnType<typeof watchReads> | undefined;
  // the store stays lazy: a command that never reads candles never opens the database for this
  const container = Object.create(c, {
    store: {
      get(): CandleStore {
        watched ??= watchReads(c.store);
        return watched.store;
      },
    },
  }) as Container;
  const report = (): void => {
    if (watched === undefined) return;
    for (const w of staleWarnings(staleSeries(c.store, watched.keys(), c.clock.now())))
      printInfo(`warning: ${w}`);
  };
  return { container, report };
}
