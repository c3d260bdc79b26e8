import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocSeries, sliceSeriesByTime } from "./candle-series.ts";

describe("sliceSeriesByTime", () => {
  it("keeps exactly the bars opened in [from, to], as a view of the same memory", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
        fc.integer({ min: -10, max: 1010 }),
        fc.integer({ min: -10, max: 1010 }),
        (raw, from, to) => {
          const ts = [...raw].sort((a, b) => a - b);
          const s = allocSeries({ exchange: "x", symbol: "A/B", timeframe: "1h" }, ts.length);
          ts.forEach((t, i) => {
            s.ts[i] = t;
            s.close[i] = t * 2;
          });
          const cut = sliceSeriesByTime(s, from, to);
          expect([...cut.ts]).toEqual(ts.filter((t) => t >= from && t <= to));
          expect([...cut.close]).toEqual(ts.filter((t) => t >= from && t <= to).map((t) => t * 2));
          if (cut.ts.length > 0) expect(cut.ts.buffer).toBe(s.ts.buffer);
        },
      ),
    );
  });
});
