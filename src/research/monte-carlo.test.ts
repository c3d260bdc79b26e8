import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { monteCarlo } from "./monte-carlo.ts";
import { randomEntrySharpes } from "./random-entry.ts";
import { sharpePerBar } from "./stats.ts";

describe("monteCarlo", () => {
  it("resampling identical trades gives a point range", () => {
    const r = monteCarlo([0.1, 0.1, 0.1], [0.01, 0.01], 200, 1, createRng(1));
    expect(r.trades?.totalReturn.p5).toBeCloseTo(1.1 ** 3 - 1, 12);
    expect(r.trades?.totalReturn.p95).toBeCloseTo(1.1 ** 3 - 1, 12);
    expect(r.blocks.totalReturn.p50).toBeCloseTo(1.01 ** 2 - 1, 12);
    expect(r.blocks.maxDrawdown.p95).toBe(0);
  });
  it("brackets the record: the median resampled total return is near the compounded mean", () => {
    const rng = createRng(2);
    const rets = Array.from({ length: 400 }, () => 0.001 + 0.01 * rng.normal());
    const r = monteCarlo(rets, rets, 200, 20, createRng(3));
    const total = rets.reduce((e, x) => e * (1 + x), 1) - 1;
    expect(r.blocks.totalReturn.p5).toBeLessThan(total);
    expect(r.blocks.totalReturn.p95).toBeGreaterThan(total);
    expect(r.blocks.blockLength).toBe(20);
    expect(r.trades?.maxDrawdown.p5).toBeGreaterThan(0);
  });
  it("replays exactly for a seed", () => {
    const a = monteCarlo([0.1, -0.05, 0.02], [0.01, -0.02, 0.03], 50, 0, createRng(9));
    const b = monteCarlo([0.1, -0.05, 0.02], [0.01, -0.02, 0.03], 50, 0, createRng(9));
    expect(a).toEqual(b);
  });
});

describe("randomEntrySharpes", () => {
  it("matches a brute-force simulation of the same draws", () => {
    const rng = createRng(4);
    const market = Float64Array.from({ length: 300 }, () => 0.02 * rng.normal());
    const durations = [5, 1, 12, 30, 2];
    const cost = 0.0015;
    const fast = randomEntrySharpes({ market, durations, cost, draws: 20, rng: createRng(7) });
    // replay the generator by hand and build each draw's return series bar by bar
    const r2 = createRng(7);
    const durs = durations.slice();
    const free = 300 - 50;
    for (let d = 0; d < 20; d++) {
      for (let i = durs.length - 1; i > 0; i--) {
        const j = r2.int(i + 1);
        [durs[i], durs[j]] = [durs[j]!, durs[i]!];
      }
      const cuts = Array.from({ length: 5 }, () => r2.int(free + 1)).sort((a, b) => a - b);
      const series = new Float64Array(300);
      let pos = 0;
      let prev = 0;
      for (let i = 0; i < 5; i++) {
        pos += cuts[i]! - prev;
        prev = cuts[i]!;
        for (let b = pos; b < pos + durs[i]!; b++) series[b] = market[b]!;
        series[pos]! -= cost;
        series[pos + durs[i]! - 1]! -= cost;
        pos += durs[i]!;
      }
      expect(fast[d]).toBeCloseTo(sharpePerBar(series), 10);
    }
  });
  it("no trades: every draw is flat", () => {
    const r = randomEntrySharpes({
      market: new Float64Array(10),
      durations: [],
      cost: 0,
      draws: 3,
      rng: createRng(1),
    });
    expect(Array.from(r)).toEqual([0, 0, 0]);
  });
});
