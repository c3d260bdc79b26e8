// Child process for the crash-safety test: writes whole series, one transaction each, until killed.
// Protocol on stdout, one line each: `writing K` right before series K's transaction, `K` once it committed
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { allocSeries } from "../../src/domain/candle-series.ts";

const home = process.argv[2]!;
const N = 300_000;
const store = new SqliteCandleStore(openDatabase(home));
for (let k = 0; ; k++) {
  const s = allocSeries({ exchange: "crash", symbol: `S${k}/USD`, timeframe: "1m" }, N);
  for (let i = 0; i < N; i++) {
    s.ts[i] = 1_600_000_020_000 - (1_600_000_020_000 % 60_000) + i * 60_000;
    s.open[i] = k + 1;
    s.high[i] = k + 2;
    s.low[i] = k;
    s.close[i] = k + 1;
    s.volume[i] = i;
  }
  process.stdout.write(`writing ${k}\n`);
  store.upsert(s);
  process.stdout.write(`${k}\n`);
}
