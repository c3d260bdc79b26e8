// End to end on pure noise: screen random walks, build the ensemble from the run, and check the
// record is reported as no better than buy-and-hold (there is nothing to find)
import { describe, expect, it } from "vitest";
import { buildEnsembleFromRun } from "../../src/app/build-ensemble.ts";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { createRng } from "../../src/domain/random.ts";
import { runScreen } from "../../src/research/screen.ts";
import { defaultValidationConfig } from "../../src/research/validation-config.ts";

function walk(seed: number, symbol: string, n: number): CandleSeries {
  const rng = createRng(seed);
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    open[t] = p;
    p *= Math.exp(0.03 * rng.normal());
    close[t] = p;
    high[t] = Math.max(open[t]!, p) * (1 + 0.005 * rng.next());
    low[t] = Math.min(open[t]!, p) * (1 - 0.005 * rng.next());
  }
  return {
    exchange: "sim",
    symbol,
    timeframe: "1d",
    ts: Float64Array.from({ length: n }, (_, t) => Date.UTC(2019, 0, 1) + t * 86_400_000),
    open,
    high,
    low,
    close,
    volume: new Float64Array(n).fill(1000),
  };
}

describe("the strategist on random walks", () => {
  it("reports the ensemble as no better than buy-and-hold", async () => {
    for (const seed of [1, 2, 3]) {
      const series = [walk(seed * 10 + 1, "AAA/USDT", 1500), walk(seed * 10 + 2, "BBB/USDT", 1500)];
      const run = await runScreen({
        series,
        variants: 60,
        seed,
        search: "auto",
        config: defaultValidationConfig(),
      });
      const built = buildEnsembleFromRun({ run, series });
      expect(built.ensemble.versusBuyAndHold.better, built.ensemble.versusBuyAndHold.reason).toBe(false);
      expect(built.ensemble.recordStart).toBeGreaterThanOrEqual(run.clock.oosStart);
      expect(built.explanations).toHaveLength(2);
      for (const a of built.alternatives) expect(a.better).toBe(false);
    }
  });
});
