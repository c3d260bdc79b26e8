// R8 kill on the simulated exchange (issue 16): kairos's simulated exchange, ccxt's real binance
// class pointed at it, the real SQLite order store and audit log. Each trial: 50 resting orders on
// each of 3 symbols, a trader that keeps submitting through the pre-trade gate and the lifecycle,
// then the kill switch, which cancels with one DELETE /api/v3/openOrders per market (per-order
// cancels for what that does not settle). Per trial: time until every cancel was handed to the exchange's broker, until
// the last one reached the exchange (a pass-through door in front of it stamps arrivals), and until
// every order's final state was confirmed, equal to the exchange's ledger; 0 submits after the latch (none issued by kairos, and none reaches
// the exchange but those already on their way when it fell, which the kill cancels); 0 orders left open
// on the exchange's own books. Then kill -9: a real child process pulling the switch (one cancel per
// order) is SIGKILLed halfway through its cancels; after the restart the latch holds, a trader sends
// nothing, and a second kill (bulk) finishes the cancels, its store equal to the exchange's books.
// CI runs 5 trials and reports the times; a run with KAIROS_R8_TRIALS set (the 100:
// KAIROS_R8_TRIALS=100) also judges them against the limits: p99 <= 1 s until the last cancel
// reached the exchange, p99 <= 5 s until all were confirmed.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyStoredLog } from "../../src/app/audit-verify.ts";
import { killAll } from "../../src/app/kill.ts";
import { SessionRiskGate } from "../../src/app/risk-gate.ts";
import { readTradingState, resumeTradingState } from "../../src/app/risk-trading-state.ts";
import type { TradingDeps } from "../../src/app/trade-runtime.ts";
import { createContainer } from "../../src/composition-root.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { writeTestLimits } from "../trading/trading-limits.ts";
import {
  fmt,
  type KillRig,
  killMeasured,
  openOnExchange,
  percentile,
  placeResting,
  R8_SYMBOLS,
  startKillRig,
} from "./r8-kill-sim.ts";

const TRIALS = Number(process.env.KAIROS_R8_TRIALS ?? 5);
/** the limits are judged on a run that asks for its trials (CI's 5 on a shared machine only report) */
const JUDGE = process.env.KAIROS_R8_TRIALS !== undefined;
const SEND_P99_LIMIT_MS = 1000;
const CONFIRM_P99_LIMIT_MS = 5000;
const rigs: KillRig[] = [];
afterAll(async () => {
  for (const r of rigs.splice(0)) {
    await r.close();
    rmSync(r.home, { recursive: true, force: true });
  }
});

/**
 * Every order's final state in the store equals the exchange's ledger (refused ones and intents
 * withdrawn before sending never reached it)
 */
async function expectStoreMatchesExchange(rig: KillRig, orders: readonly OrderRecord[]): Promise<void> {
  const ledger = new Map(
    (await rig.sim.ledger()).orders.map((o) => [String(o.clientOrderId), String(o.status)]),
  );
  const word: Record<string, string> = { cancelled: "CANCELED", filled: "FILLED" };
  for (const o of orders)
    if (o.state !== "rejected" && !(o.state === "cancelled" && o.reason === "withdrawn before sending"))
      expect([o.clientOrderId, word[o.state] ?? o.state]).toEqual([
        o.clientOrderId,
        ledger.get(o.clientOrderId),
      ]);
}

/**
 * A trading loop of its own session: every few ms one limit buy 4% under the market through the
 * pre-trade gate (its own SessionRiskGate on the home: it reads the latch) and, when accepted,
 * stored and sent through the lifecycle. Returns the times of its submits (broker calls).
 */
function startTrader(rig: KillRig, t: TradingDeps, sessionId: string) {
  const now = Date.now();
  t.orders.createSession({
    id: sessionId,
    mode: "live",
    venue: rig.broker.venue,
    state: "active",
    config: { exchange: "binance", symbols: [...R8_SYMBOLS], timeframe: "1h", strategy: "r8-trader" },
    createdAt: now,
    updatedAt: now,
  });
  const submits: number[] = [];
  const counting = new Proxy(rig.broker, {
    get(target, prop) {
      if (prop === "submit")
        return (o: Parameters<typeof target.submit>[0]) => {
          submits.push(performance.now());
          return target.submit(o);
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const gate = new SessionRiskGate({
    home: rig.home,
    orders: t.orders,
    broker: counting,
    clock: t.clock,
    rules: rig.rules,
    // the bar's close is the gate's time: the manual exchange clock is not wall time
    timing: "replay",
    ...(t.audit === undefined ? {} : { audit: t.audit }),
  });
  const lifecycle = new OrderLifecycle({ store: t.orders, broker: counting, clock: t.clock, sleep: t.sleep });
  let stop = false;
  let refused = 0;
  const done = (async () => {
    for (let seq = 1; !stop; seq++) {
      const symbol = R8_SYMBOLS[seq % 3]!;
      const r = rig.rules.get(symbol)!;
      const ref = rig.ref(symbol);
      const price = Math.floor((ref * 0.96) / Number(r.tickSize)) * Number(r.tickSize);
      const qty = Math.ceil((2 * Number(r.minNotional)) / price / Number(r.stepSize)) * Number(r.stepSize);
      const o: OrderRecord = {
        clientOrderId: `${sessionId}-${seq}`,
        sessionId,
        decisionSeq: seq,
        leg: 0,
        venue: rig.broker.venue,
        symbol,
        side: "buy",
        type: "limit",
        qty: fmt(qty, r.stepSize),
        limitPrice: fmt(price, r.tickSize),
        state: "intent",
        filledQty: "0",
        attempts: 0,
        createdAt: Date.now(),
        updatedAt: Date.now(),
      };
      // each attempt is a new bar 10 s later: the message buckets refill, no duplicate window
      const closeTs = rig.sim.now() + seq * 10_000;
      const screened = await gate.screen([o], {
        sessionId,
        barTs: closeTs - 3_600_000,
        closeTs,
        prices: { [symbol]: ref },
        positions: {},
        equity: 1e8,
      });
      refused += screened.refused.length;
      if (screened.accepted.length > 0) {
        t.orders.recordDecision(
          { sessionId, seq, barTs: closeTs, targets: {}, explanation: "r8 trader", createdAt: Date.now() },
          screened.accepted,
        );
        await lifecycle.sendMany(screened.accepted.map((x) => x.clientOrderId));
      }
      await new Promise((w) => setTimeout(w, 5));
    }
  })();
  return {
    submits,
    refused: () => refused,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

describe("R8 kill on the simulated exchange", () => {
  it(
    `${TRIALS} trials x 50 open orders x 3 symbols: cancels sent and confirmed, 0 submits after the latch, 0 left open`,
    async () => {
      const rig = await startKillRig("kairos-r8-");
      rigs.push(rig);
      writeTestLimits(rig.home, {
        maxOrderValue: "100000",
        maxOrderQty: "100000",
        maxExposurePerSymbol: "1e9",
        maxExposureTotal: "1e9",
        throttleExecutions: "100000",
      });
      const sendMs: number[] = [];
      const wireMs: number[] = [];
      const confirmMs: number[] = [];
      let afterLatch = 0;
      let exchangeAfterLatch = 0;
      let traderBefore = 0;
      let inFlightAtLatch = 0;
      let bulkRequests = 0;
      let singleRequests = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const { container, ids } = await placeResting(rig, `k${trial}`, 50);
        try {
          expect(ids).toHaveLength(150);
          expect(await openOnExchange(rig, `k${trial}-`)).toBe(150);
          const t = container.trading();
          const trader = startTrader(rig, t, `t${trial}`);
          // the trader submits for a while before the switch is pulled, at a different moment each trial
          while (trader.submits.length < 3) await new Promise((w) => setTimeout(w, 2));
          await new Promise((w) => setTimeout(w, (trial * 7) % 23));
          const killing = killMeasured(rig, () =>
            killAll(
              {
                home: rig.home,
                orders: t.orders,
                clock: t.clock,
                sleep: t.sleep,
                ...(t.audit === undefined ? {} : { audit: t.audit }),
                venueFor: () => rig.broker,
              },
              { by: "r8" },
            ),
          );
          // killAll latches synchronously before its first await: from here on nothing may be submitted
          const latchAt = performance.now();
          // a create already on its way when the latch fell may still arrive: those orders are the kill's to cancel
          const inFlight = new Set(
            t.orders.ordersOf(`t${trial}`, ["sent", "unknown"]).map((o) => o.clientOrderId),
          );
          inFlightAtLatch += inFlight.size;
          expect(readTradingState(rig.home).state).toBe("halted");
          const r = await killing;
          // the trader keeps trying a little longer
          await new Promise((w) => setTimeout(w, 30));
          await trader.stop();
          traderBefore += trader.submits.length;
          afterLatch += trader.submits.filter((x) => x >= latchAt).length;
          exchangeAfterLatch += rig.creates.filter((c) => c.at >= latchAt && !inFlight.has(c.id)).length;
          expect(trader.refused()).toBeGreaterThan(0);
          expect(r.stillOpen, r.problems.slice(0, 5).join("\n")).toBe(0);
          expect(r.unreached).toEqual([]);
          expect(r.cancelled).toBeGreaterThanOrEqual(150);
          expect(await openOnExchange(rig)).toBe(0);
          // one request per market; per-order cancels only for what the bulk answers did not settle
          expect(r.cancelRequests.bulk).toBe(3);
          bulkRequests += r.cancelRequests.bulk;
          singleRequests += r.cancelRequests.single;
          // every order of the trial is final in the store exactly as on the exchange's books
          await expectStoreMatchesExchange(rig, [
            ...t.orders.ordersOf(`k${trial}`),
            ...t.orders.ordersOf(`t${trial}`),
          ]);
          sendMs.push(r.sendMs);
          wireMs.push(r.wireSendMs);
          confirmMs.push(r.confirmMs);
          // the next trial starts from a person's resume; finished sessions stop
          for (const id of [`k${trial}`, `t${trial}`]) t.orders.setState(id, "stopped");
          resumeTradingState({ home: rig.home, now: Date.now }, { by: "r8", reason: "next trial" });
        } finally {
          container.close();
        }
      }
      const figures = {
        trials: TRIALS,
        ordersPerTrial: 150,
        sendMs: { p50: percentile(sendMs, 50), p99: percentile(sendMs, 99), max: Math.max(...sendMs) },
        lastCancelAtExchangeMs: {
          p50: percentile(wireMs, 50),
          p99: percentile(wireMs, 99),
          max: Math.max(...wireMs),
        },
        confirmMs: {
          p50: percentile(confirmMs, 50),
          p99: percentile(confirmMs, 99),
          max: Math.max(...confirmMs),
        },
        cancelRequests: { bulk: bulkRequests, single: singleRequests },
        loadavg: readFileSync("/proc/loadavg", "utf8").trim(),
        judged: JUDGE,
        traderSubmitsBeforeLatch: traderBefore,
        inFlightAtLatch,
        submitsAfterLatch: afterLatch,
        exchangeCreatesAfterLatch: exchangeAfterLatch,
      };
      process.stderr.write(`R8: ${JSON.stringify(figures)}\n`);
      expect(afterLatch).toBe(0);
      expect(exchangeAfterLatch).toBe(0);
      // the limits, on the run that asks for its trials (the bench kill-sim-150 measures the same on a quiet machine)
      if (JUDGE) {
        expect(figures.lastCancelAtExchangeMs.p99).toBeLessThanOrEqual(SEND_P99_LIMIT_MS);
        expect(figures.sendMs.p99).toBeLessThanOrEqual(SEND_P99_LIMIT_MS);
        expect(figures.confirmMs.p99).toBeLessThanOrEqual(CONFIRM_P99_LIMIT_MS);
      }
      // the audit chain holds every kill and still verifies
      const c = createContainer({ home: rig.home });
      try {
        const v = verifyStoredLog(c.audit(), c.auditCrypto);
        expect(v).toMatchObject({ ok: true, firstBadSeq: null });
        const kills = [...c.audit().records()].filter((x) => x.body.includes('"kind":"kill"')).length;
        expect(kills).toBe(2 * TRIALS);
      } finally {
        c.close();
      }
    },
    Math.max(600_000, TRIALS * 20_000),
  );

  it("the latch survives kill -9 of the process pulling the switch, and a restart: nothing is submitted, a second kill finishes", async () => {
    const rig = await startKillRig("kairos-r8-k9-");
    rigs.push(rig);
    writeTestLimits(rig.home, { maxExposurePerSymbol: "1e9", maxExposureTotal: "1e9" });
    const { container } = await placeResting(rig, "k9", 50);
    container.close();
    expect(await openOnExchange(rig)).toBe(150);
    const child = spawn(
      process.execPath,
      // per-order cancels in the child: 150 requests give the SIGKILL room to land between them (3 bulk
      // ones are done before it can), and it holds those after its 75th until killed (this loop may be
      // starved for longer than the cancels take); the restart's kill then takes the default bulk path
      [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "r8-kill-child.ts"),
        rig.home,
        rig.sim.url,
        "per-order",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_c, s) => done(s)));
    // SIGKILL once the latch is on disk and the exchange has cancelled some, not all, of the orders
    let openAtKill = -1;
    try {
      for (let i = 0; i < 30_000; i++) {
        const open = await openOnExchange(rig);
        if (readTradingState(rig.home).state === "halted" && open < 150) {
          child.kill("SIGKILL");
          openAtKill = open;
          break;
        }
        await new Promise((w) => setTimeout(w, 1));
      }
    } finally {
      // the child never finishes on its own (it holds its last cancels): never leave it behind
      if (openAtKill < 0) child.kill("SIGKILL");
    }
    expect(openAtKill, `the child was never seen halfway through its cancels\n${err}`).toBeGreaterThan(0);
    expect(await exited, err).toBe("SIGKILL");
    process.stderr.write(`R8 kill -9: ${openAtKill} of 150 orders still open on the exchange at SIGKILL\n`);
    // restart: a fresh process state reads the home
    expect(readTradingState(rig.home).state).toBe("halted");
    const c = createContainer({ home: rig.home });
    try {
      const t = c.trading();
      expect(t.orders.getSession("k9")!.state).toBe("halted");
      const createsBefore = rig.creates.length;
      const trader = startTrader(rig, t, "after-restart");
      while (trader.refused() < 20) await new Promise((w) => setTimeout(w, 2));
      await trader.stop();
      expect(trader.submits).toEqual([]);
      expect(rig.creates.length).toBe(createsBefore);
      const r = await killAll(
        {
          home: rig.home,
          orders: t.orders,
          clock: t.clock,
          sleep: t.sleep,
          ...(t.audit === undefined ? {} : { audit: t.audit }),
          venueFor: () => rig.broker,
        },
        { by: "r8 after restart" },
      );
      expect(r.stillOpen).toBe(0);
      expect(await openOnExchange(rig)).toBe(0);
      const k9 = t.orders.ordersOf("k9");
      expect(k9.filter((o) => o.state === "cancelled")).toHaveLength(150);
      await expectStoreMatchesExchange(rig, k9);
      expect(verifyStoredLog(c.audit(), c.auditCrypto)).toMatchObject({ ok: true });
    } finally {
      c.close();
    }
  }, 180_000);
});
