// fast-check properties of the gate over random order streams: whatever the sequence, accepted
// orders never jointly exceed the exposure limit (in-flight reserved at intent time), never exceed
// the token bucket's budget in any window, and a refused order reserves nothing
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRiskLimits } from "../../src/risk/limits.ts";
import { type AccountView, PreTradeGate } from "../../src/risk/pre-trade-gate.ts";
import { BTC_USDT as BTC } from "../support/risk-instrument.ts";

const flat: AccountView = {
  positions: new Map(),
  equity: 10_000,
  peakEquity: 10_000,
  dayStartEquity: 10_000,
};
const T0 = 1_780_000_000_000;

describe("pre-trade gate properties", () => {
  it("exposure, message budget and reservations hold for any order stream", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lots: fc.integer({ min: -200, max: 2000 }),
            side: fc.constantFrom<"buy" | "sell">("buy", "sell"),
            dt: fc.integer({ min: 0, max: 400 }),
            release: fc.boolean(),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        (stream) => {
          const limits = {
            ...defaultRiskLimits("x"),
            maxExposurePerSymbol: 1500,
            maxExposureTotal: 1e9,
            duplicateWindowMs: 0,
          };
          const g = new PreTradeGate(limits, "h");
          let now = T0;
          const sentAt: number[] = [];
          const live = new Map<string, number>();
          stream.forEach((o, i) => {
            now += o.dt;
            const id = `o${i}`;
            const before = g.reserved("BTC/USDT");
            const d = g.check(
              {
                id,
                venue: "v",
                strategyId: "s",
                symbol: "BTC/USDT",
                side: o.side,
                type: "market",
                qty: o.lots / 1000,
              },
              { instrument: BTC, reference: { price: 500, ts: now }, venueTime: { server: now, local: now } },
              flat,
              now,
            );
            if (!d.accepted) expect(g.reserved("BTC/USDT")).toBe(before);
            else {
              sentAt.push(now);
              live.set(id, (o.side === "buy" ? 1 : -1) * (o.lots / 1000) * 500);
            }
            // in-flight exposure never beyond the limit (a reducing order may only shrink it)
            expect(Math.abs(g.reserved("BTC/USDT"))).toBeLessThanOrEqual(1500 + 1e-9);
            if (o.release && live.size > 0) {
              const [first] = live.keys();
              g.release(first!);
              live.delete(first!);
            }
          });
          // token bucket: in any 1 s window at most burst + rate x 1 s orders (venue 10/s, strategy 5/s)
          for (let i = 0; i < sentAt.length; i++) {
            let j = i;
            while (j < sentAt.length && sentAt[j]! - sentAt[i]! < 1000) j++;
            expect(j - i).toBeLessThanOrEqual(2 * limits.maxMessagesPerSecondStrategy);
          }
        },
      ),
      { numRuns: 300, seed: 160 },
    );
  });
});
