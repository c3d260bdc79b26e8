// The venue driven directly, as the paper broker and the simulated exchange drive it. Every price
// and quantity below was worked out by hand from the bars written next to the test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineInstrument } from "../../domain/instrument.ts";
import { canTransition, type OrderStatus } from "../../domain/order-status.ts";
import type { VenueBar, VenueConfig, VenueEvent, VenueOrderEvent } from "./types.ts";
import { createVenue } from "./venue.ts";

const SYM = "BTC/USDT";
const H = 3_600_000;
const cfg = (o: Partial<VenueConfig> = {}): VenueConfig => ({
  initialCash: 10_000,
  market: "spot",
  fee: 0.001,
  slippage: { kind: "fixed", rate: 0 },
  leverage: 1,
  maintenanceMargin: 0.005,
  liquidationFee: 0.005,
  fundingRate: 0.0001,
  fundingIntervalMs: 8 * H,
  exits: {},
  cooldownBars: 0,
  ...o,
});
const bar = (
  i: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume = 1_000,
): VenueBar => ({
  ts: i * H,
  open,
  high,
  low,
  close,
  volume,
});
const venueOf = (o: Partial<VenueConfig> = {}, strictFilters = false) =>
  createVenue({
    config: cfg(o),
    symbols: [SYM],
    barMs: H,
    strictFilters,
    instruments: strictFilters
      ? { [SYM]: defineInstrument({ symbol: SYM, tickSize: 0.01, lotSize: 0.001, minNotional: 10 }) }
      : {},
  });
const brief = (es: readonly VenueEvent[]): string[] =>
  es.map((e) =>
    e.type === "order"
      ? `${e.clientOrderId}:${e.status}:${e.filledQty}/${e.remainingQty}`
      : e.type === "fill"
        ? `${e.tradeId}:${e.clientOrderId ?? "-"}:${e.fill.side}:${e.fill.qty}@${e.fill.price}`
        : `funding:${e.amount}`,
  );

describe("the simulated venue", () => {
  it("acknowledges, fills a market order at the next open and a limit inside the bar as maker", () => {
    const v = venueOf();
    expect(v.submit({ clientOrderId: "a", symbol: SYM, side: "buy", type: "market", qty: 2 }).status).toBe(
      "acknowledged",
    );
    expect(
      v.submit({ clientOrderId: "b", symbol: SYM, side: "sell", type: "limit", qty: 1, limitPrice: 104 })
        .status,
    ).toBe("acknowledged");
    // open 100: the market buy fills there (taker); high 105 reaches the 104 limit (maker)
    const es = v.onBar(1, { [SYM]: bar(1, 100, 105, 99, 103) });
    expect(brief(es)).toEqual(["T1:a:buy:2@100", "a:filled:2/0", "T2:b:sell:1@104", "b:filled:1/0"]);
    const third = es[2];
    const maker = third?.type === "fill" ? third.fill : undefined;
    expect(maker?.liquidity).toBe("maker");
    expect(maker?.fee).toBeCloseTo(0.104, 12);
    expect(v.account.qty(SYM)).toBe(1);
    expect(v.account.cash).toBeCloseTo(10_000 - 200 - 0.2 + 104 - 0.104, 9);
    expect(v.lookup("a")).toMatchObject({ status: "filled", filledQty: 2, avgFillPrice: 100 });
    expect(v.openOrders()).toEqual([]);
    expect(v.account.positions()).toEqual([
      expect.objectContaining({ symbol: SYM, side: "long", qty: 1, avgEntryPrice: 100 }),
    ]);
  });

  it("rejects what it cannot honour, in words, and never throws for a bad order", () => {
    const v = venueOf();
    const r = (o: Parameters<typeof v.submit>[0]) => v.submit(o).reason;
    expect(r({ clientOrderId: "x", symbol: "ETH/USDT", side: "buy", type: "market", qty: 1 })).toBe(
      "order for unknown symbol ETH/USDT",
    );
    expect(r({ clientOrderId: "x", symbol: SYM, side: "buy", type: "market", qty: 0 })).toBe(
      "order qty must be > 0, got 0",
    );
    expect(
      r({ clientOrderId: "x", symbol: SYM, side: "buy", type: "stop-limit", qty: 1, stopPrice: 5 }),
    ).toBe("stop-limit order needs limitPrice > 0");
    expect(v.submit({ clientOrderId: "x", symbol: SYM, side: "buy", type: "market", qty: 1 }).status).toBe(
      "acknowledged",
    );
    // a resend under the same id is refused; the sender resolves it by lookup
    expect(r({ clientOrderId: "x", symbol: SYM, side: "buy", type: "market", qty: 1 })).toBe(
      "duplicate client order id x",
    );
    expect(v.lookup("x")?.status).toBe("acknowledged");
  });

  it("with strict filters rejects at submit as an exchange does (LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL)", () => {
    const v = venueOf({}, true);
    const lim = (id: string, qty: number, limitPrice: number) =>
      v.submit({ clientOrderId: id, symbol: SYM, side: "buy", type: "limit", qty, limitPrice }).reason ??
      "ok";
    expect(lim("1", 0.0015, 100)).toMatch(/^LOT_SIZE: /);
    expect(lim("2", 1, 100.005)).toMatch(/^PRICE_FILTER: /);
    expect(lim("3", 0.05, 100)).toBe(
      "MIN_NOTIONAL: BTC/USDT: order value 5 is below the minimum notional 10",
    );
    expect(lim("4", 0.2, 100)).toBe("ok");
  });

  it("fills in parts under the participation cap and reports each part", () => {
    const v = venueOf({ participationCap: 0.1 });
    v.submit({ clientOrderId: "p", symbol: SYM, side: "buy", type: "market", qty: 25 });
    // 10% of a 100-volume bar per bar: 10, 10, then the last 5
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) seen.push(...brief(v.onBar(i, { [SYM]: bar(i, 100, 101, 99, 100, 100) })));
    expect(seen).toEqual([
      "T1:p:buy:10@100",
      "p:partially_filled:10/15",
      "T2:p:buy:10@100",
      "p:partially_filled:20/5",
      "T3:p:buy:5@100",
      "p:filled:25/0",
    ]);
  });

  it("ioc expires its rest after the first bar, fok fills all or nothing, gtc expires after expireAfterBars", () => {
    const v = venueOf({ participationCap: 0.1 });
    v.submit({ clientOrderId: "i", symbol: SYM, side: "buy", type: "market", qty: 15, timeInForce: "ioc" });
    v.submit({
      clientOrderId: "f",
      symbol: SYM,
      side: "buy",
      type: "limit",
      qty: 5,
      limitPrice: 99,
      timeInForce: "fok",
    });
    v.submit({
      clientOrderId: "g",
      symbol: SYM,
      side: "buy",
      type: "limit",
      qty: 1,
      limitPrice: 90,
      expireAfterBars: 2,
    });
    const b1 = brief(v.onBar(1, { [SYM]: bar(1, 100, 101, 98, 100, 100) }));
    // ioc: 10 of 15 (cap), rest expired at the open; fok: the cap room is used up, so nothing
    expect(b1).toEqual(["T1:i:buy:10@100", "i:partially_filled:10/5", "i:expired:10/0", "f:expired:0/0"]);
    expect(brief(v.onBar(2, { [SYM]: bar(2, 100, 101, 98, 100, 100) }))).toEqual(["g:expired:0/0"]);
    expect(v.lookup("g")?.reason).toBe("gtc: expired after 2 bars");
  });

  it("cuts reduce-only to the position and cancels it when there is nothing to reduce", () => {
    const v = venueOf();
    v.submit({ clientOrderId: "r", symbol: SYM, side: "sell", type: "market", qty: 1, reduceOnly: true });
    expect(brief(v.onBar(1, { [SYM]: bar(1, 100, 101, 99, 100) }))).toEqual(["r:cancelled:0/0"]);
    v.setTarget(SYM, 2, "signal");
    v.submit({
      clientOrderId: "r2",
      symbol: SYM,
      side: "sell",
      type: "limit",
      qty: 5,
      limitPrice: 102,
      reduceOnly: true,
    });
    // the target buys 2 at the open; the reduce-only sell is cut to those 2 at its limit
    expect(brief(v.onBar(2, { [SYM]: bar(2, 100, 103, 99, 102) }))).toEqual([
      "T1:-:buy:2@100",
      "T2:r2:sell:2@102",
      "r2:partially_filled:2/3",
    ]);
    expect(v.account.qty(SYM)).toBe(0);
  });

  it("cancels by id once; a second cancel or an unknown id answers undefined", () => {
    const v = venueOf();
    v.submit({ clientOrderId: "c", symbol: SYM, side: "buy", type: "limit", qty: 1, limitPrice: 50 });
    expect(v.cancel("c")).toMatchObject({
      status: "cancelled",
      remainingQty: 0,
      reason: "cancelled by the sender",
    });
    expect(v.cancel("c")).toBeUndefined();
    expect(v.cancel("nope")).toBeUndefined();
    expect(brief(v.onBar(1, { [SYM]: bar(1, 60, 61, 40, 50) }))).toEqual([]);
  });

  it("on a perp charges funding after the open fills and liquidates at the liquidation price, with events", () => {
    const v = createVenue({
      config: cfg({ market: "perp", leverage: 10, fundingIntervalMs: H }),
      symbols: [SYM],
      barMs: H,
    });
    v.setTarget(SYM, 10, "signal");
    // funding every hour: 10 * open 100 * 0.0001 on the position held after bar 1's open
    expect(brief(v.onBar(1, { [SYM]: bar(1, 100, 101, 99, 100) }))).toEqual([
      "T1:-:buy:10@100",
      "funding:0.1",
    ]);
    // long liquidation price 100 * (1 - 1/10) / (1 - 0.005) = 90.452..., reached by the low 89
    const es = v.onBar(2, { [SYM]: bar(2, 95, 96, 89, 92) });
    expect(brief(es)[0]).toBe("funding:0.095");
    const liq = es[1];
    expect(liq?.type === "fill" && liq.clientOrderId === undefined && liq.fill.orderType).toBe("liquidation");
    expect(liq?.type === "fill" ? liq.fill.price : 0).toBeCloseTo(90 / 0.995, 9);
    expect(v.account.qty(SYM)).toBe(0);
    expect(v.account.trades[0]?.exitReason).toBe("liquidation");
  });

  it("an order submitted between bars never fills in a bar already seen", () => {
    const v = venueOf();
    v.onBar(1, { [SYM]: bar(1, 100, 101, 99, 100) });
    v.submit({ clientOrderId: "late", symbol: SYM, side: "buy", type: "market", qty: 1 });
    expect(() => v.onBar(1, { [SYM]: bar(1, 100, 101, 99, 100) })).toThrow(
      "venue: bar index 1 does not follow 1",
    );
    expect(brief(v.onBar(2, { [SYM]: bar(2, 101, 102, 100, 101) }))).toEqual([
      "T1:late:buy:1@101",
      "late:filled:1/0",
    ]);
  });
});

// random orders, cancels and bars: every order's status sequence follows the domain table, filled
// never exceeds the quantity, fills sum to filledQty, and the same calls give the same events
describe("venue properties", () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("submit" as const),
      side: fc.constantFrom("buy" as const, "sell" as const),
      type: fc.constantFrom("market" as const, "limit" as const, "stop" as const, "stop-limit" as const),
      tif: fc.constantFrom("gtc" as const, "ioc" as const, "fok" as const),
      qty: fc.double({ min: 0.1, max: 30, noNaN: true }),
      off: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
      reduceOnly: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("cancel" as const), k: fc.nat(20) }),
    fc.record({
      kind: fc.constant("bar" as const),
      move: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
      range: fc.double({ min: 0, max: 0.05, noNaN: true }),
    }),
  );

  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
  function run(ops: Op[], perp: boolean): VenueEvent[] {
    const v = createVenue({
      config: cfg({ market: perp ? "perp" : "spot", leverage: perp ? 3 : 1, participationCap: 0.2 }),
      symbols: [SYM],
      barMs: H,
    });
    let price = 100;
    let i = 0;
    let n = 0;
    const out: VenueEvent[] = [];
    for (const o of ops) {
      if (o.kind === "submit") {
        const lvl = price * (1 + o.off);
        out.push(
          v.submit({
            clientOrderId: `o${n++}`,
            symbol: SYM,
            side: o.side,
            type: o.type,
            qty: o.qty,
            timeInForce: o.tif,
            reduceOnly: o.reduceOnly,
            ...(o.type === "limit" || o.type === "stop-limit" ? { limitPrice: lvl } : {}),
            ...(o.type === "stop" || o.type === "stop-limit" ? { stopPrice: price * (1 - o.off) } : {}),
          }),
        );
      } else if (o.kind === "cancel") {
        const e = v.cancel(`o${o.k}`);
        if (e !== undefined) out.push(e);
      } else {
        const open = price;
        const close = price * (1 + o.move);
        const b = bar(
          ++i,
          open,
          Math.max(open, close) * (1 + o.range),
          Math.min(open, close) * (1 - o.range),
          close,
          100,
        );
        out.push(...v.onBar(i, { [SYM]: b }));
        price = close;
      }
    }
    return out;
  }

  it("order events follow the transition table; filled <= qty; fills sum to filledQty; deterministic", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), (ops, perp) => {
        const events = run(ops, perp);
        expect(run(ops, perp)).toEqual(events);
        const status = new Map<string, OrderStatus>();
        const filled = new Map<string, number>();
        const qty = new Map<string, number>();
        for (const e of events) {
          if (e.type === "fill" && e.clientOrderId !== undefined)
            filled.set(e.clientOrderId, (filled.get(e.clientOrderId) ?? 0) + e.fill.qty);
          if (e.type !== "order") continue;
          const before = status.get(e.clientOrderId);
          if (before === undefined) {
            expect(["acknowledged", "rejected"]).toContain(e.status);
            qty.set(e.clientOrderId, e.filledQty + e.remainingQty);
          } else expect(canTransition(before, e.status), `${before} -> ${e.status}`).toBe(true);
          status.set(e.clientOrderId, e.status);
          const f = filled.get(e.clientOrderId) ?? 0;
          expect(e.filledQty).toBeCloseTo(f, 9);
          expect(e.filledQty).toBeLessThanOrEqual((qty.get(e.clientOrderId) ?? 0) * (1 + 1e-12));
          if (e.status === "filled") expect(e.remainingQty).toBeLessThanOrEqual(1e-9);
        }
        const orderEvents = events.filter((e): e is VenueOrderEvent => e.type === "order");
        for (const e of orderEvents) expect(e.ts).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});
