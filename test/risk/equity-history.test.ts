// Peak and day-start equity derived from the order store's fills (issue 16): the pure walk agrees
// with an independent exact reference (the accounting module's bigint books, marked at each fill's
// price), and a gate started afresh on a session with a fill history judges drawdown against the
// history's peak, not against the equity it first sees
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setRisk } from "../../src/app/risk-limits.ts";
import { applyFills, emptyAccount } from "../../src/execution/accounting.ts";
import { toNumber } from "../../src/execution/amount.ts";
import type { FillRecord } from "../../src/ports/order-store.ts";
import { equityHistory } from "../../src/risk/equity-marks.ts";
import { setupSession, T0 } from "./session-gate.ts";

const fillArb = fc.record({
  symbol: fc.constantFrom("BTC/USDT", "ETH/USDT"),
  side: fc.constantFrom("buy" as const, "sell" as const),
  qty: fc.integer({ min: 1, max: 500 }).map((n) => n / 100),
  price: fc.integer({ min: 100, max: 90_000 }),
  fee: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
  ts: fc.integer({ min: 0, max: 10 * 86_400_000 }),
});

describe("equity history from fills", () => {
  it("peak and day-start equal an exact reference walk over the same fills", () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 40 }), fc.integer({ min: 0, max: 10 }), (raw, day) => {
        const fills: FillRecord[] = raw.map((f, i) => ({
          venue: "v",
          tradeId: String(i),
          clientOrderId: `c${i}`,
          sessionId: "s",
          symbol: f.symbol,
          side: f.side,
          qty: f.qty.toFixed(2),
          price: String(f.price),
          fee: f.fee.toFixed(2),
          feeAsset: "USDT",
          ts: f.ts,
          source: "poll",
        }));
        const dayStartTs = day * 86_400_000;
        const got = equityHistory(
          { USDT: 100_000 },
          fills.map((f) => ({ ...f, qty: Number(f.qty), price: Number(f.price), fee: Number(f.fee) })),
          "USDT",
          dayStartTs,
        );
        // reference: exact books after each prefix of the time-ordered fills, marked at the last prices
        const sorted = [...fills].sort((a, b) => a.ts - b.ts);
        let peak = 100_000;
        let dayStart = 100_000;
        const last: Record<string, number> = {};
        for (let i = 0; i < sorted.length; i++) {
          const f = sorted[i]!;
          last[f.symbol.split("/")[0]!] = Number(f.price);
          const acc = applyFills(emptyAccount({ USDT: "100000" }), sorted.slice(0, i + 1));
          let e = 0;
          for (const [a, v] of acc.balances) e += a === "USDT" ? toNumber(v) : toNumber(v) * (last[a] ?? 0);
          peak = Math.max(peak, e);
          if (f.ts < dayStartTs) dayStart = e;
        }
        expect(got.peak).toBeCloseTo(peak, 6);
        expect(got.dayStart).toBeCloseTo(dayStart, 6);
      }),
      { numRuns: 300 },
    );
  });

  it("a gate started afresh judges drawdown against the peak in the session's fills", async () => {
    const s = setupSession({ bars: 4, timing: "replay" });
    try {
      setRisk({ home: s.home, now: () => 0 }, { key: "maxDrawdown", value: "0.1", by: "t" });
      // the session's history: 10,000 USDT, bought 10 BTC at 500 then the price rose to 1,000 (a sale at 1,000 marks it)
      s.store.setConfig("r", { baseline: { USDT: "10000" } });
      const fill = (id: string, side: "buy" | "sell", qty: string, price: string, ts: number) => {
        const seq = Number(id);
        s.store.recordDecision(
          { sessionId: "r", seq, barTs: ts, targets: {}, explanation: "history", createdAt: ts },
          [
            {
              clientOrderId: `hist-${id}`,
              sessionId: "r",
              decisionSeq: seq,
              leg: 0,
              venue: "paper",
              symbol: "BTC/USDT",
              side,
              type: "market",
              qty,
              state: "intent",
              filledQty: "0",
              attempts: 0,
              createdAt: ts,
              updatedAt: ts,
            },
          ],
        );
        s.store.addFill({
          venue: "paper",
          tradeId: id,
          clientOrderId: `hist-${id}`,
          sessionId: "r",
          symbol: "BTC/USDT",
          side,
          qty,
          price,
          fee: "0",
          feeAsset: "USDT",
          ts,
          source: "paper",
        });
      };
      fill("1", "buy", "10", "500", T0 - 3 * 86_400_000);
      fill("2", "sell", "1", "1000", T0 - 2 * 86_400_000); // peak: 9 BTC x 1,000 + 6,000 = 15,000
      // now (bar close 600): equity 9 x 600 + 6,000 = 11,400, 24% below the peak in the history
      await s.session.onClosedBar(0);
      const dd = s.risk.decisions.at(-1)!.checks.find((c) => c.check === "drawdown")!;
      // without the history the first decision would see its own equity as the peak: 0
      expect(dd.observed as number).toBeCloseTo((15_000 - 11_400) / 15_000, 2);
    } finally {
      s.close();
    }
  });
});
