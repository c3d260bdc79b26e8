import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { sweepCReference } from "../../../test/support/sweep-c-reference.ts";
import { smaCross } from "../../strategies/sma-cross/strategy.ts";
import { defaultExecution } from "../types.ts";
import { extendByReturns } from "./extend-series.ts";
import { expandGrid, parseParamAxis } from "./grid.ts";
import { prepareSweep, RESULT_STRIDE, runSweepRange, simConfigOf } from "./sweep.ts";

const dir = mkdtempSync(join(tmpdir(), "kairos-sweep-c-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// the independent reference: bench/ref/sweep.c, a plain per-bar C loop over the canonical grid; it never
// skips: without gcc it fails, naming the package (.ci/run installs it)
describe("sma-cross sweep vs the C reference (bench/ref/sweep.c)", () => {
  it.each([
    { fee: 0.001, slippage: 0, bars: 43_000 },
    { fee: 0.002, slippage: 0.001, bars: 60_000 },
  ])(
    "matches every one of the 815 combinations to 1e-9 (fee $fee, slippage $slippage, $bars bars)",
    ({ fee, slippage, bars }) => {
      const s = extendByReturns(loadBundledSeries("binance", "BTC/USDT", "1h"), bars);
      const { report, results: c } = sweepCReference(dir, s, "-O2").run(2, fee, slippage);
      expect(report.combos).toBe(815);

      const params = expandGrid(smaCross, [
        parseParamAxis("fast=5..50:1"),
        parseParamAxis("slow=10..200:10"),
      ]);
      expect(params.length).toBe(815);
      const sim = simConfigOf(defaultExecution({ fee, slippage: { kind: "fixed", rate: slippage } }), "1h");
      const ctx = prepareSweep(s, smaCross, params, sim);
      const ours = new Float64Array(params.length * RESULT_STRIDE);
      runSweepRange(ctx, 0, params.length, ours);
      let worst = 0;
      for (let j = 0; j < params.length; j++)
        for (let k = 0; k < 3; k++)
          worst = Math.max(worst, Math.abs(ours[j * RESULT_STRIDE + k]! - c[j * 3 + k]!));
      expect(worst).toBeLessThanOrEqual(1e-9);
      // the grid is not degenerate: returns differ across combinations
      expect(new Set(Array.from({ length: 815 }, (_, j) => c[j * 3]!.toFixed(6))).size).toBeGreaterThan(700);
    },
  );
});
