import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillBarOnGrid, fillBarOpen } from "./fill-bar.ts";

const HOUR = 3_600_000;

/** reference: a linear scan for the last bar opened at or before the fill's moment */
function byScan(opens: readonly number[], ts: number, live: boolean): number | undefined {
  let found: number | undefined;
  for (const o of opens) if (o <= (live ? ts - 1 : ts)) found = o;
  return found;
}

describe("fillBarOpen", () => {
  it("a live fill stamped at a bar's end belongs to that bar; a paper fill to the bar it names", () => {
    const bars = [0, 1, 2, 3].map((i) => ({ ts: 10 * HOUR + i * HOUR }));
    expect(fillBarOpen(bars, 12 * HOUR, true)).toBe(11 * HOUR);
    expect(fillBarOpen(bars, 12 * HOUR, false)).toBe(12 * HOUR);
    expect(fillBarOpen(bars, 12 * HOUR + 1, true)).toBe(12 * HOUR);
    expect(fillBarOpen(bars, 10 * HOUR, true)).toBeUndefined();
    expect(fillBarOpen([], 10 * HOUR, false)).toBeUndefined();
    // after a gap: the last bar before it
    expect(fillBarOpen([{ ts: 0 }, { ts: 5 * HOUR }], 3 * HOUR, true)).toBe(0);
  });

  it("equals a linear scan over any ascending bars, paper and live", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }),
        fc.integer({ min: -5, max: 10_010 }),
        fc.boolean(),
        (raw, ts, live) => {
          const opens = [...raw].sort((a, b) => a - b);
          expect(
            fillBarOpen(
              opens.map((o) => ({ ts: o })),
              ts,
              live,
            ),
          ).toBe(byScan(opens, ts, live));
        },
      ),
    );
  });

  it("on a regular bar grid the drawn bars and the grid give the same bar (what the chart and drift compute)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(60_000, HOUR, 4 * HOUR, 86_400_000),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 299 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.boolean(),
        (barMs, first, n, live, k, offset, atEnd) => {
          const bars = Array.from({ length: n }, (_, i) => ({ ts: (first + i) * barMs }));
          // a paper fill carries a bar's open; a live fill is stamped inside a bar or at its end
          const bar = bars[k % n]!.ts;
          const ts = live ? bar + (atEnd ? barMs : 1 + (offset % barMs)) : bar;
          expect(fillBarOpen(bars, ts, live)).toBe(fillBarOnGrid(ts, live, barMs));
        },
      ),
    );
  });
});
