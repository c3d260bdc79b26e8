import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { searchSpaces } from "./screen-catalog.ts";
import { evolutionarySearch, type FamilySpace, gridSearch, randomSearch, spaceSize } from "./search.ts";

const toy: FamilySpace[] = [
  {
    family: "a",
    params: { fast: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], slow: [5, 10, 15, 20] },
    symbols: ["X", "Y"],
    valid: (p) => p.fast! < p.slow!,
  },
  { family: "b", params: { k: [1, 2, 3] }, symbols: ["X"], valid: () => true },
];
const key = (v: { family: string; symbol: string; params: object }): string => JSON.stringify(v);

describe("search", () => {
  it("grid enumerates the valid points, and thins evenly but keeps every family under a budget", () => {
    expect(spaceSize(toy)).toBe(83);
    const all = gridSearch(toy, 1000);
    // a: fast < slow -> 4 + 9 + 10 + 10 = 33 pairs x 2 symbols; b: 3
    expect(all).toHaveLength(69);
    const few = gridSearch(toy, 10);
    expect(few.length).toBeLessThanOrEqual(10);
    expect(new Set(few.map((v) => v.family))).toEqual(new Set(["a", "b"]));
  });

  it("random sampling is seeded, valid and never repeats", () => {
    const a = randomSearch(toy, 40, createRng(1));
    const b = randomSearch(toy, 40, createRng(1));
    expect(a).toEqual(b);
    expect(new Set(a.map(key)).size).toBe(a.length);
    for (const v of a) if (v.family === "a") expect(v.params.fast! < v.params.slow!).toBe(true);
    expect(randomSearch(toy, 40, createRng(2))).not.toEqual(a);
  });

  it("evolutionary search tries exactly the budget, all distinct, and concentrates on the fit region", async () => {
    const fitness = async (
      batch: readonly { params: Record<string, number | boolean> }[],
    ): Promise<number[]> =>
      batch.map((v) => (v.params.fast === undefined ? -10 : -Math.abs((v.params.fast as number) - 3)));
    const big: FamilySpace[] = [
      {
        family: "a",
        params: { fast: Array.from({ length: 100 }, (_, i) => i), slow: [1000] },
        symbols: ["X", "Y", "Z"],
        valid: () => true,
      },
    ];
    const r = await evolutionarySearch(big, 120, createRng(3), fitness);
    expect(r.tried).toHaveLength(120);
    expect(new Set(r.tried.map(key)).size).toBe(120);
    const late = r.fitness.slice(60).reduce((s, x) => s + x, 0) / 60;
    const early = r.fitness.slice(0, 48).reduce((s, x) => s + x, 0) / 48;
    expect(late).toBeGreaterThan(early);
  });

  it("presets bundle families with ranges; baskets need two symbols", () => {
    const trend = searchSpaces(["BTC/USDT", "ETH/USDT"], "trend-follower").map((s) => s.family);
    expect(trend).toEqual(
      expect.arrayContaining(["sma-cross", "macd", "supertrend", "adx-trend", "vol-target(macd)"]),
    );
    const rot = searchSpaces(["A/USDT", "B/USDT"], "momentum-rotator");
    expect(rot.map((s) => s.symbols)).toEqual([["basket"], ["basket"]]);
    expect(() => searchSpaces(["A/USDT"], "momentum-rotator")).toThrow(/two or more symbols/);
    expect(() => searchSpaces(["A/USDT"], "yolo")).toThrow(
      /unknown preset "yolo": use one of trend-follower/,
    );
    for (const p of ["mean-reverter", "grid-trader", "dca-accumulator"])
      expect(searchSpaces(["A/USDT"], p).length).toBeGreaterThan(0);
  });
});
