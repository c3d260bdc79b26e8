// The Broker contract: one suite every implementation runs with its own factory (CcxtBroker
// against the simulated exchange, PaperBroker in-process), so both honour the port the same way
import { afterEach, describe, expect, it } from "vitest";
import type { Broker, OrderSubmission } from "../../src/ports/broker.ts";

/** A broker under test, funded with 10,000 of `quote` and nothing else, trading `symbol` */
export interface BrokerUnderTest {
  readonly broker: Broker;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** the last closed price, for placing orders near or far from the market */
  refPrice(): number;
  /** closes the next bar on the venue (orders placed before it are matched) */
  closeBar(): Promise<void>;
  close(): Promise<void>;
}

const dec = (x: number, places: number): string => x.toFixed(places);

/** Registers the contract's tests for one implementation */
export function describeBrokerContract(name: string, make: () => Promise<BrokerUnderTest>): void {
  describe(`Broker contract: ${name}`, () => {
    const opened: BrokerUnderTest[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((x) => x.close()));
    });
    const setup = async (): Promise<BrokerUnderTest> => {
      const t = await make();
      opened.push(t);
      return t;
    };
    const farLimit = (t: BrokerUnderTest, clientOrderId: string): OrderSubmission => ({
      clientOrderId,
      symbol: t.symbol,
      side: "buy",
      type: "limit",
      quantity: "0.01",
      price: dec(Math.round(t.refPrice() * 0.5), 2),
    });

    it("accepts an order, finds it by client id and among open orders, cancels it once", async () => {
      const t = await setup();
      const r = await t.broker.submit(farLimit(t, "ct-1"));
      expect(r).toMatchObject({
        kind: "accepted",
        order: { clientOrderId: "ct-1", status: "open", side: "buy", type: "limit" },
      });
      expect(await t.broker.lookup(t.symbol, "ct-1")).toMatchObject({
        clientOrderId: "ct-1",
        status: "open",
      });
      expect((await t.broker.openOrders(t.symbol)).map((o) => o.clientOrderId)).toEqual(["ct-1"]);
      expect((await t.broker.openOrders()).map((o) => o.clientOrderId)).toEqual(["ct-1"]);
      expect(await t.broker.cancel(t.symbol, "ct-1")).toMatchObject({
        kind: "cancelled",
        order: { status: "cancelled" },
      });
      expect((await t.broker.cancel(t.symbol, "ct-1")).kind).toBe("not-open");
      expect(await t.broker.lookup(t.symbol, "ct-1")).toMatchObject({ status: "cancelled" });
      expect(await t.broker.openOrders()).toEqual([]);
    });

    it("never places a second order under a client id it has seen", async () => {
      const t = await setup();
      expect((await t.broker.submit(farLimit(t, "ct-2"))).kind).toBe("accepted");
      expect(await t.broker.submit(farLimit(t, "ct-2"))).toMatchObject({
        kind: "rejected",
        code: "duplicate-client-order-id",
      });
      expect(await t.broker.openOrders()).toHaveLength(1);
    });

    it("knows nothing of an id it never saw, and says so without throwing", async () => {
      const t = await setup();
      expect(await t.broker.lookup(t.symbol, "never-sent")).toBeUndefined();
      expect((await t.broker.cancel(t.symbol, "never-sent")).kind).toBe("not-open");
    });

    it("refuses, in the venue's words, an order below the minimum notional and one it cannot pay for", async () => {
      const t = await setup();
      const rules = await t.broker.marketRules(t.symbol);
      expect(rules).toMatchObject({ symbol: t.symbol, base: t.base, quote: t.quote, marketType: "spot" });
      expect(Number(rules.minNotional)).toBeGreaterThan(0);
      const tiny = await t.broker.submit({
        ...farLimit(t, "ct-3"),
        quantity: rules.stepSize,
        price: dec(Math.round(t.refPrice() * 0.5), 2),
      });
      expect(tiny).toMatchObject({ kind: "rejected", code: "filter-failure" });
      // twice the account's value at the limit price, within the lot's maximum
      const huge = await t.broker.submit({
        ...farLimit(t, "ct-4"),
        quantity: dec(40_000 / Math.round(t.refPrice() * 0.5), 2),
      });
      expect(huge).toMatchObject({ kind: "rejected", code: "insufficient-funds" });
      expect(await t.broker.lookup(t.symbol, "ct-3")).toBeUndefined();
      expect(await t.broker.openOrders()).toEqual([]);
    });

    it("fills a market order on the next bar; fills are unique by trade id and reading them twice changes nothing", async () => {
      const t = await setup();
      expect(
        (
          await t.broker.submit({
            clientOrderId: "ct-5",
            symbol: t.symbol,
            side: "buy",
            type: "market",
            quantity: "0.01",
          })
        ).kind,
      ).toBe("accepted");
      await t.broker.submit(farLimit(t, "ct-6"));
      await t.closeBar();
      const fills = await t.broker.fillsSince(t.symbol, 0);
      expect(fills.length).toBeGreaterThanOrEqual(1);
      expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);
      expect(await t.broker.fillsSince(t.symbol, 0)).toEqual(fills);
      const qty = fills.reduce((a, f) => a + Number(f.quantity), 0);
      expect(qty).toBeCloseTo(0.01, 10);
      expect(fills.every((f) => f.side === "buy" && f.feeCurrency === t.quote && Number(f.fee) > 0)).toBe(
        true,
      );
      expect(await t.broker.lookup(t.symbol, "ct-5")).toMatchObject({
        status: "filled",
        filledQuantity: "0.01",
      });
      expect(await t.broker.positions([t.symbol])).toEqual([{ symbol: t.symbol, quantity: "0.01" }]);
      // quote: 10,000 - cost - fee, with the limit's reservation locked
      const bal = await t.broker.balances();
      const quote = bal.find((b) => b.asset === t.quote)!;
      const cost = fills.reduce((a, f) => a + Number(f.quantity) * Number(f.price) + Number(f.fee), 0);
      expect(Number(quote.free) + Number(quote.locked)).toBeCloseTo(10_000 - cost, 6);
      expect(Number(quote.locked)).toBeGreaterThan(0);
      expect(bal.find((b) => b.asset === t.base)).toMatchObject({ free: "0.01" });
    });

    it("reports the venue's clock and what the key may do", async () => {
      const t = await setup();
      expect(Number.isInteger(await t.broker.serverTime())).toBe(true);
      const p = await t.broker.permissions();
      expect(p.canWithdraw === false || p.canWithdraw === undefined).toBe(true);
    });
  });
}
