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
});
