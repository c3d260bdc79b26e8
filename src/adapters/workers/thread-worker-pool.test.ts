import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { sweepResults } from "../../backtest/sweep/driver.ts";
import { expandGrid, parseParamAxis } from "../../backtest/sweep/grid.ts";
import { simConfigOf } from "../../backtest/sweep/sweep.ts";
import { defaultExecution } from "../../backtest/types.ts";
import { FAMILIES } from "../../strategies/registry.ts";
import { KERNELS } from "./kernels.ts";
import { ThreadWorkerPool } from "./thread-worker-pool.ts";

describe("ThreadWorkerPool", () => {
  it("runs the sweep kernel on 1 and 2 threads with results identical to the calling thread, in order", async () => {
    const s = loadBundledSeries("binance", "ETH/USDT", "1h");
    const sim = simConfigOf(defaultExecution({ slippage: { kind: "fixed", rate: 0.0005 } }), "1h");
    const grids = {
      "sma-cross": ["fast=5..30:1", "slow=20..100:20"],
      "rsi-reversion": ["period=7..21:7", "lower=25..35:5", "upper=65..75:10"],
    };
    for (const threads of [2, 1]) {
      const pool = await ThreadWorkerPool.create({ threads, kernels: KERNELS });
      try {
        for (const [name, axes] of Object.entries(grids)) {
          const fam = FAMILIES[name]!;
          const params = expandGrid(fam, axes.map(parseParamAxis));
          const local = await sweepResults(s, fam, params, sim);
          const seen: number[] = [];
          const par = await sweepResults(s, fam, params, sim, { pool, onProgress: (d) => seen.push(d) });
          expect(Array.from(par)).toEqual(Array.from(local));
          expect(seen.at(-1)).toBe(params.length);
        }
      } finally {
        await pool.close();
      }
    }
  });

  it("rejects a run with the kernel's error and stays usable", async () => {
    const pool = await ThreadWorkerPool.create({ threads: 2, kernels: KERNELS });
    try {
      await expect(
        pool.run("sweep.range", [{ from: 0, to: 1, step: 1 }], { shared: { family: "no-such-family" } }),
      ).rejects.toThrow(/unknown family no-such-family/);
      await expect(pool.run("nope", [1])).rejects.toThrow(/unknown worker kernel/);
      expect(await pool.run("sweep.range", [])).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
