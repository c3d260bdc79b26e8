// Issue 17, "raw reject codes": a rejected order's audit record carries kairos's category and the
// venue's own code as fields of their own, and `kairos audit show --order` prints them. The rejects
// come from the simulated exchange through ccxt's binance class: -2010 injected (`create:reject=1`,
// a text ccxt knows, so ccxt's own message drops the code) and -1013 from a real NOTIONAL filter.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { verifyStoredLog } from "../../src/app/audit-verify.ts";
import { rejectCodesOf, venueCodeOfBody } from "../../src/audit/reject-code.ts";
import { createContainer } from "../../src/composition-root.ts";
import { clientOrderId } from "../../src/execution/client-order-id.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const home = tempHome("kairos-reject-codes-");
afterAll(() => rmSync(`${home}-anchors`, { recursive: true, force: true }));

describe("raw reject codes in the audit log", () => {
  it("parses the venue's code from each venue's wording, and none from a reason without one", () => {
    expect(
      rejectCodesOf(
        "insufficient-funds: binance reports insufficient funds while submitting: Account has insufficient balance for requested action. (venue code -2010)",
      ),
    ).toEqual({ rejectCode: "insufficient-funds", venueRejectCode: -2010 });
    expect(
      rejectCodesOf(
        'filter-failure: binance rejected the request while submitting: {"code":-1013,"msg":"Filter failure: NOTIONAL"}',
      ),
    ).toEqual({ rejectCode: "filter-failure", venueRejectCode: -1013 });
    expect(rejectCodesOf('other: okx {"code":"1","data":[{"sCode":"51008"}],"msg":""}')).toEqual({
      rejectCode: "other",
      venueRejectCode: 1,
    });
    expect(rejectCodesOf('other: bybit {"retCode":110007,"retMsg":"ab not enough"}').venueRejectCode).toBe(
      110007,
    );
    expect(rejectCodesOf('insufficient-funds: kraken {"error":["EOrder:Insufficient funds"]}')).toEqual({
      rejectCode: "insufficient-funds",
      venueRejectCode: "EOrder:Insufficient funds",
    });
    // the paper venue and kairos-side refusals name no venue code
    expect(rejectCodesOf("insufficient-funds: paper: 500 USDT needed, 20 free")).toEqual({
      rejectCode: "insufficient-funds",
      venueRejectCode: null,
    });
    expect(rejectCodesOf(undefined)).toEqual({ rejectCode: null, venueRejectCode: null });
    // a success envelope is no refusal
    expect(venueCodeOfBody('{"code":0,"msg":"ok"}')).toBeNull();
    expect(venueCodeOfBody('{"code":"0"}')).toBeNull();
  });

  it("-2010 (injected) and -1013 (NOTIONAL filter) from the simulated exchange: order.event records and `audit show` name them", async () => {
    const c = createContainer({ home });
    const t = c.trading();
    const injected = await startBundledSimExchange({ seed: 7, faults: "create:reject=1" });
    const plain = await startBundledSimExchange({ seed: 7 });
    const now = injected.now();
    t.orders.createSession({
      id: "rj",
      mode: "live",
      venue: "binance",
      state: "active",
      config: { exchange: "binance", symbols: ["BTC/USDT"], timeframe: "1h", strategy: "reject-test" },
      createdAt: now,
      updatedAt: now,
    });
    const order = (seq: number, qty: string): OrderRecord => ({
      clientOrderId: clientOrderId("rj", seq, 0),
      sessionId: "rj",
      decisionSeq: seq,
      leg: 0,
      venue: "binance",
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      qty,
      state: "intent",
      filledQty: "0",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    });
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const cases = [
      { sim: injected, o: order(1, "0.01"), code: "insufficient-funds", venue: -2010 },
      { sim: plain, o: order(2, "0.00001"), code: "filter-failure", venue: -1013 },
    ];
    for (const k of cases) {
      const broker = bundledSimBroker(k.sim);
      const lc = new OrderLifecycle({
        store: t.orders,
        broker,
        clock: { now: () => k.sim.now() },
        sleep,
        lookupDelayMs: 10,
      });
      t.orders.recordDecision(
        {
          sessionId: "rj",
          seq: k.o.decisionSeq,
          barTs: now,
          targets: { "BTC/USDT": 0.1 },
          explanation: `reject test ${k.o.decisionSeq}`,
          createdAt: now,
        },
        [k.o],
      );
      const after = await lc.send(k.o.clientOrderId);
      expect(after.state).toBe("rejected");
      await broker.close();
      await k.sim.close();
    }
    expect(verifyStoredLog(c.audit(), c.auditCrypto)).toMatchObject({ ok: true });
    const recs = [...c.audit().records()].map(
      (r) => JSON.parse(r.body) as { kind: string; data: Record<string, unknown> },
    );
    c.close();
    for (const k of cases) {
      const ev = recs.find(
        (r) =>
          r.kind === "order.event" &&
          r.data.clientOrderId === k.o.clientOrderId &&
          r.data.state === "rejected",
      );
      expect(ev?.data).toMatchObject({ rejectCode: k.code, venueRejectCode: k.venue });
      const shown = await runKairosInProcess(["audit", "show", "--order", k.o.clientOrderId], { home });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(
        new RegExp(`order\\.event\\s+${k.o.clientOrderId} rejected ${k.code} venue code ${k.venue} \\(`),
      );
      const json = await runKairosInProcess(["--json", "audit", "show", "--order", k.o.clientOrderId], {
        home,
      });
      const steps = (JSON.parse(json.stdout) as { steps: { kind: string; data: Record<string, unknown> }[] })
        .steps;
      expect(steps.find((s) => s.data.state === "rejected")?.data.venueRejectCode).toBe(k.venue);
    }
  }, 120_000);
});
