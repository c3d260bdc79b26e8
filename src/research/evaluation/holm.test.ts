import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holmAdjust } from "./holm.ts";

describe("holmAdjust", () => {
  it("reproduces p.adjust(c(0.01, 0.04, 0.03, 0.005), 'holm') worked by hand", () => {
    // sorted 0.005, 0.01, 0.03, 0.04 -> 4*0.005=0.02, 3*0.01=0.03, 2*0.03=0.06, max(0.06, 0.04)=0.06
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    for (const [i, v] of [0.03, 0.06, 0.06, 0.02].entries()) expect(adj[i]).toBeCloseTo(v, 12);
  });
  it("caps at 1 and skips NaN", () => {
    const adj = holmAdjust([0.6, Number.NaN, 0.5]);
    expect(adj[0]).toBe(1);
    expect(adj[1]).toBeNaN();
    expect(adj[2]).toBe(1);
  });
  it("is monotone in the raw p-values and never below them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (ps) => {
          const adj = holmAdjust(ps);
          for (let i = 0; i < ps.length; i++) {
            expect(adj[i]!).toBeGreaterThanOrEqual(ps[i]! - 1e-15);
            for (let j = 0; j < ps.length; j++)
              if (ps[i]! < ps[j]!) expect(adj[i]!).toBeLessThanOrEqual(adj[j]!);
          }
        },
      ),
    );
  });
});
