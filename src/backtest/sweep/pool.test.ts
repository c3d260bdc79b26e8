import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { sliceSeries } from "../../domain/candle-series.ts";
import { IndicatorCache } from "../../indicators/cache/indicator-cache.ts";
import { emaCross } from "../../strategies/ema-cross/strategy.ts";
import { FAMILIES } from "../../strategies/registry.ts";
import { smaCross } from "../../strategies/sma-cross/strategy.ts";
import { sweepFormOf } from "../../strategies/sweep-forms.ts";
import { defaultExecution } from "../types.ts";
import { expandGrid, parseParamAxis } from "./grid.ts";
import { prepareSweep, RESULT_STRIDE, runSweepRange, simConfigOf, sweep } from "./sweep.ts";

// released indicator buffers are reused by later sweeps: stale contents must never leak into results
describe("indicator buffer pool", () => {
  const s = loadBundledSeries("binance", "BTC/USDT", "1h");
  const sim = simConfigOf(defaultExecution({ fee: 0.001 }), "1h");
  // a private allocator bypasses the pool: the reference each pooled run must equal exactly
  const fresh = (family: typeof smaCross | typeof emaCross, params: Record<string, number | boolean>[]) => {
    const ctx = prepareSweep(s, family, params, sim, { alloc: (n) => new Float64Array(n) });
    const out = new Float64Array(ctx.combos * RESULT_STRIDE);
    runSweepRange(ctx, 0, ctx.combos, out);
    return ctx.combos === 0 ? [] : Array.from(out);
  };
  const flat = (rows: ReturnType<typeof sweep>) =>
    rows.flatMap((r) => [r.totalReturn, r.sharpe, r.maxDrawdown, r.trades, r.finalEquity]);

  it("gives identical results on every reuse, across families and grids", () => {
    const g1 = expandGrid(smaCross, [parseParamAxis("fast=5..12:1"), parseParamAxis("slow=20..60:20")]);
    const g2 = expandGrid(emaCross, [parseParamAxis("fast=3..9:3"), parseParamAxis("slow=15..45:15")]);
    const want1 = fresh(smaCross, g1);
    const want2 = fresh(emaCross, g2);
    for (let r = 0; r < 3; r++) {
      expect(flat(sweep(s, smaCross, g1, sim))).toEqual(want1);
      expect(flat(sweep(s, emaCross, g2, sim))).toEqual(want2);
    }
  });

  it("reuses released buffers as they are and empties a released cache", () => {
    const n = 1000;
    const c = new IndicatorCache(n);
    const dirty = c.get("dirty", (o) => o.fill(7)).values;
    c.release();
    expect(c.size).toBe(0);
    const c2 = new IndicatorCache(n);
    const again = c2.get("probe", (o) => o.fill(1)).values;
    // the same memory, not zeroed in between: compute functions must write every element
    expect(again.buffer).toBe(dirty.buffer);
    c2.release();
  });

  it("every built-in sweep form's compute writes every element of its array (reused buffers are not zeroed)", () => {
    const few = sliceSeries(s, 0, 3000);
    for (const family of Object.values(FAMILIES)) {
      const form = sweepFormOf(family);
      const [params] = expandGrid(family, []);
      // two caches whose fresh arrays hold different garbage: any element a compute leaves alone differs
      const n = few.close.length;
      const packs = [1e300, -7].map((garbage) => {
        const cache = new IndicatorCache(n, (len) => new Float64Array(len).fill(garbage));
        form.exposures(few, params!, cache, new Float64Array(n));
        return cache.packed();
      });
      expect(packs[0]!.keys.length, family.name).toBe(packs[1]!.keys.length);
      packs[0]!.keys.forEach((key, i) => {
        expect(key).toBe(packs[1]!.keys[i]);
        const a = packs[0]!.blocks[i]!;
        const b = packs[1]!.blocks[i]!;
        for (let t = 0; t < n; t++) {
          if (!Object.is(a[t], b[t])) throw new Error(`${family.name}: ${key} leaves element ${t} unwritten`);
        }
      });
    }
  });
});
