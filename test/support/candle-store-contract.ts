// The CandleStore contract: every implementation's own test runs this suite with its own factory
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CandleSeries } from "../../src/domain/candle-series.ts";
import { allocColumns, allocSeries, sliceSeries } from "../../src/domain/candle-series.ts";
import type { CandleStore } from "../../src/ports/candle-store.ts";
import { loadBundledSeries } from "./bundled-data.ts";

const arr = (s: CandleSeries) => ({
  ts: Array.from(s.ts),
  open: Array.from(s.open),
  high: Array.from(s.high),
  low: Array.from(s.low),
  close: Array.from(s.close),
  volume: Array.from(s.volume),
});

function synthetic(n: number, startTs: number, tfMs: number, seed: number): CandleSeries {
  const s = allocSeries({ exchange: "test", symbol: "SYN/USD", timeframe: "1m" }, n);
  for (let i = 0; i < n; i++) {
    const p = 100 + ((i * 7 + seed) % 13);
    s.ts[i] = startTs + i * tfMs;
    s.open[i] = p;
    s.high[i] = p + 1;
    s.low[i] = p - 1;
    s.close[i] = p + 0.5;
    s.volume[i] = i + seed;
  }
  return s;
}

/** Runs the contract against fresh stores from `make` (each call gives an empty store) */
export function candleStoreContract(name: string, make: () => CandleStore): void {
  describe(`CandleStore contract: ${name}`, () => {
    it("round-trips a real series exactly and reports rows and range", () => {
      const store = make();
      const s = loadBundledSeries("binance", "ETH/USDT", "1h");
      expect(store.upsert(s)).toEqual({ inserted: s.ts.length, unchanged: 0, replaced: 0 });
      const back = store.read({ exchange: "binance", symbol: "ETH/USDT", timeframe: "1h" });
      expect(arr(back)).toEqual(arr(s));
      expect(store.info({ exchange: "binance", symbol: "ETH/USDT", timeframe: "1h" })).toEqual({
        exchange: "binance",
        symbol: "ETH/USDT",
        timeframe: "1h",
        rows: s.ts.length,
        first: s.ts[0],
        last: s.ts[s.ts.length - 1],
      });
      store.close();
    });

    it("is idempotent, and reads [from, to) ranges", () => {
      const store = make();
      const s = loadBundledSeries("binance", "BTC/USDT", "1h");
      store.upsert(s);
      expect(store.upsert(s)).toEqual({ inserted: 0, unchanged: s.ts.length, replaced: 0 });
      const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" as const };
      const from = s.ts[1000]!;
      const to = s.ts[30000]!;
      expect(arr(store.read(key, { from, to }))).toEqual(arr(sliceSeries(s, 1000, 30000)));
      expect(store.read(key, { from: from + 1, to: from + 2 }).ts.length).toBe(0);
      expect(Array.from(store.readTimestamps(key))).toEqual(Array.from(s.ts));
      expect(store.list()).toHaveLength(1);
      store.close();
    });

    it("refuses a changed candle with CONFLICT and stores nothing of the batch, unless replace", () => {
      const store = make();
      const s = synthetic(100, 1_700_000_040_000 - (1_700_000_040_000 % 60_000), 60_000, 1);
      store.upsert(sliceSeries(s, 0, 50));
      const changed = synthetic(100, s.ts[0]!, 60_000, 1);
      changed.close[40] = 999;
      changed.high[40] = 1000;
      expect(() => store.upsert(changed)).toThrow(/stored with high .* --replace/);
      const key = { exchange: "test", symbol: "SYN/USD", timeframe: "1m" as const };
      expect(store.info(key)?.rows).toBe(50);
      expect(store.upsert(changed, { replace: true })).toEqual({ inserted: 50, unchanged: 49, replaced: 1 });
      expect(store.read(key).close[40]).toBe(999);
      store.close();
    });

    it("any sequence of overlapping upserts reads back as their union (property)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 20_000 })), {
            minLength: 1,
            maxLength: 5,
          }),
          (batches) => {
            const store = make();
            const full = synthetic(60_000, 1_600_000_020_000 - (1_600_000_020_000 % 60_000), 60_000, 3);
            const seen = new Uint8Array(60_000);
            for (const [from, len] of batches) {
              const to = Math.min(60_000, from + len);
              store.upsert(sliceSeries(full, from, to));
              seen.fill(1, from, to);
            }
            const back = store.read({ exchange: "test", symbol: "SYN/USD", timeframe: "1m" });
            const want = [...seen.keys()].filter((i) => seen[i] === 1);
            expect(back.ts.length).toBe(want.length);
            want.forEach((i, k) => {
              if (back.ts[k] !== full.ts[i] || back.close[k] !== full.close[i]) {
                throw new Error(`row ${k} differs from source row ${i}`);
              }
            });
            store.close();
          },
        ),
        { numRuns: 15 },
      );
    });

    it("reads any [from, to) exactly, into fresh or caller-owned arrays (property)", () => {
      const store = make();
      // 50,000 minutes with two holes, so some chunks store every timestamp and some only two
      const full = synthetic(50_000, 1_600_000_020_000 - (1_600_000_020_000 % 60_000), 60_000, 5);
      const keep = (i: number): boolean => !(i >= 7_000 && i < 7_010) && !(i >= 33_333 && i < 40_000);
      const idx = [...Array(50_000).keys()].filter(keep);
      const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, (i) => a[i]!);
      const stored: CandleSeries = {
        ...full,
        ts: pick(full.ts),
        open: pick(full.open),
        high: pick(full.high),
        low: pick(full.low),
        close: pick(full.close),
        volume: pick(full.volume),
      };
      store.upsert(stored);
      const key = { exchange: "test", symbol: "SYN/USD", timeframe: "1m" as const };
      const t0 = full.ts[0]!;
      const big = allocColumns(60_000);
      fc.assert(
        fc.property(
          fc.integer({ min: -100, max: 50_100 }),
          fc.integer({ min: 0, max: 50_200 }),
          fc.integer({ min: -59_999, max: 59_999 }),
          (a, len, jitter) => {
            const from = t0 + a * 60_000 + jitter;
            const to = from + len * 60_000;
            const lo = stored.ts.findIndex((t) => t >= from);
            const start = lo < 0 ? stored.ts.length : lo;
            let end = stored.ts.findIndex((t) => t >= to);
            if (end < 0) end = stored.ts.length;
            const want = arr(sliceSeries(stored, start, Math.max(start, end)));
            expect(arr(store.read(key, { from, to }))).toEqual(want);
            big.close.fill(Number.NaN);
            const into = store.read(key, { from, to }, big);
            expect(arr(into)).toEqual(want);
            expect(into.close.buffer).toBe(big.close.buffer);
            if (want.ts.length > 0) {
              const tight = store.read(key, { from, to }, allocColumns(want.ts.length));
              expect(Array.from(tight.ts)).toEqual(want.ts);
            }
          },
        ),
        { numRuns: 60 },
      );
      const small = sliceSeries(stored, 0, 10);
      expect(() => store.read(key, {}, small)).toThrow(
        /holds 10 rows, the range has 43323; pass arrays of at least 43323/,
      );
      store.close();
    });

    it("says NOT_FOUND, naming what is stored, for an unknown series", () => {
      const store = make();
      store.upsert(loadBundledSeries("binance", "BTC/USDT", "1d"));
      expect(() => store.read({ exchange: "binance", symbol: "BTC/USDT", timeframe: "4h" })).toThrow(
        /no binance BTC\/USDT 4h candles.*binance 1d/,
      );
      store.close();
    });
  });
}
