import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FillRecord } from "../ports/order-store.ts";
import { accountView, applyFill, applyFills, averagePrice, emptyAccount, unrealised } from "./accounting.ts";
import { amount, formatAmount, mul, ZERO } from "./amount.ts";

// amounts at Binance-like precision: 8 decimals for quantity and price
const decimalText = (maxInt: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 99_999_999 }))
    .filter(([i, f]) => i > 0 || f > 0)
    .map(([i, f]) => `${i}.${String(f).padStart(8, "0")}`);

const fillArb = () =>
  fc.record({
    side: fc.constantFrom("buy" as const, "sell" as const),
    qty: decimalText(5),
    price: decimalText(70_000),
    fee: fc.constantFrom("0", "0.01", "0.00012345"),
  });

const toFills = (xs: { side: "buy" | "sell"; qty: string; price: string; fee: string }[]): FillRecord[] =>
  xs.map((x, i) => ({
    venue: "paper",
    tradeId: String(i + 1),
    clientOrderId: `kr-t-${i}-0`,
    sessionId: "t",
    symbol: "BTC/USDT",
    side: x.side,
    qty: x.qty,
    price: x.price,
    fee: x.fee,
    feeAsset: "USDT",
    ts: i,
    source: "paper",
  }));

describe("amount", () => {
  it("parses and prints decimals exactly", () => {
    fc.assert(
      fc.property(decimalText(1_000_000), fc.boolean(), (t, neg) => {
        const text = neg ? `-${t}` : t;
        expect(amount(formatAmount(amount(text)))).toBe(amount(text));
        expect(Number(formatAmount(amount(text)))).toBe(Number(text));
      }),
    );
    expect(formatAmount(amount(1e-8))).toBe("0.00000001");
    expect(formatAmount(amount("1.5e3"))).toBe("1500");
    expect(() => amount("1.0000000000000000001")).toThrow(/more than 18 decimals/);
    expect(() => amount("abc")).toThrow(/not a decimal/);
  });

  it("ten fills of 0.1 make exactly 1 (float sums make 0.9999999999999999)", () => {
    let sum = ZERO;
    for (let i = 0; i < 10; i++) sum += amount("0.1");
    expect(formatAmount(sum)).toBe("1");
  });
});

describe("accounting (R6: applying fills)", () => {
  it("is idempotent: a fill applied twice counts once, and replaying every fill changes nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fillArb(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (xs, dupIdx) => {
          const fills = toFills(xs);
          const once = applyFills(emptyAccount({ USDT: "1000000" }), fills);
          // duplicates from another path (websocket, polling, reconciliation) arrive anywhere later
          const withDups = [...fills];
          for (const d of dupIdx)
            if (fills.length > 0) withDups.splice(d % (withDups.length + 1), 0, fills[d % fills.length]!);
          const firstSeen = withDups.filter(
            (f, i) => withDups.findIndex((g) => g.tradeId === f.tradeId) === i,
          );
          const dup = applyFills(emptyAccount({ USDT: "1000000" }), withDups);
          expect(accountView(dup)).toEqual(
            accountView(applyFills(emptyAccount({ USDT: "1000000" }), firstSeen)),
          );
          expect(applyFills(once, fills)).toBe(once);
          for (const f of fills) expect(applyFill(once, f)).toBe(once);
        },
      ),
    );
  });

  it("trade ids numbered per symbol (Binance): two symbols' fills with the same id both count, a true duplicate once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fillArb(), fc.constantFrom("BTC/USDT", "ETH/USDT")), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (xs, dupIdx) => {
          // each symbol numbers its trades 1, 2, 3, ... as Binance does, so ids coincide across symbols
          const next = new Map<string, number>();
          const fills = toFills(xs.map(([x]) => x)).map((f, i) => {
            const symbol = xs[i]![1];
            const n = (next.get(symbol) ?? 0) + 1;
            next.set(symbol, n);
            return { ...f, venue: "binance", symbol, tradeId: String(n) };
          });
          const withDups = [...fills];
          for (const d of dupIdx)
            if (fills.length > 0) withDups.splice(d % (withDups.length + 1), 0, fills[d % fills.length]!);
          const acc = applyFills(emptyAccount({ USDT: "1000000" }), withDups);
          expect(acc.applied.size).toBe(fills.length);
          // independent reference: each symbol's base balance is the plain sum of its own fills
          for (const [symbol, base] of [
            ["BTC/USDT", "BTC"],
            ["ETH/USDT", "ETH"],
          ] as const) {
            let qty = ZERO;
            for (const f of fills.filter((g) => g.symbol === symbol))
              qty += f.side === "buy" ? amount(f.qty) : -amount(f.qty);
            expect(acc.balances.get(base) ?? ZERO).toBe(qty);
          }
          const firstSeen = withDups.filter(
            (f, i) => withDups.findIndex((g) => g.symbol === f.symbol && g.tradeId === f.tradeId) === i,
          );
          expect(firstSeen.length).toBe(fills.length);
          expect(accountView(acc)).toEqual(
            accountView(applyFills(emptyAccount({ USDT: "1000000" }), firstSeen)),
          );
        },
      ),
    );
    // the case by hand: trade "1" on two symbols is two fills; the same (venue, symbol, id) again is one
    const [btc, eth] = toFills([
      { side: "buy", qty: "1", price: "100", fee: "0" },
      { side: "buy", qty: "2", price: "10", fee: "0" },
    ]).map((f, i) => ({ ...f, venue: "binance", tradeId: "1", symbol: i === 0 ? "BTC/USDT" : "ETH/USDT" }));
    const acc = applyFills(emptyAccount({ USDT: "1000" }), [btc!, eth!, btc!, eth!]);
    expect(formatAmount(acc.balances.get("BTC")!)).toBe("1");
    expect(formatAmount(acc.balances.get("ETH")!)).toBe("2");
    expect(formatAmount(acc.balances.get("USDT")!)).toBe("880");
  });

  it("balances are the exact sums of fills and P&L adds up exactly: quote change + qty x mark = realised + unrealised - fees", () => {
    fc.assert(
      fc.property(fc.array(fillArb(), { maxLength: 40 }), decimalText(70_000), (xs, markText) => {
        const fills = toFills(xs);
        const acc = applyFills(emptyAccount({ USDT: "1000000" }), fills);
        let base = ZERO;
        let quote = amount("1000000");
        let fees = ZERO;
        for (const f of fills) {
          const q = amount(f.qty);
          const n = mul(q, amount(f.price));
          base += f.side === "buy" ? q : -q;
          quote += f.side === "buy" ? -n : n;
          quote -= amount(f.fee);
          fees += amount(f.fee);
        }
        expect(acc.balances.get("BTC") ?? ZERO).toBe(base);
        expect(acc.balances.get("USDT")).toBe(quote);
        const pos = acc.positions.get("BTC/USDT");
        if (pos === undefined) return;
        expect(pos.qty).toBe(base);
        const mark = amount(markText);
        expect(quote - amount("1000000") + mul(pos.qty, mark)).toBe(
          pos.realised + unrealised(pos, mark) - fees,
        );
      }),
    );
  });

  it("works a round trip by hand: average price, realised P&L and a flip", () => {
    const acc = applyFills(
      emptyAccount({ USDT: "10000" }),
      toFills([
        { side: "buy", qty: "0.1", price: "30000", fee: "3" },
        { side: "buy", qty: "0.3", price: "34000", fee: "0" },
        { side: "sell", qty: "0.2", price: "35000", fee: "0" },
      ]),
    );
    const p = acc.positions.get("BTC/USDT")!;
    // average (3000 + 10200) / 0.4 = 33000; selling 0.2 at 35000 realises 400
    expect(formatAmount(averagePrice(p)!)).toBe("33000");
    expect(formatAmount(p.realised)).toBe("400");
    expect(formatAmount(p.qty)).toBe("0.2");
    expect(formatAmount(acc.balances.get("USDT")!)).toBe("3797"); // 10000 - 3000 - 10200 + 7000 - 3
    const flipped = applyFill(acc, {
      ...toFills([{ side: "sell", qty: "0.5", price: "32000", fee: "0" }])[0]!,
      tradeId: "x",
    });
    const f = flipped.positions.get("BTC/USDT")!;
    expect(formatAmount(f.realised)).toBe("200"); // 400 + 0.2 x (32000 - 33000)
    expect(formatAmount(f.qty)).toBe("-0.3");
    expect(formatAmount(averagePrice(f)!)).toBe("32000");
  });

  it("a fee in the base asset lowers the position and raises its average price", () => {
    const acc = applyFill(emptyAccount({ USDT: "100" }), {
      ...toFills([{ side: "buy", qty: "1", price: "10", fee: "0.001" }])[0]!,
      feeAsset: "BTC",
    });
    const p = acc.positions.get("BTC/USDT")!;
    expect(formatAmount(p.qty)).toBe("0.999");
    expect(formatAmount(acc.balances.get("BTC")!)).toBe("0.999");
    expect(formatAmount(averagePrice(p)!)).toBe("10.01001001001001001");
  });
});
