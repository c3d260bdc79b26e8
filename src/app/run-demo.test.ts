import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DATA_DIR } from "../../test/support/bundled-data.ts";
import { NodeDataFiles } from "../adapters/fs/node-data-files.ts";
import { openDatabase } from "../adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../adapters/sqlite/sqlite-candle-store.ts";
import { runDemo } from "./run-demo.ts";

const home = mkdtempSync(join(tmpdir(), "kairos-demo-data-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it("the demo's data step imports every bundled file into the home and says what it holds", () => {
  const store = new SqliteCandleStore(openDatabase(home));
  const steps: string[] = [];
  const r = runDemo({ store, files: new NodeDataFiles() }, { home, dataDir: DATA_DIR }, (l) => steps.push(l));
  expect(r.imported.files).toHaveLength(28);
  expect(r.series).toHaveLength(28);
  expect(steps[0]).toBe(`imported 28 bundled files (340,969 candles) into ${home}: 340,969 new candles`);
  expect(steps[1]).toMatch(/^the store holds 28 series for 13 symbols: AR\/USDT, /);
  const btc = r.series.find(
    (s) => s.exchange === "binance" && s.symbol === "BTC/USDT" && s.timeframe === "1h",
  )!;
  expect([btc.rows, btc.gaps, btc.missing]).toEqual([43_802, 10, 20]);
  // a second run into the same home finds nothing new and says so
  const again: string[] = [];
  runDemo({ store, files: new NodeDataFiles() }, { home, dataDir: DATA_DIR }, (l) => again.push(l));
  expect(again[0]).toBe(
    `imported 28 bundled files (340,969 candles) into ${home}: 0 new candles, 340,969 already stored`,
  );
  store.close();
});
