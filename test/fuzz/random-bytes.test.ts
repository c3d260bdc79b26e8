// Random damage to valid files of every format (bytes overwritten anywhere, files cut anywhere):
// whatever the damage, an import either refuses with one short line that is not INTERNAL and
// stores nothing, or stores only rows that pass validation. (Unlike the corpus, random damage has
// no known truth: a flipped bit inside an unchecksummed float can make another valid candle.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { NodeDataFiles } from "../../src/adapters/fs/node-data-files.ts";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteFundingStore } from "../../src/adapters/sqlite/sqlite-funding-store.ts";
import { importCandlesAsync } from "../../src/app/import-candles.ts";
import { keepMask } from "../../src/data/validate-candles.ts";
import { timeframeMs } from "../../src/domain/timeframe.ts";
import { isAppError } from "../../src/errors.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { baseRows, validFiles } from "./corpus.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-random-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const files = validFiles(baseRows(loadBundledSeries("binance", "BTC/USDT", "1h"), 24));
const reader = new NodeDataFiles({ maxBytes: 1 << 20 });
let n = 0;

describe("import of randomly damaged files", () => {
  it("refuses cleanly or stores only valid rows, in every format", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        async (which, edits, cut) => {
          const f = files[which]!;
          let b = Uint8Array.from(f.bytes);
          for (const [at, byte] of edits) b[Math.min(b.length - 1, Math.floor(at * b.length))] = byte;
          if (cut !== undefined) b = b.subarray(0, Math.floor(cut * b.length));
          const dir = join(root, `c${n++}`, "binance");
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, f.name), b);
          const db = openDatabase(join(dir, "..", "home"));
          const store = new SqliteCandleStore(db);
          try {
            await importCandlesAsync(
              { store, files: reader, funding: new SqliteFundingStore(db) },
              { path: dir },
            );
          } catch (err) {
            expect(isAppError(err) && err.code !== "INTERNAL", String(err)).toBe(true);
            const msg = (err as Error).message;
            expect(msg.includes("\n") || msg.length > 400, msg.slice(0, 200)).toBe(false);
            expect(store.list()).toEqual([]);
            return;
          } finally {
            if (store.list().length === 0) store.close();
          }
          for (const info of store.list()) {
            const s = store.read(info, { from: -8.64e15, to: 8.64e15 });
            expect(s.ts.length).toBe(info.rows);
            expect(Array.from(keepMask(s, timeframeMs(info.timeframe))).every((k) => k === 1)).toBe(true);
          }
          store.close();
        },
      ),
      { numRuns: 240 },
    );
  }, 300_000);
});
