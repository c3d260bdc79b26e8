import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { candleStoreContract } from "../../../test/support/candle-store-contract.ts";
import { openDatabase } from "./database.ts";
import { SqliteCandleStore } from "./sqlite-candle-store.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-store-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

candleStoreContract("SqliteCandleStore", () => new SqliteCandleStore(openDatabase(join(root, `h${n++}`))));

describe("SqliteCandleStore", () => {
  it("persists across reopen, and the migrations run once", () => {
    const home = join(root, "reopen");
    const s = loadBundledSeries("binance", "BTC/USDT", "1d");
    const a = new SqliteCandleStore(openDatabase(home));
    a.upsert(s);
    a.close();
    const db = openDatabase(home);
    const b = new SqliteCandleStore(db);
    expect(b.info({ exchange: "binance", symbol: "BTC/USDT", timeframe: "1d" })?.rows).toBe(1825);
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    b.close();
  });
});
