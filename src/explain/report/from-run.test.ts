import { describe, expect, it } from "vitest";
import { createRng } from "../../domain/random.ts";
import type { JudgedVariant } from "../../research/screen-judge.ts";
import { heatmapsOf } from "./from-run.ts";

const v = (fast: number, slow: number, sharpe: number, family = "sma-cross"): JudgedVariant =>
  ({
    id: `${family}:${fast},${slow}`,
    family,
    symbol: "BTC/USDT",
    params: { fast, slow },
    oos: { sharpeAnnual: sharpe },
  }) as unknown as JudgedVariant;

describe("heatmapsOf", () => {
  it("lays a full grid out cell by cell, averaging repeated cells", () => {
    const vs = [v(5, 50, 1), v(10, 50, 2), v(5, 100, 3), v(10, 100, 4), v(10, 100, 6), v(20, 100, 0.5)];
    const [h] = heatmapsOf(vs);
    expect(h).toMatchObject({
      family: "sma-cross",
      xName: "fast",
      yName: "slow",
      xs: [5, 10, 20],
      ys: [50, 100],
    });
    expect(h!.z).toEqual([
      [1, 2, null],
      [3, 5, 0.5],
    ]);
  });

  it("bins a sparse random sample coarsely and skips one-parameter families", () => {
    const rng = createRng(3);
    const vs = Array.from({ length: 40 }, () => v(5 + rng.int(46), 50 + rng.int(151), rng.normal()));
    vs.push(
      v(1, 1, 0, "dca"),
      v(2, 1, 0, "dca"),
      v(3, 1, 0, "dca"),
      v(4, 1, 0, "dca"),
      v(5, 1, 0, "dca"),
      v(6, 1, 0, "dca"),
    );
    const hs = heatmapsOf(vs);
    expect(hs).toHaveLength(1);
    expect(hs[0]!.xs).toHaveLength(5);
    expect(hs[0]!.ys).toHaveLength(5);
    const cells = hs[0]!.z.flat().filter((x) => x !== null).length;
    expect(cells).toBeGreaterThan(12);
  });

  it("gives integer parameters whole-number bins: integer centres and lo-hi labels that cover every value once", () => {
    const rng = createRng(5);
    const vs = Array.from({ length: 60 }, () => v(5 + rng.int(46), 50 + rng.int(151), rng.normal()));
    const [h] = heatmapsOf(vs);
    for (const c of [...h!.xs, ...h!.ys]) expect(Number.isInteger(c)).toBe(true);
    const ranges = (labels: string[]) =>
      labels.map((l) => l.split("-").map(Number)).map(([a, b]) => [a!, b ?? a!] as const);
    for (const [labels, lo, hi] of [
      [h!.xLabels!, 5, 50],
      [h!.yLabels!, 50, 200],
    ] as const) {
      const rs = ranges([...labels]);
      // consecutive, non-overlapping, from the smallest value tried to the largest
      for (let i = 1; i < rs.length; i++) expect(rs[i]![0]).toBe(rs[i - 1]![1] + 1);
      expect(rs[0]![0]).toBeLessThanOrEqual(lo + 5);
      expect(rs[rs.length - 1]![1]).toBeGreaterThanOrEqual(hi - 5);
    }
    // every variant lands in the bin whose label holds its value
    const xr = ranges(h!.xLabels!);
    const filled = h!.z.flat().filter((x) => x !== null).length;
    expect(filled).toBeGreaterThan(0);
    for (const x of vs.map((u) => u.params.fast as number)) {
      const hits = xr.filter(([a, b]) => x >= a && x <= b);
      if (x >= xr[0]![0] && x <= xr[xr.length - 1]![1]) expect(hits).toHaveLength(1);
    }
  });
});
