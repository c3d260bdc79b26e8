// npm run bench -- risk [--orders N] [--kill-trials N]: one JSON line per case on stdout
// (pre-trade-check, kill-paper-150, kill-sim-150 bulk cancel with per-order peers, kill-sim-150-per-order)
//  pre-trade-check   one order through every pre-trade check of the gate (in-memory state: token
//                    buckets, reservations, duplicate window, drift window): p50/p99 per order in µs.
//                    Peer: the bare instrument filter check alone (filterFailure), measured in the same run.
import { parseArgs } from "node:util";
import { filterFailure } from "../src/domain/instrument.ts";
import { defaultRiskLimits } from "../src/risk/limits.ts";
import { type AccountView, type MarketView, PreTradeGate } from "../src/risk/pre-trade-gate.ts";
import { BTC_USDT as BTC } from "../test/support/risk-instrument.ts";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "200000" },
    "kill-trials": { type: "string", default: "20" },
  },
});
const n = Number(values.orders);
const limits = {
  ...defaultRiskLimits("2026-01-01T00:00:00Z"),
  maxMessagesPerSecondVenue: 1e9,
  maxMessagesPerSecondStrategy: 1e9,
  maxExposurePerSymbol: 1e12,
  maxExposureTotal: 1e12,
  duplicateWindowMs: 1000,
};
const gate = new PreTradeGate(limits, "bench");
const account: AccountView = {
  positions: new Map([
    ["BTC/USDT", 0.5],
    ["ETH/USDT", 2],
  ]),
  equity: 10_000,
  peakEquity: 10_500,
  dayStartEquity: 10_100,
};
const T0 = 1_780_000_000_000;
const pct = (xs: Float64Array, p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

function measure(f: (i: number) => void): { p50: number; p99: number; mean: number } {
  for (let i = 0; i < 20_000; i++) f(i); // warm-up
  const dt = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    f(i);
    dt[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  const total = Number(process.hrtime.bigint() - t0) / 1000;
  dt.sort();
  return { p50: pct(dt, 0.5), p99: pct(dt, 0.99), mean: total / n };
}

let accepted = 0;
const gateStats = measure((i) => {
  const now = T0 + i; // one order per ms
  const market: MarketView = {
    instrument: BTC,
    reference: { price: 500 + (i % 7) * 0.01, ts: now - 200 },
    venueTime: { server: now - 30, local: now },
  };
  const d = gate.check(
    {
      id: `o${i}`,
      venue: "sim",
      strategyId: "s",
      symbol: "BTC/USDT",
      side: i % 2 ? "buy" : "sell",
      type: "limit",
      qty: 0.05 + (i % 1000) / 1000,
      limitPrice: 500 + (i % 5) * 0.01,
    },
    market,
    account,
    now,
  );
  if (d.accepted) accepted++;
  gate.release(`o${i}`);
});
const peer = measure((i) => {
  filterFailure(BTC, 0.05 + (i % 1000) / 1000, 500 + (i % 5) * 0.01);
});
process.stderr.write(`risk bench: ${n} orders, ${accepted} accepted\n`);
process.stdout.write(
  `${JSON.stringify({ bench: "risk", case: "pre-trade-check", unit: "µs/order", threads: 1, value: gateStats.p99, p50: gateStats.p50, p99: gateStats.p99, mean: gateStats.mean, orders: n, accepted, target_p99: 50, limit_p99: 1000, peers: { "filter-only": peer.p99 } })}\n`,
);

//  kill-paper-150    kill switch on the paper venue: trials x 150 open orders; p99 ms until every
//                    cancel was issued (send) and answered (confirm).
{
  const { setupSession } = await import("../test/risk/session-gate.ts");
  const { killAll } = await import("../src/app/kill.ts");
  const { setRisk } = await import("../src/app/risk-limits.ts");
  const trials = Number(values["kill-trials"]);
  const send: number[] = [];
  const confirm: number[] = [];
  for (let k = 0; k < trials; k++) {
    const s = setupSession({ bars: 150, timing: "replay" });
    try {
      for (const [key, v] of [
        ["maxExposurePerSymbol", "1000000"],
        ["maxExposureTotal", "1000000"],
        ["throttleExecutions", "100000"],
      ] as const)
        setRisk({ home: s.home, now: () => 0 }, { key, value: v, by: "bench" });
      for (let t = 0; t < 150; t++) await s.session.onClosedBar(t);
      const r = await killAll(
        { home: s.home, orders: s.store, clock: s.time, sleep: s.time.sleep, venueFor: () => s.paper },
        { by: "bench" },
      );
      if (r.cancelled !== 150 || r.stillOpen !== 0)
        throw new Error(`kill left ${r.stillOpen} open of ${r.cancelled}`);
      send.push(r.sendMs);
      confirm.push(r.confirmMs);
    } finally {
      s.close();
    }
  }
  const p99 = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))]!;
  process.stdout.write(
    `${JSON.stringify({ bench: "risk", case: "kill-paper-150", unit: "ms", threads: 1, value: p99(confirm), send_p99: p99(send), confirm_p99: p99(confirm), trials, orders: 150, venue: "paper" })}\n`,
  );
}

//  kill-sim-150      kill switch on kairos's simulated exchange (Binance REST over HTTP on 127.0.0.1, its own
//                    process) through ccxt's binance class (CcxtBroker), 50 resting orders on each of 3 symbols,
//                    the real order store and audit log: p50/p99 ms until every cancel was handed to
//                    the broker (send), reached the exchange (at_exchange: a pass-through door in
//                    front of it stamps arrivals) and every order's final state was confirmed (confirm).
//                    Ours: one DELETE /api/v3/openOrders per market (3 requests). Peers, same run, same
//                    trials interleaved: one DELETE /api/v3/order per order (150 requests, bulkCancel false),
//                    and both through a CcxtBroker with ccxt's own default throttle (what a broker built
//                    without rateLimitMs gets: binance 50 ms per request), 2 trials each.
//  kill-sim-150-per-order   the per-order peer's own line (p50s too)
{
  const { startKillRig, placeResting, openOnExchange, percentile, killMeasured } = await import(
    "../test/risk/r8-kill-sim.ts"
  );
  const { killAll } = await import("../src/app/kill.ts");
  const { resumeTradingState } = await import("../src/app/risk-trading-state.ts");
  const { rmSync, readFileSync } = await import("node:fs");
  const rig = await startKillRig("kairos-bench-kill-");
  type Runs = { send: number[]; wire: number[]; confirm: number[]; requests: number[] };
  const runs = (): Runs => ({ send: [], wire: [], confirm: [], requests: [] });
  let seq = 0;
  const trial = async (into: Runs, bulkCancel: boolean, broker = rig.broker) => {
    const id = `b${seq++}`;
    const { container } = await placeResting(rig, id, 50);
    try {
      const t = container.trading();
      const r = await killMeasured(rig, () =>
        killAll(
          {
            home: rig.home,
            orders: t.orders,
            clock: t.clock,
            sleep: t.sleep,
            ...(t.audit === undefined ? {} : { audit: t.audit }),
            venueFor: () => broker,
            bulkCancel,
          },
          { by: "bench" },
        ),
      );
      if (r.cancelled !== 150 || r.stillOpen !== 0 || (await openOnExchange(rig)) !== 0)
        throw new Error(`kill left ${r.stillOpen} open of ${r.cancelled}`);
      into.send.push(r.sendMs);
      into.wire.push(r.wireSendMs);
      into.confirm.push(r.confirmMs);
      into.requests.push(r.cancelRequests.bulk + r.cancelRequests.single);
      t.orders.setState(id, "stopped");
      resumeTradingState({ home: rig.home, now: Date.now }, { by: "bench", reason: "next trial" });
    } finally {
      container.close();
    }
  };
  const stats = (r: Runs) => ({
    send_p50: percentile(r.send, 50),
    send_p99: percentile(r.send, 99),
    at_exchange_p50: percentile(r.wire, 50),
    at_exchange_p99: percentile(r.wire, 99),
    confirm_p50: percentile(r.confirm, 50),
    confirm_p99: percentile(r.confirm, 99),
    cancel_requests: Math.max(...r.requests),
    trials: r.send.length,
  });
  try {
    const bulk = runs();
    const single = runs();
    // interleaved, so both see the same machine load
    for (let k = 0; k < Number(values["kill-trials"]); k++) {
      await trial(bulk, true);
      await trial(single, false);
    }
    const throttled = rig.throttledBroker();
    // its markets loaded before the first trial, as the main broker's are
    await throttled.marketRules("BTC/USDT");
    const tBulk = runs();
    const tSingle = runs();
    for (let k = 0; k < 2; k++) {
      await trial(tBulk, true, throttled);
      await trial(tSingle, false, throttled);
    }
    await throttled.close();
    const load = readFileSync("/proc/loadavg", "utf8").trim();
    const ours = stats(bulk);
    const peer = stats(single);
    process.stdout.write(
      `${JSON.stringify({
        bench: "risk",
        case: "kill-sim-150",
        unit: "ms",
        threads: 1,
        value: ours.confirm_p99,
        ...ours,
        orders: 150,
        venue: "sim-exchange via ccxt binance",
        cancel: "bulk per market (DELETE /api/v3/openOrders)",
        limit_send_p99: 1000,
        limit_confirm_p99: 5000,
        within_limits: ours.at_exchange_p99 <= 1000 && ours.send_p99 <= 1000 && ours.confirm_p99 <= 5000,
        loadavg: load,
        peers: {
          "per-order-send-p99": peer.send_p99,
          "per-order-at-exchange-p99": peer.at_exchange_p99,
          "per-order-confirm-p99": peer.confirm_p99,
          "ccxt-default-throttle-bulk-at-exchange-p99": percentile(tBulk.wire, 99),
          "ccxt-default-throttle-bulk-confirm-p99": percentile(tBulk.confirm, 99),
          "ccxt-default-throttle-per-order-at-exchange-p99": percentile(tSingle.wire, 99),
          "ccxt-default-throttle-per-order-confirm-p99": percentile(tSingle.confirm, 99),
        },
      })}\n`,
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: "risk",
        case: "kill-sim-150-per-order",
        unit: "ms",
        threads: 1,
        value: peer.confirm_p99,
        ...peer,
        orders: 150,
        venue: "sim-exchange via ccxt binance",
        cancel: "one DELETE /api/v3/order per order",
        within_limits: peer.at_exchange_p99 <= 1000 && peer.send_p99 <= 1000 && peer.confirm_p99 <= 5000,
        loadavg: load,
      })}\n`,
    );
  } finally {
    await rig.close();
    rmSync(rig.home, { recursive: true, force: true });
  }
}
