// A real trading session (SQLite order store, paper venue) with the risk gate, for R11 and R14
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../../src/adapters/paper/paper-venue-store.ts";
import { SqliteOrderStore } from "../../src/adapters/sqlite/sqlite-order-store.ts";
import { SessionRiskGate } from "../../src/app/risk-gate.ts";
import { allocSeries } from "../../src/domain/candle-series.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { OrderLifecycle } from "../../src/execution/order-lifecycle.ts";
import { TradingSession } from "../../src/execution/trading-session.ts";
import type { Broker } from "../../src/ports/broker.ts";
import type { OrderStore } from "../../src/ports/order-store.ts";
import type { Strategy } from "../../src/strategies/types.ts";

export const HOUR = 3_600_000;
export const T0 = 1_780_000_000_000 - (1_780_000_000_000 % HOUR);

export class Time {
  t = T0;
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.t += ms;
  };
}

/** A target that changes on every bar (never 0): one buy intent per bar, fills or not */
export const flipper: Strategy = {
  id: "step",
  warmup: 0,
  onBar: (ctx) => ({ targets: { "BTC/USDT": ((ctx.bar % 50) + 1) / 50 }, reason: "step" }),
};

export function setupSession(opts: {
  bars: number;
  timing: "replay" | "live";
  broker?: (b: Broker) => Broker;
  orders?: (s: OrderStore) => OrderStore;
}) {
  const home = mkdtempSync(join(process.platform === "linux" ? "/dev/shm" : tmpdir(), "kairos-risk-"));
  const time = new Time();
  const store = SqliteOrderStore.open(home, time.now);
  const pdb = openPaperDatabase(home);
  const rules = defaultRules("BTC/USDT", 600);
  const paper = new PaperBroker(pdb, { account: "r", takerFee: "0.001", rules: [rules], clock: time });
  paper.fund({ USDT: "10000" });
  let submits = 0;
  const counted: Broker = Object.create(paper) as Broker;
  (counted as { submit: Broker["submit"] }).submit = (o) => {
    submits++;
    return paper.submit(o);
  };
  const broker = opts.broker?.(counted) ?? counted;
  const series = allocSeries({ exchange: "paper", symbol: "BTC/USDT", timeframe: "1h" }, opts.bars);
  for (let i = 0; i < opts.bars; i++) {
    const p = 600 + (i % 3);
    series.ts[i] = T0 + i * HOUR;
    series.open[i] = p;
    series.high[i] = p + 1;
    series.low[i] = p - 1;
    series.close[i] = p;
    series.volume[i] = 1000;
  }
  const now = time.now();
  store.createSession({
    id: "r",
    mode: "paper",
    venue: broker.venue,
    state: "active",
    config: {},
    createdAt: now,
    updatedAt: now,
  });
  const lifecycle = new OrderLifecycle({ store, broker, clock: time, sleep: time.sleep });
  const risk = new SessionRiskGate({
    home,
    orders: opts.orders?.(store) ?? store,
    broker,
    clock: time,
    rules: new Map([["BTC/USDT", rules]]),
    timing: opts.timing,
  });
  const session = new TradingSession(
    { store, broker, lifecycle, clock: time, risk },
    {
      session: store.getSession("r")!,
      strategy: flipper,
      series: [series],
      rules: new Map([["BTC/USDT", rules]]),
      baseline: { USDT: "10000" },
      startTs: T0,
      sizeFraction: 0.05,
    },
  );
  return {
    home,
    time,
    store,
    paper,
    risk,
    session,
    series,
    submits: () => submits,
    close: () => {
      store.close();
      pdb.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
