// The simulated exchange's throughput: signed creates+cancels over raw HTTP and through ccxt's
// binance class (CcxtBroker), next to the machine's ceiling for one HTTP round trip (a bare
// node:http server answering the same size of JSON, measured in the same run), and bars matched per
// second with resting orders. `npm run bench -- sim [--orders N]`
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { CcxtBroker } from "../src/adapters/ccxt/ccxt-broker.ts";
import {
  type SimExchange,
  type SimExchangeOptions,
  startSimExchange,
} from "../src/adapters/sim-exchange/server.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";

const { values } = parseArgs({ options: { orders: { type: "string", default: "2000" } } });
const N = Number(values.orders);
const KEY = "bench-key";
const SECRET = "bench-secret";
const btc = loadBundledSeries("binance", "BTC/USDT", "1h");

/** The simulated exchange on BTC/USDT 1h with a manual clock and ample quote, as every case starts it */
const benchSim = (more: Partial<SimExchangeOptions>): Promise<SimExchange> =>
  startSimExchange({
    series: [btc],
    apiKey: { key: KEY, secret: SECRET },
    clock: { kind: "manual" },
    balances: { USDT: "100000000" },
    // the sim's throughput, not Binance's unfilled-order limit (100 per 10 s), is measured
    orderLimits: [{ limit: 1e9, windowMs: 10_000 }],
    ...more,
  });
const line = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ bench: "sim", ...o })}\n`);
};

// the ceiling: one keep-alive round trip to a server that does nothing but answer
async function bareRoundTrips(n: number): Promise<number> {
  const body = JSON.stringify({
    symbol: "BTCUSDT",
    orderId: 1,
    clientOrderId: "x".repeat(20),
    status: "NEW",
    pad: "y".repeat(400),
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await (await fetch(url, { method: "POST", body: "a=1" })).text();
  const s = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => server.close(() => r()));
  return n / s;
}

async function rawCreates(n: number): Promise<number> {
  const sim = await benchSim({ weightLimit: 1e9 });
  const sign = (q: string): string =>
    `${q}&signature=${createHmac("sha256", SECRET).update(q).digest("hex")}`;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const q = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000.00&newClientOrderId=b-${i}&timestamp=${Date.now()}`;
    const r = await fetch(`${sim.url}/api/v3/order`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY, "content-type": "application/x-www-form-urlencoded" },
      body: sign(q),
    });
    if (r.status !== 200) throw new Error(`create ${i}: ${r.status} ${await r.text()}`);
    await r.text();
  }
  const s = (performance.now() - t0) / 1000;
  if (sim.check().length > 0) throw new Error(sim.check().join("; "));
  await sim.close();
  return n / s;
}

async function ccxtCreates(n: number): Promise<number> {
  const sim = await benchSim({ weightLimit: 1e9 });
  const broker = new CcxtBroker("binance", { apiKey: KEY, secret: SECRET, apiBase: sim.url, rateLimitMs: 0 });
  await broker.marketRules("BTC/USDT");
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await broker.submit({
      clientOrderId: `c-${i}`,
      symbol: "BTC/USDT",
      side: "buy",
      type: "limit",
      quantity: "0.01",
      price: "1000",
    });
    if (r.kind !== "accepted") throw new Error(`submit ${i}: ${JSON.stringify(r)}`);
  }
  const s = (performance.now() - t0) / 1000;
  await broker.close();
  await sim.close();
  return n / s;
}

async function barsMatched(resting: number): Promise<number> {
  const start = 500;
  const sim = await benchSim({ start: btc.ts[start]! });
  for (let i = 0; i < resting; i++) {
    const r = sim.placeManualOrder("BTCUSDT", "BUY", "LIMIT", "0.1", "100.00");
    if (r.status !== 200) throw new Error(`resting order ${i}: ${JSON.stringify(r.body)}`);
  }
  const bars = Math.min(5000, btc.ts.length - start - 1);
  const t0 = performance.now();
  for (let k = 0; k < bars; k++) sim.advance(3_600_000);
  const s = (performance.now() - t0) / 1000;
  await sim.close();
  return bars / s;
}

// the machine is shared and noisy: the ceiling and the sim alternate in rounds, medians reported
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
await bareRoundTrips(200); // warm-up: fetch's connection pool and the JIT
const per = Math.max(100, Math.floor(N / 5));
const bares: number[] = [];
const raws: number[] = [];
const ccxts: number[] = [];
for (let r = 0; r < 5; r++) {
  bares.push(await bareRoundTrips(per));
  raws.push(await rawCreates(per));
  ccxts.push(await ccxtCreates(per));
}
const bare = median(bares);
line({
  case: "http-round-trip-ceiling",
  unit: "req/s",
  value: Math.round(bare),
  rounds: bares.map(Math.round),
});
line({
  case: "signed-create-raw-http",
  unit: "orders/s",
  value: Math.round(median(raws)),
  rounds: raws.map(Math.round),
  peers: { "bare-node-http": Math.round(bare) },
});
line({
  case: "create-through-ccxt-binance",
  unit: "orders/s",
  value: Math.round(median(ccxts)),
  rounds: ccxts.map(Math.round),
  peers: { "bare-node-http": Math.round(bare) },
});
await barsMatched(0); // warm-up: the first replay pays for compilation
for (const resting of [0, 1000])
  line({
    case: `replay-1h-bars-${resting}-resting`,
    unit: "bars/s",
    value: Math.round(await barsMatched(resting)),
  });
