// One of two processes trading on the same paper venue (kairos.db) at once: funds its account, then
// submits, matches bars, cancels and deposits in a loop; prints how many calls failed and why.
// usage: node --import tsx paper-concurrent-child.ts HOME ACCOUNT ROUNDS
// (prints "ready" once loaded, then waits for a line on stdin before its first transaction)
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../../src/adapters/paper/paper-venue-store.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const [home, account, roundsText] = process.argv.slice(2) as [string, string, string];
const rounds = Number(roundsText);
const s = loadBundledSeries("binance", "BTC/USDT", "1h");
const t0 = s.ts.length - rounds - 2;
const db = openPaperDatabase(home);
const broker = new PaperBroker(db, {
  account,
  takerFee: "0.001",
  slippage: 0.0005,
  rules: [defaultRules("BTC/USDT", s.close[t0]!)],
  clock: { now: () => Date.now() },
});
const errors: string[] = [];
const guard = async (what: string, fn: () => unknown): Promise<void> => {
  try {
    await fn();
  } catch (err) {
    errors.push(`${what}: ${(err as { code?: string }).code ?? ""} ${(err as Error).message}`);
  }
};
// both processes start together, so their transactions overlap from the first round: the test says
// go to both once both are loaded (a fixed start time was missed by a child loading slowly)
process.stdout.write("ready\n");
await new Promise<void>((go) => process.stdin.once("data", () => go()));
process.stdin.pause();
await guard("fund", () => broker.fund({ USDT: "1000000" }));
let fills = 0;
for (let k = 0; k < rounds; k++) {
  const i = t0 + k;
  const bar = {
    ts: s.ts[i]!,
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close: s.close[i]!,
    volume: s.volume[i]!,
  };
  await guard("submit", () =>
    broker.submit({
      clientOrderId: `${account}-m${k}`,
      symbol: "BTC/USDT",
      side: "buy",
      type: "market",
      quantity: "0.001",
    }),
  );
  await guard("submit limit", () =>
    broker.submit({
      clientOrderId: `${account}-l${k}`,
      symbol: "BTC/USDT",
      side: "buy",
      type: "limit",
      quantity: "0.001",
      price: (Math.round(bar.close * 50) / 100).toFixed(2),
    }),
  );
  await guard("onBars", () => {
    fills += broker.onBars([{ symbol: "BTC/USDT", bar }]).length;
  });
  await guard("cancel", () => broker.cancel("BTC/USDT", `${account}-l${k}`));
  await guard("deposit", () => broker.deposit("USDT", "1"));
}
db.close();
process.stdout.write(`${JSON.stringify({ account, rounds, fills, errors })}\n`);
