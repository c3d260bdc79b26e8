import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { candleStoreContract } from "../../../test/support/candle-store-contract.ts";
import { allocSeries } from "../../domain/candle-series.ts";
import { openDatabase } from "./database.ts";
import { CHUNK_ROWS, SqliteCandleStore } from "./sqlite-candle-store.ts";

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

  it("syncs its commits' write-ahead log on request, and a home without one is nothing to sync", async () => {
    const home = join(root, "sync");
    const db = openDatabase(home);
    const a = new SqliteCandleStore(db);
    a.upsert(loadBundledSeries("binance", "BTC/USDT", "1d"));
    // the commits sit in kairos.db-wal (the file syncToDisk syncs) until a checkpoint moves them
    const wal = `${db.name}-wal`;
    expect(wal).toBe(join(home, "kairos.db-wal"));
    expect(statSync(wal).size).toBeGreaterThan(1825 * 8);
    await expect(a.syncToDisk()).resolves.toBeUndefined();
    a.close();
    // closed: the log was checkpointed and removed, and a closed store has nothing to sync
    expect(existsSync(wal)).toBe(false);
    await expect(a.syncToDisk()).resolves.toBeUndefined();
  });

  it("stores an evenly spaced chunk's timestamps as two values, reads both forms and legacy full blobs", () => {
    const home = join(root, "packed");
    const key = { exchange: "t", symbol: "PK/USD", timeframe: "1m" as const };
    // 2.5 chunks of 1m candles, one candle missing inside the second chunk (that chunk stays full)
    const n = Math.floor(CHUNK_ROWS * 2.5);
    const s = allocSeries(key, n);
    const hole = CHUNK_ROWS + 100;
    for (let i = 0; i < n; i++) {
      s.ts[i] = (i < hole ? i : i + 1) * 60_000;
      s.open[i] = s.high[i] = s.low[i] = s.close[i] = 1 + i / 8;
      s.volume[i] = i;
    }
    const db = openDatabase(home);
    const store = new SqliteCandleStore(db);
    store.upsert(s);
    const lens = db
      .prepare("SELECT bucket, length(ts) AS len, rows FROM candle_chunks ORDER BY bucket")
      .all() as { bucket: number; len: number; rows: number }[];
    expect(lens.map((r) => r.len)).toEqual([16, lens[1]!.rows * 8, 16]);
    const same = (got: Float64Array, want: Float64Array) => expect(Array.from(got)).toEqual(Array.from(want));
    same(store.read(key).ts, s.ts);
    same(store.readTimestamps(key), s.ts);
    same(store.read(key, { from: 60_000 * 5, to: 60_000 * 9 }).ts, s.ts.slice(5, 9));
    // filling the hole merges into the full chunk, which then packs
    const fill = allocSeries(key, 1);
    fill.ts[0] = hole * 60_000;
    fill.open[0] = fill.high[0] = fill.low[0] = fill.close[0] = 2;
    expect(store.upsert(fill).inserted).toBe(1);
    expect(db.prepare("SELECT length(ts) FROM candle_chunks WHERE bucket = 1").pluck().get()).toBe(16);
    // a home written before the packed form keeps full blobs: they read unchanged
    const full = Buffer.from(
      new Float64Array(Array.from({ length: CHUNK_ROWS }, (_, i) => i * 60_000)).buffer,
    );
    db.prepare("UPDATE candle_chunks SET ts = ? WHERE bucket = 0").run(full);
    same(store.read(key).ts.subarray(0, CHUNK_ROWS), s.ts.subarray(0, CHUNK_ROWS));
    same(store.readTimestamps(key).subarray(0, 10), s.ts.subarray(0, 10));
    // and a merge into a full-blob chunk works too
    expect(store.upsert(s).unchanged).toBe(n);
    store.close();
  });
});
