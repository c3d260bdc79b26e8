import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BarWindow } from "./bar-window.ts";

describe("BarWindow", () => {
  it("holds exactly the last maxBars bars appended, in order, for every market", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), (maxBars, n) => {
        const w = new BarWindow("x", ["A/USDT", "B/USDT"], "1m", maxBars, 4);
        for (let i = 0; i < n; i++)
          w.append([
            { ts: i * 60_000, open: i, high: i + 1, low: i - 1, close: i + 0.5, volume: 1 },
            { ts: i * 60_000, open: -i, high: -i + 1, low: -i - 1, close: -i + 0.5, volume: 2 },
          ]);
        const from = Math.max(0, n - maxBars);
        const want = Array.from({ length: n - from }, (_, k) => from + k);
        const [a, b] = w.views();
        expect(Array.from(a!.ts)).toEqual(want.map((i) => i * 60_000));
        expect(Array.from(a!.close)).toEqual(want.map((i) => i + 0.5));
        expect(Array.from(b!.open)).toEqual(want.map((i) => -i));
        expect(w.length).toBe(n - from);
      }),
    );
  });

  it("refuses a bar that is not newer than the last", () => {
    const w = new BarWindow("x", ["A/USDT"], "1m", 10);
    w.append([{ ts: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    expect(() => w.append([{ ts: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }])).toThrow(
      /at or before/,
    );
  });
});
