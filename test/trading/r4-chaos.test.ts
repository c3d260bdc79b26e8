// R4 chaos: the order lifecycle (real SQLite store) through ccxt's binance class (CcxtBroker)
// against the simulated exchange under seeded faults: 429 5%, 5xx with unknown outcome 2%,
// timeouts before and after acceptance 2% + 2%, rejects 3%, partial fills 30%, stream drops,
// duplicates and reorders 1%. After every event filled <= quantity and the position is the sum of
// fills; no order fails without the venue's word; after quiescence the books equal the ledger.
// Orders alternate between BTC/USDT and ETH/USDT: the exchange numbers trades per symbol, as
// Binance does, so both markets have a trade 1, 2, ... and a fill is known by (symbol, trade id).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { applyFills, emptyAccount } from "../../src/execution/accounting.ts";
import { amount, formatAmount } from "../../src/execution/amount.ts";
import { clientOrderId } from "../../src/execution/client-order-id.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const HOUR = 3_600_000;
const SYMBOLS = ["BTC/USDT", "ETH/USDT"] as const;
const QTY: Record<string, string> = { "BTC/USDT": "0.002", "ETH/USDT": "0.03" };
const FAULTS =
  "create:429=0.05,create:5xx=0.02,create:timeout-before=0.02,create:timeout-after=0.02,create:reject=0.03,fill:partial=0.3,ws:drop=0.01,ws:duplicate=0.01,ws:reorder=0.01";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// CI runs 2,000; KAIROS_R4_ORDERS=10000 is the full run, and its time limit grows with it (450 ms
// an order: the 2,000-order run's 900 s, with the room a loaded machine needs)
const n = Number(process.env.KAIROS_R4_ORDERS ?? 2000);
const timeoutMs = Math.max(900_000, n * 450);

describe("R4 chaos", () => {
  it(
    "2,000 orders under seeded faults: filled <= quantity and position = sum of fills after every event, no failure without the venue's word, books = ledger, 0 fills twice",
    async () => {
      const started = Date.now();
      const sim = await startBundledSimExchange({
        seed: 4,
        faults: FAULTS,
        hangMs: 20,
        retryAfterMs: 20,
        markets: SYMBOLS.map((symbol) => ({ symbol, timeframe: "1h" as const })),
        balances: { USDT: "10000", BTC: "0.1", ETH: "2" },
        // chaos, not rate limits: Binance's 100 new orders per 10 s would pace the run (R5 tests that limit)
        orderLimits: [{ limit: 1e9, windowMs: 10_000 }],
      });
      const broker = bundledSimBroker(sim);
      const home = mkdtempSync(join(process.platform === "linux" ? "/dev/shm" : tmpdir(), "kairos-r4-"));
      dirs.push(home);
      const store = SqliteOrderStore.open(home, () => sim.now());
      const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
      const lc = new OrderLifecycle({
        store,
        broker,
        clock: { now: () => sim.now() },
        sleep,
        lookupDelayMs: 20,
      });
      store.createSession({
        id: "r4",
        mode: "live",
        venue: "binance",
        state: "active",
        config: {},
        createdAt: 0,
        updatedAt: 0,
      });
      const baseline = sim.ledger().initial;
      const violations: string[] = [];
      const checkOrder = (o: OrderRecord): void => {
        const recorded = store.fillsOfOrder(o.clientOrderId).reduce((s, f) => s + amount(f.qty), 0n);
        if (amount(o.filledQty) > amount(o.qty) || recorded > amount(o.qty))
          violations.push(
            `${o.clientOrderId}: filled ${o.filledQty} / fills ${formatAmount(recorded)} of ${o.qty}`,
          );
        if (
          o.state === "rejected" &&
          !/^(insufficient-funds|filter-failure|unknown-symbol|other): /.test(o.reason ?? "")
        )
          violations.push(`${o.clientOrderId}: rejected without the venue's word (${o.reason})`);
      };
      let events = 0;
      const unsubscribe = await broker.subscribe!((e) => {
        events++;
        lc.onEvent(e);
        if (e.kind === "order") {
          const o = store.getOrder(e.order.clientOrderId);
          if (o !== undefined) checkOrder(o);
        }
      });
      const t0 = sim.now();
      for (let seq = 1; seq <= n; seq++) {
        const o: OrderRecord = {
          clientOrderId: clientOrderId("r4", seq, 0),
          sessionId: "r4",
          decisionSeq: seq,
          leg: 0,
          venue: "binance",
          symbol: SYMBOLS[seq % 2]!,
          side: seq % 3 === 0 ? "sell" : "buy",
          type: "market",
          qty: QTY[SYMBOLS[seq % 2]!]!,
          state: "intent",
          filledQty: "0",
          attempts: 0,
          createdAt: sim.now(),
          updatedAt: sim.now(),
        };
        store.recordDecision(
          { sessionId: "r4", seq, barTs: sim.now(), targets: {}, explanation: "", createdAt: 0 },
          [o],
        );
        checkOrder(await lc.send(o.clientOrderId));
        if (seq % 4 === 0) {
          sim.advance(HOUR);
          for (const sym of SYMBOLS) await lc.syncFills(sym, sim.now() - 2 * HOUR, "poll");
        }
      }
      // quiescence: the last bar closes, every order is settled and every fill polled
      sim.advance(HOUR);
      for (let pass = 0; pass < 5; pass++) {
        await lc.settle("r4");
        for (const sym of SYMBOLS) await lc.syncFills(sym, t0, "reconcile");
      }
      await unsubscribe();
      const orders = store.ordersOf("r4");
      for (const o of orders) checkOrder(o);
      const ledger = sim.ledger();
      const fills = store.fillsOf("r4");
      const ledgerFills = ledger.fills.filter((f) => String(f.clientOrderId).startsWith("kr-r4-"));
      const acc = applyFills(emptyAccount(baseline), fills);
      const books = Object.fromEntries([...acc.balances].map(([a, v]) => [a, formatAmount(v)]));
      const venue = Object.fromEntries(
        Object.entries(ledger.balances).map(([a, b]) => [a, formatAmount(amount(b.free) + amount(b.locked))]),
      );
      const perId = new Map<string, number>();
      for (const o of ledger.orders)
        perId.set(String(o.clientOrderId), (perId.get(String(o.clientOrderId)) ?? 0) + 1);
      const summary = {
        orders: n,
        states: Object.fromEntries(
          [...new Set(orders.map((o) => o.state))].map((s) => [
            s,
            orders.filter((o) => o.state === s).length,
          ]),
        ),
        fills: fills.length,
        ledgerFills: ledgerFills.length,
        streamEvents: events,
        http: Object.fromEntries(sim.statusCounts),
        faults: Object.fromEntries([...sim.faults.seen].sort()),
        // the run's pace is Binance's request weight (6,000 a minute, 90% used), not the machine
        gate: broker.weightGate?.stats,
        seconds: Math.round((Date.now() - started) / 1000),
      };
      process.stderr.write(`R4: ${JSON.stringify(summary)}\n`);
      const unknownToKairos = ledger.orders.filter(
        (o) => store.getOrder(String(o.clientOrderId)) === undefined,
      );
      await broker.close();
      await sim.close();
      store.close();
      expect(violations).toEqual([]);
      expect(
        orders.filter((o) => o.state === "unknown" || o.state === "sent" || o.state === "intent"),
      ).toEqual([]);
      expect([...perId.values()].every((c) => c === 1)).toBe(true);
      expect(unknownToKairos).toEqual([]);
      const key = (symbol: string, id: unknown): string => `${symbol.replace("/", "")}#${String(id)}`;
      const ours = fills.map((f) => key(f.symbol, f.tradeId));
      expect(new Set(ours).size).toBe(fills.length); // 0 fills applied twice
      expect(ours.sort()).toEqual(ledgerFills.map((f) => key(String(f.symbol), f.id)).sort());
      // the per-symbol numbering was exercised: trade ids that both markets used, each fill kept
      const ids = (sym: string) => new Set(fills.filter((f) => f.symbol === sym).map((f) => f.tradeId));
      const shared = [...ids("BTC/USDT")].filter((id) => ids("ETH/USDT").has(id));
      expect(shared.length).toBeGreaterThan(10);
      expect(books).toEqual(venue);
    },
    timeoutMs,
  );
});
