// CcxtBroker.cancel names the order it cancelled: Binance's cancel reply carries the cancel
// request's own id in clientOrderId and the order's in origClientOrderId (review finding, issue 15)
import { afterEach, describe, expect, it } from "vitest";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

describe("CcxtBroker.cancel", () => {
  it("returns the cancelled order under its own client order id, not the cancel request's", async () => {
    const sim: SimExchange = await startBundledSimExchange();
    const broker = bundledSimBroker(sim);
    open.push(broker, sim);
    const placed = await broker.submit({
      clientOrderId: "kc-order-1",
      symbol: "BTC/USDT",
      side: "buy",
      type: "limit",
      quantity: "0.01",
      price: "1000",
    });
    expect(placed.kind).toBe("accepted");
    const out = await broker.cancel("BTC/USDT", "kc-order-1");
    expect(out).toMatchObject({
      kind: "cancelled",
      order: { clientOrderId: "kc-order-1", status: "cancelled", symbol: "BTC/USDT" },
    });
    // the venue did name the request differently: the reply's clientOrderId is not the order's
    const row = sim.ledger().orders.find((o) => o.clientOrderId === "kc-order-1");
    expect(row?.status).toBe("CANCELED");
    expect(out.kind === "cancelled" && out.order.venueOrderId).toBe(String(row?.orderId));
  });
});
