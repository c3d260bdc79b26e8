// The Broker contract suite against PaperBroker (the same suite CcxtBroker runs against the
// simulated exchange), on the bundled BTC/USDT 1h bars
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "../../src/adapters/paper/paper-venue-store.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import { describeBrokerContract } from "../support/broker-contract.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";

const btc = loadBundledSeries("binance", "BTC/USDT", "1h");

describeBrokerContract("PaperBroker", async () => {
  const home = mkdtempSync(join(tmpdir(), "kairos-paper-contract-"));
  const db = openPaperDatabase(home);
  let t = btc.ts.length - 100;
  const clock = { now: () => btc.ts[t]! + 3_600_000 };
  const broker = new PaperBroker(db, {
    account: "contract",
    takerFee: "0.001",
    rules: [defaultRules("BTC/USDT", btc.close[t]!)],
    clock,
  });
  broker.fund({ USDT: "10000" });
  const bar = (i: number) => ({
    symbol: "BTC/USDT",
    bar: {
      ts: btc.ts[i]!,
      open: btc.open[i]!,
      high: btc.high[i]!,
      low: btc.low[i]!,
      close: btc.close[i]!,
      volume: btc.volume[i]!,
    },
  });
  broker.onBars([bar(t)]);
  return {
    broker,
    symbol: "BTC/USDT",
    base: "BTC",
    quote: "USDT",
    refPrice: () => btc.close[t]!,
    closeBar: async () => {
      t++;
      broker.onBars([bar(t)]);
    },
    close: async () => {
      db.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
});
