import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadBundledSeries } from "../../../test/support/bundled-data.ts";
import { FAMILIES } from "../../strategies/registry.ts";
import { defaultExecution } from "../types.ts";
import { sweepResults } from "./driver.ts";
import { expandGrid, parseParamAxis } from "./grid.ts";
import { RESULT_STRIDE, simConfigOf } from "./sweep.ts";
import {
  chunkResultFromJson,
  chunkResultToJson,
  chunksInto,
  chunksOfSize,
  mergeSweepChunks,
  prepareSweepJob,
  runSweepChunk,
  type SweepJob,
} from "./task.ts";

const series = loadBundledSeries("binance", "ETH/USDT", "1h");
const n = series.close.length;

function jobOf(family: string, axes: string[], stops = false): SweepJob {
  const exec = defaultExecution({ slippage: { kind: "fixed", rate: 0.0005 } });
  if (stops) exec.exits.stopLoss = 0.03;
  return {
    family,
    params: expandGrid(FAMILIES[family]!, axes.map(parseParamAxis)),
    sim: simConfigOf(exec, "1h"),
    series: {
      exchange: series.exchange,
      symbol: series.symbol,
      timeframe: "1h",
      bars: n,
      lastTs: series.ts[n - 1]!,
    },
  };
}

describe("sweep task shape (the unit a remote job queue runs)", () => {
  it("chunks cover the grid once, in order, whatever the size or count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 64 }), (m, k) => {
        for (const chunks of [chunksOfSize(m, k), chunksInto(m, k)]) {
          let next = 0;
          chunks.forEach((c, i) => {
            expect(c.index).toBe(i);
            expect(c.from).toBe(next);
            expect(c.to).toBeGreaterThan(c.from);
            next = c.to;
          });
          expect(next).toBe(m);
        }
        expect(chunksOfSize(m, k).every((c) => c.to - c.from <= k)).toBe(true);
      }),
    );
  });

  it("a job through JSON, run chunk by chunk in shuffled order with redeliveries, equals the local driver bit for bit", async () => {
    const jobs = [
      jobOf("sma-cross", ["fast=5..30:1", "slow=20..100:20"]),
      jobOf("rsi-reversion", ["period=7..21:7", "lower=25..35:5", "upper=65..75:10"]),
      jobOf("sma-cross", ["fast=5..20:5", "slow=30..60:30"], true),
    ];
    for (const job of jobs) {
      const local = await sweepResults(series, FAMILIES[job.family]!, job.params, job.sim);
      // what a worker receives and sends back is JSON text
      const received = JSON.parse(JSON.stringify(job)) as SweepJob;
      const ctx = prepareSweepJob(received, series);
      const chunks = chunksOfSize(job.params.length, 7);
      const order = [...chunks].reverse().concat(chunks.slice(0, 2));
      const results = order.map((c) =>
        chunkResultFromJson(JSON.parse(JSON.stringify(chunkResultToJson(runSweepChunk(ctx, c))))),
      );
      const merged = mergeSweepChunks(job.params.length, results);
      expect(merged.length).toBe(job.params.length * RESULT_STRIDE);
      expect(Array.from(merged).every((v, i) => Object.is(v, local[i]))).toBe(true);
    }
  });

  it("the JSON form keeps NaN, infinities and -0", () => {
    const values = Float64Array.from([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0.1 + 0.2,
    ]);
    const back = chunkResultFromJson(
      JSON.parse(JSON.stringify(chunkResultToJson({ index: 0, from: 0, to: 1, values }))),
    );
    expect(Array.from(back.values).every((v, i) => Object.is(v, values[i]))).toBe(true);
  });

  it("refuses a missing chunk, a conflicting redelivery and candles other than the job's", () => {
    const job = jobOf("sma-cross", ["fast=5..10:1", "slow=20..40:20"]);
    const ctx = prepareSweepJob(job, series);
    const [a, b] = chunksInto(job.params.length, 2).map((c) => runSweepChunk(ctx, c));
    expect(() => mergeSweepChunks(job.params.length, [a!])).toThrow(/combination \d+ of \d+ has no result/);
    const forged = { ...b!, values: b!.values.map((v, i) => (i === 0 ? v + 1 : v)) };
    expect(() => mergeSweepChunks(job.params.length, [a!, b!, forged])).toThrow(
      /arrived twice with different/,
    );
    const shorter = { ...job, series: { ...job.series, bars: n - 1 } };
    expect(() => prepareSweepJob(shorter, series)).toThrow(/give the worker the same candles/);
    expect(() => runSweepChunk(ctx, { index: 9, from: 0, to: job.params.length + 1 })).toThrow(
      /is not inside/,
    );
  });
});
