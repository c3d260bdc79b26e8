import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { sliceSeries } from "../../domain/candle-series.ts";
import { FAMILIES } from "../../strategies/registry.ts";
import { defaultExecution } from "../types.ts";
import { TILE } from "./engine.ts";
import { expandGrid, parseParamAxis } from "./grid.ts";
import { prepareSweep, RESULT_STRIDE, runSweepRange, simConfigOf } from "./sweep.ts";
import { allocCrossWave, computeWaveEntries, runCrossWave, waveChunk, waveProgress } from "./wave.ts";

const shared = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));

describe("cross wave (the threaded sweep's schedule)", () => {
  const s = sliceSeries(loadBundledSeries("binance", "ETH/USDT", "1h"), 0, 4 * TILE + 77);
  const family = FAMILIES["sma-cross"]!;
  const params = expandGrid(family, ["fast=3..20:1", "slow=10..60:10"].map(parseParamAxis));
  const sim = simConfigOf(defaultExecution({ fee: 0.001 }), "1h");
  const ctx = prepareSweep(s, family, params, sim);
  const m = params.length;
  const whole = new Float64Array(m * RESULT_STRIDE);
  runSweepRange(ctx, 0, m, whole);

  it("gives the tiled path's rows bit for bit, whatever the chunk size", () => {
    if (ctx.plan.kind !== "cross") throw new Error("sma-cross should make a crossover plan");
    const plan = ctx.plan;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: m + 3 }), (chunk) => {
        const w = allocCrossWave(m, sim, shared, chunk);
        const out = new Float64Array(m * RESULT_STRIDE).fill(Number.NaN);
        const ran = runCrossWave(ctx.prepared, plan, sim, w, out);
        expect(ran).toBe(Math.ceil(m / chunk) * 5);
        expect(Array.from(out)).toEqual(Array.from(whole));
        expect(waveProgress(w, ctx.prepared.n)).toEqual({ done: ran, total: ran });
        // a second thread arriving late finds nothing left
        expect(runCrossWave(ctx.prepared, plan, sim, w, out)).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it("computes the deferred indicator entries first, then the same rows", () => {
    const d = prepareSweep(s, family, params, sim, { alloc: shared, deferred: true });
    if (d.plan.kind !== "cross") throw new Error("sma-cross should make a crossover plan");
    const w = allocCrossWave(m, sim, shared, waveChunk(m, 2));
    expect(computeWaveEntries(d.cache, w)).toBe(true);
    // a thread arriving after the entries are done passes the barrier at once
    expect(computeWaveEntries(d.cache, w)).toBe(true);
    const out = new Float64Array(m * RESULT_STRIDE);
    runCrossWave(d.prepared, d.plan, sim, w, out);
    expect(Array.from(out)).toEqual(Array.from(whole));
  });

  it("stops instead of waiting forever when another thread failed", () => {
    if (ctx.plan.kind !== "cross") throw new Error("sma-cross should make a crossover plan");
    const chunk = 8;
    const w = allocCrossWave(m, sim, shared, chunk);
    const chunks = Math.ceil(m / chunk);
    // a thread took every item of tile 0 and failed: tile 1 of chunk 0 would wait for it
    w.ctl[0] = chunks;
    w.ctl[1] = 1;
    expect(runCrossWave(ctx.prepared, ctx.plan, sim, w, new Float64Array(m * RESULT_STRIDE))).toBe(0);
    // a thread took the last indicator entry and failed: the barrier gives up
    const d = prepareSweep(s, family, params, sim, { alloc: shared, deferred: true });
    const w2 = allocCrossWave(m, sim, shared, chunk);
    w2.ctl[2] = d.cache.size;
    w2.ctl[3] = d.cache.size - 1;
    w2.ctl[1] = 1;
    expect(computeWaveEntries(d.cache, w2)).toBe(false);
  });

  it("keeps at least four chunks per thread and at most 32 combinations per chunk", () => {
    expect(waveChunk(815, 2)).toBe(32);
    expect(waveChunk(30, 2)).toBe(4);
    expect(waveChunk(3, 8)).toBe(1);
    expect(() => allocCrossWave(10, sim, shared, 0)).toThrow(/whole number >= 1/);
  });
});
