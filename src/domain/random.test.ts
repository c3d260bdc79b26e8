import { describe, expect, it } from "vitest";
import { createRng } from "./random.ts";

describe("createRng", () => {
  it("replays exactly for a seed and differs across seeds", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it("draws uniforms with mean 1/2 and normals with unit variance", () => {
    const r = createRng(1);
    let su = 0;
    let s1 = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      su += r.next();
      const z = r.normal();
      s1 += z;
      s2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(s1 / n).toBeCloseTo(0, 2);
    expect(s2 / n).toBeCloseTo(1, 1);
  });
});
