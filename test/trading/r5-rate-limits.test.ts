// R5 rate limits: a strategy asking for 5x the venue's request weight for 10 minutes, time-scaled
// (the simulated exchange's weight window is 1 s of wall time for Binance's minute: 60x), through
// CcxtBroker and ccxt's real binance class. The sim's own accounting is the judge: weight per
// window <= 90% of the limit, every Retry-After honoured (the sim bans, 418, any request sent
// before it passes), 0 bans. The same load without the budget hits 429 and 418.
import { afterAll, describe, expect, it } from "vitest";
import type { CcxtBroker } from "../../src/adapters/ccxt/ccxt-broker.ts";
import type { SimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { startBundledSimExchange } from "../support/local-exchange/index.ts";
import { bundledSimBroker } from "../support/local-exchange/sim-broker.ts";

const LIMIT = 600; // REQUEST_WEIGHT per window the sim declares in exchangeInfo
const WINDOW_MS = 1000; // one venue minute at 60x
const SCALE = 60_000 / WINDOW_MS;
const CAP = Math.floor(LIMIT * 0.9);

const sims: SimExchange[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
});

/** the strategy's requests and their Binance weights (openOrders of every market: 80) */
const CALLS: { weight: number; call: (b: CcxtBroker) => Promise<unknown> }[] = [
  { weight: 1, call: (b) => b.serverTime() },
  { weight: 6, call: (b) => b.openOrders("BTC/USDT") },
  { weight: 80, call: (b) => b.openOrders() },
  { weight: 20, call: (b) => b.balances() },
  { weight: 4, call: (b) => b.lookup("BTC/USDT", "r5-none") },
  { weight: 20, call: (b) => b.fillsSince("BTC/USDT", 0) },
];

interface LoadResult {
  askedWeight: number;
  answered: number;
  refused: number;
  notSent: number;
}

/**
 * Open-loop demand: every 5 ms the strategy asks for whatever keeps its requested weight at
 * `factor` x the limit per window, without waiting for answers; after `windows` windows it stops
 * and closes the broker (requests still waiting for the budget are not sent)
 */
async function load(broker: CcxtBroker, factor: number, windows: number): Promise<LoadResult> {
  const r: LoadResult = { askedWeight: 0, answered: 0, refused: 0, notSent: 0 };
  const pending: Promise<void>[] = [];
  const start = Date.now();
  const end = start + windows * WINDOW_MS;
  let i = 0;
  while (Date.now() < end) {
    const due = ((Date.now() - start) / WINDOW_MS) * LIMIT * factor;
    while (r.askedWeight < due) {
      const c = CALLS[i++ % CALLS.length] as (typeof CALLS)[number];
      r.askedWeight += c.weight;
      pending.push(
        c.call(broker).then(
          () => {
            r.answered++;
          },
          (err: Error) => {
            if (/broker is closed/.test(err.message)) r.notSent++;
            else r.refused++;
          },
        ),
      );
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  await broker.close();
  await Promise.all(pending);
  return r;
}

async function venue(opts: { faults?: string; banMs: number }) {
  const sim = await startBundledSimExchange({
    clock: { kind: "real", speed: SCALE },
    weightLimit: LIMIT,
    weightWindowMs: WINDOW_MS,
    retryAfterMs: 50,
    banMs: opts.banMs,
    seed: 5,
    ...(opts.faults === undefined ? {} : { faults: opts.faults }),
  });
  sims.push(sim);
  return sim;
}

describe("R5 rate limits", () => {
  it("5x the venue's weight for 10 (scaled) minutes: weight per window <= 90% of the limit, every Retry-After honoured, 0 bans", async () => {
    // 429s the venue sends whatever the weight (3% of requests): each one's Retry-After must be waited out
    const sim = await venue({ faults: "*:429=0.03", banMs: 60_000 });
    const broker = bundledSimBroker(sim, {
      // one request on the wire: none can overtake a 429 and arrive inside its Retry-After
      requestWeight: { maxInFlight: 1 },
    });
    const r = await load(broker, 5, 10);
    const w = sim.weight();
    const per = w.windows.map((x) => x.used);
    const maxUsed = Math.max(...per);
    const sent = w.windows.reduce((s, x) => s + x.used, 0);
    const s429 = sim.statusCounts.get(429) ?? 0;
    const s418 = sim.statusCounts.get(418) ?? 0;
    console.log(
      `R5 budget: asked ${r.askedWeight} weight (${r.askedWeight / (10 * LIMIT)}x the limit over 10 windows); requests sent ${broker.weightGate?.stats.sent}, answered ${r.answered}, refused ${r.refused}, not sent at stop ${r.notSent}; weight counted by the sim ${sent}; max per window ${maxUsed} / limit ${w.limit} (cap ${CAP}); windows ${JSON.stringify(per)}; 429s ${s429} (all injected, Retry-After waited), 418s ${s418}`,
    );
    // read from exchangeInfo, which states the scaled window as it is (SECOND 1), no time scale given
    expect(broker.weightGate?.window).toEqual({ limit: LIMIT, windowMs: WINDOW_MS });
    expect(w.limit).toBe(LIMIT);
    expect(r.askedWeight).toBeGreaterThanOrEqual(5 * 10 * LIMIT * 0.95);
    expect(maxUsed).toBeLessThanOrEqual(CAP);
    expect(s418).toBe(0);
    expect(s429).toBeGreaterThan(0); // Retry-After was exercised
    expect(broker.weightGate?.stats.throttled).toBe(s429);
    expect(broker.weightGate?.stats.banned).toBe(0);
    // the budget is used, not merely obeyed: at least half the cap in every full window
    expect(sent).toBeGreaterThanOrEqual(10 * CAP * 0.5);
  }, 40_000);

  it("the same load without the budget hits 429 and is banned (418)", async () => {
    const sim = await venue({ banMs: 500 });
    const broker = bundledSimBroker(sim, { requestWeight: false });
    const r = await load(broker, 5, 2);
    const s429 = sim.statusCounts.get(429) ?? 0;
    const s418 = sim.statusCounts.get(418) ?? 0;
    const maxUsed = Math.max(...sim.weight().windows.map((x) => x.used));
    console.log(
      `R5 without budget: asked ${r.askedWeight} weight over 2 windows; answered ${r.answered}, refused ${r.refused}; max per window ${maxUsed} / limit ${LIMIT}; 429s ${s429}, 418s ${s418}`,
    );
    expect(s429).toBeGreaterThan(0);
    expect(s418).toBeGreaterThan(0);
    expect(maxUsed).toBeGreaterThan(CAP);
  }, 20_000);
});
