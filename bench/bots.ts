// npm run bench -- bots [--bars N]: one JSON line per bot on stdout
//   <kind>-paper   a paper bot replaying N stored BTC/USDT 1h bars, each acted on as it closes: the
//                  strategy, the pre-trade gate, the decision and its intents committed (fsync'd)
//                  before the paper venue gets them, fills recorded: wall ms per bar acted on.
//                  Peers measured in the same run on the same bars: the same bot through
//                  `kairos bot backtest` (the engine alone) and `kairos trade start` with sma-cross
//                  (a session that rarely trades), both in ms per bar.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { backtestBot } from "../src/app/bot-backtest.ts";
import { startBot } from "../src/app/bot-start.ts";
import { startTrading } from "../src/app/trade-start.ts";
import { createContainer } from "../src/composition-root.ts";
import { sliceSeries } from "../src/domain/candle-series.ts";
import { loadBundledSeries } from "../test/support/bundled-data.ts";
import { writeTestLimits } from "../test/trading/trading-limits.ts";

const { values } = parseArgs({ options: { bars: { type: "string", default: "1000" } } });
const n = Number(values.bars);
const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const bars = sliceSeries(all, all.ts.length - n - 100);
const from = new Date(bars.ts[100]!).toISOString();
const market = { symbol: "BTC/USDT", timeframe: "1h", from };
const BOTS: Record<string, Record<string, number | string>> = {
  grid: { levels: 4, spacing: 0.005, anchor: 24 },
  dca: { every: 10, step: 0.1, takeProfit: 0.02 },
  twap: { qty: 0.05 * (n / 48), side: "buy", bars: n, participation: 0.0001 },
  iceberg: { qty: 0.02, side: "buy", price: Math.round(bars.close[100]! * 0.98), clip: 0.002 },
};

const home = mkdtempSync(join(tmpdir(), "kairos-bench-bots-"));
try {
  const c = createContainer({ home });
  c.store.upsert(bars);
  writeTestLimits(home);
  const deps = c.trading();
  const ms = async (f: () => unknown): Promise<number> => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  let k = 0;
  const tradeMs = await ms(() =>
    startTrading(deps, {
      timeframe: "1h",
      from,
      symbols: "BTC/USDT",
      strategy: "sma-cross",
      params: { fast: 10, slow: 30 },
      id: "peer",
    }),
  );
  const peerTrade = tradeMs / n;
  for (const [kind, params] of Object.entries(BOTS)) {
    const id = `b${k++}`;
    const paper = await ms(() => startBot(deps, { kind: kind as "grid", ...market, params, id, size: 0.95 }));
    const bt = await ms(() =>
      backtestBot({ store: c.store }, { kind: kind as "grid", ...market, params, size: 0.95 }),
    );
    const orders = deps.orders.ordersOf(id).length;
    process.stdout.write(
      `${JSON.stringify({
        bench: "bots",
        case: `${kind}-paper`,
        unit: "ms/bar",
        bars: n,
        orders,
        value: Number((paper / n).toFixed(3)),
        peers: {
          "bot-backtest": Number((bt / n).toFixed(4)),
          "trade-sma-cross": Number(peerTrade.toFixed(3)),
        },
      })}\n`,
    );
  }
  c.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
