import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../test/support/bundled-data.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import { alignSeries } from "./align.ts";
import { resampleCandles } from "./resample.ts";

const H = 3_600_000;
const M = 60_000;

function series(ts: number[], tf: CandleSeries["timeframe"] = "1m", seed = 1): CandleSeries {
  const n = ts.length;
  const s: CandleSeries = {
    exchange: "x",
    symbol: "A/B",
    timeframe: tf,
    ts: Float64Array.from(ts),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = 100 + ((i * 37 + seed * 11) % 17);
    s.open[i] = p;
    s.close[i] = p + ((i % 3) - 1);
    s.high[i] = Math.max(s.open[i]!, s.close[i]!) + (i % 5);
    s.low[i] = Math.min(s.open[i]!, s.close[i]!) - (i % 4);
    s.volume[i] = (i % 7) * 0.25;
  }
  return s;
}

const sortedMinutes = fc
  .uniqueArray(fc.integer({ min: 0, max: 3 * 24 * 60 }), { minLength: 1, maxLength: 600 })
  .map((xs) => xs.sort((a, b) => a - b).map((x) => 1_700_006_400_000 + x * M));

describe("resampleCandles", () => {
  it("aggregates a hand-computed case and drops an unfinished last bucket", () => {
    const s = series([0, 1, 2, 3, 4, 5, 6].map((i) => 1_700_006_400_000 + i * M));
    const r = resampleCandles(s, "5m");
    expect(Array.from(r.series.ts)).toEqual([1_700_006_400_000]);
    expect(r.series.open[0]).toBe(s.open[0]);
    expect(r.series.close[0]).toBe(s.close[4]);
    expect(r.series.high[0]).toBe(Math.max(...s.high.subarray(0, 5)));
    expect(r.series.low[0]).toBe(Math.min(...s.low.subarray(0, 5)));
    expect(r.series.volume[0]).toBe(s.volume.subarray(0, 5).reduce((a, b) => a + b, 0));
    expect(r.dropped).toEqual([{ position: "last", bucket: 1_700_006_400_000 + 5 * M, rows: 2 }]);
  });

  it("1h -> 1d on real BTC data matches the bundled daily file where days are complete", () => {
    const h = loadBundledSeries("binance", "BTC/USDT", "1h");
    const d = loadBundledSeries("binance", "BTC/USDT", "1d");
    const r = resampleCandles(h, "1d");
    let checked = 0;
    for (let i = 0; i < r.series.ts.length; i++) {
      const j = d.ts.indexOf(r.series.ts[i]!);
      if (j < 0) continue;
      // exchange gaps make partial days; compare complete ones only
      const start = h.ts.indexOf(r.series.ts[i]!);
      if (h.ts[start + 23] !== r.series.ts[i]! + 23 * H) continue;
      expect(r.series.open[i]).toBe(d.open[j]);
      expect(r.series.high[i]).toBe(d.high[j]);
      expect(r.series.low[i]).toBe(d.low[j]);
      expect(r.series.close[i]).toBe(d.close[j]);
      expect(r.series.volume[i]).toBeCloseTo(d.volume[j]!, 4);
      checked++;
    }
    expect(checked).toBeGreaterThan(1800);
  });

  it("1m -> 5m -> 1h equals 1m -> 1h, and volume is conserved over kept buckets (property)", () => {
    fc.assert(
      fc.property(sortedMinutes, (ts) => {
        const s = series(ts);
        const direct = resampleCandles(s, "1h");
        const viaFive = resampleCandles(resampleCandles(s, "5m").series, "1h");
        // via 5m can only drop more (a 5m bucket dropped at the edge), never disagree on kept hours
        for (let i = 0; i < viaFive.series.ts.length; i++) {
          const j = direct.series.ts.indexOf(viaFive.series.ts[i]!);
          if (j < 0) continue;
          expect(viaFive.series.high[i]).toBe(direct.series.high[j]);
          expect(viaFive.series.low[i]).toBe(direct.series.low[j]);
        }
        const keptVolume = direct.series.volume.reduce((a, b) => a + b, 0);
        const droppedRows = direct.dropped.reduce((a, d) => a + d.rows, 0);
        expect(direct.series.ts.length + direct.dropped.length).toBeLessThanOrEqual(ts.length);
        let total = 0;
        for (const v of s.volume) total += v;
        const droppedVolume = total - keptVolume;
        expect(droppedVolume).toBeGreaterThanOrEqual(-1e-9);
        if (droppedRows === 0) expect(keptVolume).toBeCloseTo(total, 9);
        for (let i = 0; i < direct.series.ts.length; i++) {
          expect(direct.series.low[i]).toBeLessThanOrEqual(
            Math.min(direct.series.open[i]!, direct.series.close[i]!),
          );
          expect(direct.series.high[i]).toBeGreaterThanOrEqual(
            Math.max(direct.series.open[i]!, direct.series.close[i]!),
          );
          expect(direct.series.ts[i]! % H).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("appending future candles never changes past buckets (property)", () => {
    fc.assert(
      fc.property(sortedMinutes, fc.integer({ min: 1, max: 599 }), (ts, cut) => {
        const s = series(ts);
        const k = Math.min(cut, ts.length);
        const head = series(ts.slice(0, k));
        const a = resampleCandles(head, "15m").series;
        const b = resampleCandles(s, "15m").series;
        for (let i = 0; i < a.ts.length; i++) {
          expect(b.ts[i]).toBe(a.ts[i]);
          expect(b.close[i]).toBe(a.close[i]);
          expect(b.volume[i]).toBe(a.volume[i]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the chain 1m -> 5m -> 1h -> 4h -> 1d on real Bitstamp minutes equals 1m -> 1d directly", () => {
    const m1 = loadBundledSeries("bitstamp", "BTC/USD", "1m");
    let s = m1;
    for (const tf of ["5m", "1h", "4h", "1d"] as const) s = resampleCandles(s, tf).series;
    const direct = resampleCandles(m1, "1d");
    // the first minute (00:00 on 2025-01-07) is missing, so that day is dropped both ways
    expect(direct.dropped.map((d) => d.position)).toEqual(["first", "last"]);
    expect(Array.from(s.ts)).toEqual(Array.from(direct.series.ts));
    expect(s.ts.length).toBe(26);
    for (const col of ["open", "high", "low", "close"] as const)
      expect(Array.from(s[col])).toEqual(Array.from(direct.series[col]));
    for (let i = 0; i < s.volume.length; i++) expect(s.volume[i]).toBeCloseTo(direct.series.volume[i]!, 6);
  });

  it("refuses a target that is not a multiple", () => {
    expect(() => resampleCandles(series([0], "5m"), "3m")).toThrow(/whole multiple of 5m/);
  });
});

describe("alignSeries", () => {
  it("intersects by default and marks gaps in union mode", () => {
    const a = series([0, 1, 2, 4].map((i) => i * M));
    const b = series(
      [1, 2, 3, 4, 5].map((i) => i * M),
      "1m",
      2,
    );
    const x = alignSeries([a, b]);
    expect(Array.from(x.ts)).toEqual([1, 2, 4].map((i) => i * M));
    expect(x.series[1]!.close[0]).toBe(b.close[0]);
    const u = alignSeries([a, b], "union");
    expect(Array.from(u.ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * M));
    expect(Array.from(u.present[0]!)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(u.series[0]!.close[3]).toBeNaN();
  });

  it("intersection is in every input, union holds every input, values follow their timestamps (property)", () => {
    fc.assert(
      fc.property(fc.array(sortedMinutes, { minLength: 1, maxLength: 4 }), (tss) => {
        const inputs = tss.map((ts, i) => series(ts, "1m", i));
        const sets = tss.map((ts) => new Set(ts));
        const inter = alignSeries(inputs);
        const want = [...sets[0]!].filter((t) => sets.every((s) => s.has(t)));
        expect(Array.from(inter.ts)).toEqual(want);
        const uni = alignSeries(inputs, "union");
        expect(Array.from(uni.ts)).toEqual([...new Set(tss.flat())].sort((a, b) => a - b));
        uni.series.forEach((s, k) => {
          for (let i = 0; i < uni.ts.length; i++) {
            const j = tss[k]!.indexOf(uni.ts[i]!);
            expect(uni.present[k]![i]).toBe(j >= 0 ? 1 : 0);
            if (j >= 0) expect(s.close[i]).toBe(inputs[k]!.close[j]);
          }
        });
      }),
      { numRuns: 40 },
    );
  });
});
