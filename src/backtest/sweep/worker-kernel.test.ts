import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packParams, unpackParams } from "./worker-kernel.ts";

// the grid crosses to worker threads as columns; it must come back as the same objects
describe("packed grid", () => {
  it("round-trips any grid of numbers and booleans exactly, in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ fast: fc.double({ noNaN: true }), slow: fc.integer(), short: fc.boolean() }), {
          maxLength: 50,
        }),
        (grid) => {
          const back = unpackParams(packParams(grid));
          expect(back).toHaveLength(grid.length);
          back.forEach((p, j) => {
            expect(Object.is(p.fast, grid[j]!.fast)).toBe(true);
            expect(p.slow).toBe(grid[j]!.slow);
            expect(p.short).toBe(grid[j]!.short);
          });
        },
      ),
    );
  });

  it("refuses a grid whose combinations differ in their parameters or types", () => {
    expect(() => packParams([{ a: 1 }, { a: 1, b: 2 }])).toThrow(/same parameters/);
    expect(() => packParams([{ a: 1 }, { a: true }])).toThrow(/one type/);
    expect(() => packParams([{ a: "x" } as unknown as Record<string, number>])).toThrow(/one type/);
  });
});
