// Random sequences of orders, bars, partial fills and deposits against the running simulated
// exchange: after every step the books agree with a recomputation from the served ledger JSON
// (decimal strings, summed here with bigints), nothing is negative and no order overfills
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import type { LedgerJson } from "./ledger.ts";
import { startSimExchange } from "./server.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
const HOUR = 3_600_000;
const u = (s: string): bigint => {
  const neg = s.startsWith("-");
  const [i, f = ""] = s.replace("-", "").split(".");
  const v = BigInt(i!) * 100_000_000n + BigInt(f.padEnd(8, "0").slice(0, 8));
  return neg ? -v : v;
};

/** Balances as the fills, deposits and opening balances say they must be */
function recompute(l: LedgerJson): Map<string, bigint> {
  const out = new Map<string, bigint>(Object.entries(l.initial).map(([a, v]) => [a, u(v)]));
  const add = (a: string, v: bigint): void => {
    out.set(a, (out.get(a) ?? 0n) + v);
  };
  for (const d of l.deposits) add(d.asset, u(d.amount));
  for (const f of l.fills) {
    const sign = f.side === "BUY" ? 1n : -1n;
    add("BTC", sign * u(String(f.qty)));
    add("USDT", -sign * u(String(f.quoteQty)) - u(String(f.commission)));
  }
  return out;
}

type Op =
  | { kind: "order"; side: "BUY" | "SELL"; type: "MARKET" | "LIMIT"; qty: number; offset: number }
  | { kind: "bar"; bars: number }
  | { kind: "deposit"; asset: "USDT" | "BTC"; amount: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("order" as const),
    side: fc.constantFrom("BUY" as const, "SELL" as const),
    type: fc.constantFrom("MARKET" as const, "LIMIT" as const),
    qty: fc.integer({ min: 1, max: 4000 }),
    offset: fc.integer({ min: -30, max: 30 }),
  }),
  fc.record({ kind: fc.constant("bar" as const), bars: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant("deposit" as const),
    asset: fc.constantFrom("USDT" as const, "BTC" as const),
    amount: fc.integer({ min: -2000, max: 5000 }),
  }),
);

describe("simulated exchange ledger (property)", () => {
  it("books = opening balances + deposits + fills - fees after every step; nothing negative or overfilled", async () => {
    let fills = 0;
    let split = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 25 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 99 }),
        async (ops, seed, partial) => {
          const start = 700 + (seed % 500);
          const sim = await startSimExchange({
            series: [btc],
            apiKey: { key: "p", secret: "p" },
            clock: { kind: "manual" },
            start: btc.ts[start]!,
            balances: { USDT: "20000", BTC: "0.1" },
            seed,
            faults: `fill:partial=${partial / 100}`,
          });
          try {
            let bar = start;
            for (const o of ops) {
              if (o.kind === "bar") {
                sim.advance(o.bars * HOUR);
                bar += o.bars;
              } else if (o.kind === "deposit") {
                const have = u(sim.ledger().balances[o.asset]?.free ?? "0");
                // a withdrawal never takes more than is free
                const amt = BigInt(o.amount) * (o.asset === "BTC" ? 1000n : 100_000_000n);
                if (have + amt >= 0n) sim.deposit(o.asset, (Number(amt) / 1e8).toFixed(8));
              } else {
                const ref = btc.close[Math.min(bar, btc.ts.length - 1) - 1]!;
                const price = (Math.round(ref * (1 + o.offset / 1000) * 100) / 100).toFixed(2);
                sim.placeManualOrder(
                  "BTCUSDT",
                  o.side,
                  o.type,
                  (o.qty / 100_000).toFixed(5),
                  o.type === "LIMIT" ? price : undefined,
                );
              }
              const l = sim.ledger();
              expect(sim.check()).toEqual([]);
              const want = recompute(l);
              for (const [a, b] of Object.entries(l.balances)) {
                expect(u(b.free) + u(b.locked)).toBe(want.get(a) ?? 0n);
                expect(u(b.free) >= 0n && u(b.locked) >= 0n).toBe(true);
              }
              for (const ord of l.orders)
                expect(u(String(ord.executedQty)) <= u(String(ord.origQty))).toBe(true);
            }
            const end = sim.ledger();
            fills += end.fills.length;
            split += end.fills.length - new Set(end.fills.map((f) => f.orderId)).size;
          } finally {
            await sim.close();
          }
        },
      ),
      { numRuns: 25 },
    );
    // the runs did trade, and some fills came in parts
    expect(fills).toBeGreaterThan(0);
    expect(split).toBeGreaterThan(0);
  }, 120_000);
});
