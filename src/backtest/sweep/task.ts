/**
 * The task shape of a sweep: what a job queue (issue 21) hands to a worker on another machine and
 * what it hands back. A job is plain JSON (family name, grid, execution model, a reference to the
 * candles); a chunk is a contiguous range of the job's combinations; a chunk's result is its
 * RESULT_STRIDE numbers per combination, encoded so that JSON round-trips them bit for bit.
 *
 * A worker prepares a job once (prepareSweepJob: the indicator arrays of the whole grid, as the
 * threads of the local driver do) and runs any of its chunks against that context, so a chunk's
 * numbers are those of the local run by construction, whichever worker ran it and however often.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Timeframe } from "../../domain/timeframe.ts";
import { invalidInput } from "../../errors.ts";
import { getFamily } from "../../strategies/registry.ts";
import { RESULT_STRIDE, type SimConfig } from "./simulate.ts";
import { prepareSweep, runSweepRange, type SweepContext } from "./sweep.ts";

/** Which candles a job sweeps; a worker loads them itself (from a shared home or a published copy) */
export interface SweepSeriesRef {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  /** the range the coordinator read, inclusive, ms since the epoch */
  from?: number;
  to?: number;
  /** bar count and last timestamp the coordinator saw: a worker refuses candles that differ */
  bars: number;
  lastTs: number;
}

/** One sweep of one family over one series: JSON-serialisable (no typed arrays, no functions) */
export interface SweepJob {
  family: string;
  /** every combination, in result order */
  params: Record<string, number | boolean>[];
  sim: SimConfig;
  series: SweepSeriesRef;
  /** forces the per-bar definition path (tests and benches) */
  general?: boolean;
}

/** Combinations [from, to) of a job; `index` is the chunk's position in the job's chunk list */
export interface SweepChunk {
  index: number;
  from: number;
  to: number;
}

/** A chunk's figures: RESULT_STRIDE numbers per combination, combination `from` first */
export interface SweepChunkResult extends SweepChunk {
  values: Float64Array;
}

/** Chunks of at most `size` combinations, in order, covering [0, combos) */
export function chunksOfSize(combos: number, size: number): SweepChunk[] {
  if (!(Number.isInteger(size) && size >= 1))
    throw invalidInput(`sweep: chunk size ${size}: use a whole number >= 1`);
  const out: SweepChunk[] = [];
  for (let from = 0; from < combos; from += size)
    out.push({ index: out.length, from, to: Math.min(combos, from + size) });
  return out;
}

/** `parts` contiguous chunks of near-equal size covering [0, combos) (empty ones left out) */
export function chunksInto(combos: number, parts: number): SweepChunk[] {
  const k = Math.max(1, Math.min(combos, parts));
  const out: SweepChunk[] = [];
  for (let i = 0; i < k; i++) {
    const from = Math.floor((i * combos) / k);
    const to = Math.floor(((i + 1) * combos) / k);
    if (to > from) out.push({ index: out.length, from, to });
  }
  return out;
}

/**
 * A worker's view of a job: the family looked up, the candles checked against the job's reference,
 * the indicator arrays of the whole grid computed once for all the job's chunks
 */
export function prepareSweepJob(job: SweepJob, series: CandleSeries): SweepContext {
  const family = getFamily(job.family);
  if (family === undefined) throw invalidInput(`sweep job: unknown family ${job.family}`);
  const n = series.close.length;
  if (n !== job.series.bars || series.ts[n - 1] !== job.series.lastTs)
    throw invalidInput(
      `sweep job: ${job.series.symbol} ${job.series.timeframe} has ${n} bars ending at ${series.ts[n - 1]}; ` +
        `the job expects ${job.series.bars} ending at ${job.series.lastTs}: give the worker the same candles`,
    );
  return prepareSweep(series, family, job.params, job.sim);
}

/** Runs one chunk of a prepared job */
export function runSweepChunk(ctx: SweepContext, chunk: SweepChunk, general = false): SweepChunkResult {
  if (!(Number.isInteger(chunk.from) && chunk.from >= 0 && chunk.to <= ctx.combos && chunk.to > chunk.from))
    throw invalidInput(
      `sweep chunk ${chunk.index}: [${chunk.from}, ${chunk.to}) is not inside [0, ${ctx.combos})`,
    );
  // runSweepRange writes at j * RESULT_STRIDE: a results array of the whole grid, sliced after
  const out = new Float64Array(chunk.to * RESULT_STRIDE);
  runSweepRange(ctx, chunk.from, chunk.to, out, general ? { general: true } : {});
  return { ...chunk, values: out.slice(chunk.from * RESULT_STRIDE) };
}

/**
 * The whole results array from chunk results, in any order. A chunk delivered twice (a queue
 * delivers at least once) counts once when its numbers agree and is refused when they do not;
 * combinations no chunk covered are refused by name.
 */
export function mergeSweepChunks(combos: number, results: Iterable<SweepChunkResult>): Float64Array {
  const out = new Float64Array(combos * RESULT_STRIDE);
  const seen = new Uint8Array(combos);
  for (const r of results) {
    if (!(r.from >= 0 && r.to <= combos && r.values.length === (r.to - r.from) * RESULT_STRIDE))
      throw invalidInput(`sweep chunk ${r.index}: [${r.from}, ${r.to}) does not fit a grid of ${combos}`);
    for (let j = r.from; j < r.to; j++) {
      const src = (j - r.from) * RESULT_STRIDE;
      if (seen[j] === 1) {
        for (let f = 0; f < RESULT_STRIDE; f++)
          if (!Object.is(out[j * RESULT_STRIDE + f], r.values[src + f]))
            throw invalidInput(
              `sweep chunk ${r.index}: combination ${j} arrived twice with different figures`,
            );
        continue;
      }
      out.set(r.values.subarray(src, src + RESULT_STRIDE), j * RESULT_STRIDE);
      seen[j] = 1;
    }
  }
  const missing = seen.indexOf(0);
  if (missing >= 0)
    throw invalidInput(`sweep: combination ${missing} of ${combos} has no result; rerun its chunk`);
  return out;
}

/** A chunk result as JSON: numbers round-trip exactly; NaN, the infinities and -0 travel as strings */
export interface SweepChunkResultJson extends SweepChunk {
  values: (number | "NaN" | "Infinity" | "-Infinity" | "-0")[];
}

export function chunkResultToJson(r: SweepChunkResult): SweepChunkResultJson {
  const values = Array.from(r.values, (v) =>
    Number.isNaN(v)
      ? ("NaN" as const)
      : v === Number.POSITIVE_INFINITY
        ? ("Infinity" as const)
        : v === Number.NEGATIVE_INFINITY
          ? ("-Infinity" as const)
          : Object.is(v, -0)
            ? ("-0" as const)
            : v,
  );
  return { index: r.index, from: r.from, to: r.to, values };
}

export function chunkResultFromJson(j: SweepChunkResultJson): SweepChunkResult {
  const values = Float64Array.from(j.values, (v) =>
    typeof v === "number" ? v : v === "-0" ? -0 : Number(v),
  );
  return { index: j.index, from: j.from, to: j.to, values };
}
