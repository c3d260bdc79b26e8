import { describe, expect, it } from "vitest";
import { createRng } from "../domain/random.ts";
import { pboCscv } from "./pbo.ts";

const noise = (seed: number, nStrat: number, t: number): Float64Array[] => {
  const rng = createRng(seed);
  return Array.from({ length: nStrat }, () => {
    const r = new Float64Array(t);
    for (let i = 0; i < t; i++) r[i] = 0.01 * rng.normal();
    return r;
  });
};

describe("PBO by CSCV", () => {
  it("100 pure-noise strategies: PBO near 0.5", () => {
    const pbos: number[] = [];
    for (const seed of [1, 2, 3, 4]) pbos.push(pboCscv(noise(seed, 100, 1600), 16).pbo);
    const mean = pbos.reduce((a, b) => a + b) / pbos.length;
    // with no skill the IS winner's OOS rank is uniform, so lambda <= 0 half the time
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
  });

  it("the same with one planted edge: PBO near 0", () => {
    const rs = noise(9, 100, 4000);
    const rng = createRng(99);
    // per-bar Sharpe 0.1 (1.9 annualised on 11 years of daily bars, 9.4 on 5 months of hourly ones)
    const edge = new Float64Array(4000);
    for (let i = 0; i < edge.length; i++) edge[i] = 0.001 + 0.01 * rng.normal();
    rs[37] = edge;
    const r = pboCscv(rs, 16);
    expect(r.combinations).toBe(12870);
    expect(r.pbo).toBeLessThan(0.1);
    expect(r.probOosLoss).toBeLessThan(0.1);
  });

  it("two strategies, hand-checked: the consistently better one is never overfit", () => {
    // A: +1, -1 alternating plus 0.5 drift; B: the same with no drift; A wins IS and OOS everywhere
    const t = 64;
    const a = new Float64Array(t);
    const b = new Float64Array(t);
    for (let i = 0; i < t; i++) {
      b[i] = i % 2 === 0 ? 1 : -1;
      a[i] = b[i]! + 0.5;
    }
    const r = pboCscv([a, b], 4);
    expect(r.combinations).toBe(6);
    expect(r.pbo).toBe(0);
    // rank 2 of 2: w = 2/3, lambda = ln 2
    for (const l of r.logits) expect(l).toBeCloseTo(Math.log(2), 12);
  });

  it("names the problem on bad input", () => {
    expect(() => pboCscv([new Float64Array(10)], 16)).toThrow(/at least 2 strategies/);
    expect(() => pboCscv([new Float64Array(10), new Float64Array(10)], 16)).toThrow(/too few/);
  });
});
