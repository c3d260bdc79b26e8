import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { type CandleSeries, sliceSeries } from "../../domain/candle-series.ts";
import { buildFeatures } from "./build-features.ts";
import { makeTargets } from "./targets.ts";

const upTo = (s: CandleSeries, ts: number): CandleSeries => {
  let k = 0;
  while (k < s.ts.length && s.ts[k]! <= ts) k++;
  return sliceSeries(s, 0, k);
};
const tail = (s: CandleSeries, bars: number): CandleSeries => sliceSeries(s, Math.max(0, s.ts.length - bars));

describe("feature builder on the bundled data", () => {
  const fet = tail(loadBundledSeries("binance", "FET/USDT", "1h"), 1500);
  // the AI tokens' files end in 2024-09, BTC's later: cut BTC at FET's last bar
  const btc = tail(upTo(loadBundledSeries("binance", "BTC/USDT", "1h"), fet.ts[fet.ts.length - 1]!), 1700);
  const universe = ["NEAR/USDT", "RENDER/USDT", "WLD/USDT", "FET/USDT"].map((sym) =>
    tail(loadBundledSeries("binance", sym, "1h"), 1600),
  );
  const full = buildFeatures({ series: fet, benchmark: btc, universe });

  it("gives 30+ indicator features plus returns, volatility, volume, cross-asset and calendar, finite after warm-up", () => {
    expect(full.names.length).toBeGreaterThanOrEqual(60);
    expect(new Set(full.names).size).toBe(full.names.length);
    for (const name of [
      "rsi14",
      "bb_percent_b",
      "ret_24",
      "rv_24",
      "volume_z72",
      "bench_beta_168",
      "universe_rank_72",
      "weekday",
      "hour",
    ])
      expect(full.names).toContain(name);
    const t = 400;
    const bad = full.names.filter((_, f) => !Number.isFinite(full.cols[f]![t]!));
    expect(bad).toEqual([]);
    expect(full.cols[full.names.indexOf("hour")]![0]).toBe(new Date(fet.ts[0]!).getUTCHours());
    expect(full.cols[full.names.indexOf("weekday")]![0]).toBe(new Date(fet.ts[0]!).getUTCDay());
  });

  it("a feature at t never changes when bars after t are appended (every series cut at the same time)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: fet.ts.length - 1 }), (k) => {
        const cut = fet.ts[k - 1]!;
        const part = buildFeatures({
          series: upTo(fet, cut),
          benchmark: upTo(btc, cut),
          universe: universe.map((u) => upTo(u, cut)),
        });
        expect(part.names).toEqual(full.names);
        for (let f = 0; f < full.names.length; f++) {
          const a = part.cols[f]!;
          const b = full.cols[f]!.subarray(0, k);
          for (let t = 0; t < k; t++) {
            if (!Object.is(a[t], b[t]))
              throw new Error(`${full.names[f]} at bar ${t} of ${k}: ${a[t]} vs ${b[t]}`);
          }
        }
      }),
      { numRuns: 6, seed: 7 },
    );
  });

  it("targets look h bars ahead and are NaN where the future is unknown", () => {
    const h = 24;
    const tg = makeTargets(fet, h);
    const t = 100;
    expect(tg.logret[t]).toBeCloseTo(Math.log(fet.close[t + h]! / fet.close[t]!), 15);
    expect(tg.sign[t]).toBe(tg.logret[t]! > 0 ? 1 : 0);
    // realised volatility as everywhere in kairos: sample sd (ddof 1) of the h one-bar log returns ahead
    const rs = Array.from({ length: h }, (_, i) => Math.log(fet.close[t + 1 + i]! / fet.close[t + i]!));
    const m = rs.reduce((a, b) => a + b, 0) / h;
    const sd = Math.sqrt(rs.reduce((a, b) => a + (b - m) ** 2, 0) / (h - 1));
    expect(tg.vol[t]).toBeCloseTo(sd, 15);
    const n = fet.ts.length;
    expect(Number.isNaN(tg.logret[n - h]!)).toBe(true);
    expect(Number.isNaN(tg.vol[n - 1]!)).toBe(true);
    expect(Number.isFinite(tg.logret[n - h - 1]!)).toBe(true);
    expect(() => makeTargets(fet, 0)).toThrow(/horizon/);
  });
});
