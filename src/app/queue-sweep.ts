/**
 * Sweeps through a job queue (issue 21): the coordinator's side (queueSweeper) and the worker's
 * kernel (runSweepChunkTask). The run is one sweep job of one series, split into chunks with
 * deterministic job ids `<run>.c<chunk>`; the run id is the hash of what it computes (grid, costs,
 * candle bytes, chunk size), so the same command run again resumes it: chunks already stored are
 * not queued again.
 *
 * Candles for workers on other machines: the coordinator publishes each series once per run as a
 * gzip-compressed blob under its SHA-256; each worker process fetches it once and its child
 * processes keep it by hash, so a run moves the candles over the network once per worker, not
 * once per chunk. The grid and costs travel the same way; a job itself is ~200 bytes.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync, strFromU8, strToU8 } from "fflate";
import { z } from "zod";
import { RESULT_STRIDE, type SimConfig } from "../backtest/sweep/simulate.ts";
import type { SweepContext } from "../backtest/sweep/sweep.ts";
import {
  chunkResultFromJson,
  chunkResultToJson,
  chunksOfSize,
  mergeSweepChunks,
  prepareSweepJob,
  runSweepChunk,
  type SweepChunk,
  type SweepChunkResultJson,
  type SweepJob,
} from "../backtest/sweep/task.ts";
import type { CandleSeries } from "../domain/candle-series.ts";
import type { Timeframe } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import { wholeNumberField } from "./contract.ts";
import { type QueueRunOptions, runQueuedPart } from "./queue-chunks.ts";

const COLS = ["ts", "open", "high", "low", "close", "volume"] as const;

/**
 * The gzip level of published candles: 1. Measured (`npm run bench -- queue --case blob`, README
 * "Candles for other machines"): level 1 keeps 95-99% of level 6's saving (BTC/USDT 1h 1.80x vs
 * 1.89x) at a third to two thirds of its encode time, and the coordinator encodes before the first
 * job can start; the few % of bytes the higher levels save pay back only past ~1,000 workers on 1 Gbit/s.
 */
export const SERIES_GZIP_LEVEL: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 1;

/** A series as bytes: a JSON header line, then the six float64 columns (little-endian, as in memory), gzipped */
export function encodeSeries(
  s: CandleSeries,
  level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = SERIES_GZIP_LEVEL,
): Uint8Array {
  const n = s.ts.length;
  const head = strToU8(
    `${JSON.stringify({ exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe, n })}\n`,
  );
  const out = new Uint8Array(head.length + 8 * 6 * n + ((8 - (head.length % 8)) % 8));
  out.set(head);
  const pad = out.length - 48 * n;
  for (const [i, c] of COLS.entries())
    out.set(new Uint8Array(s[c].buffer, s[c].byteOffset, n * 8), pad + i * 8 * n);
  // mtime 0: equal candles give equal bytes and hash
  return gzipSync(out, { level, mtime: 0 });
}

export function decodeSeries(gz: Uint8Array): CandleSeries {
  const raw = gunzipSync(gz);
  const nl = raw.indexOf(10);
  const h = JSON.parse(strFromU8(raw.subarray(0, nl))) as {
    exchange: string;
    symbol: string;
    timeframe: Timeframe;
    n: number;
  };
  const pad = raw.length - 48 * h.n;
  const col = (i: number): Float64Array => {
    const a = new Float64Array(h.n);
    new Uint8Array(a.buffer).set(raw.subarray(pad + i * 8 * h.n, pad + (i + 1) * 8 * h.n));
    return a;
  };
  return {
    exchange: h.exchange,
    symbol: h.symbol,
    timeframe: h.timeframe,
    ts: col(0),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
  };
}

/** What a queued sweep chunk carries: ids and hashes only */
export interface SweepChunkTask {
  kind: "sweep-chunk";
  run: string;
  spec: string;
  series: string;
  chunk: SweepChunk;
  /** the blobs the worker must have (spec and series) */
  blobs: string[];
}

// a worker process keeps the last prepared contexts: every chunk of a run reuses the grid's indicators
const prepared = new Map<string, SweepContext>();

/** The worker's kernel: one chunk of a queued sweep, its figures as exact JSON */
export function runSweepChunkTask(data: unknown, blob: (hash: string) => Uint8Array): SweepChunkResultJson {
  const t = data as SweepChunkTask;
  if (t.kind !== "sweep-chunk") throw new Error(`unknown queued task kind ${String(t.kind)}`);
  const key = `${t.spec}:${t.series}`;
  let ctx = prepared.get(key);
  if (ctx === undefined) {
    const job = JSON.parse(strFromU8(gunzipSync(blob(t.spec)))) as SweepJob;
    ctx = prepareSweepJob(job, decodeSeries(blob(t.series)));
    prepared.set(key, ctx);
    if (prepared.size > 2) {
      const oldest = prepared.keys().next().value as string;
      prepared.get(oldest)?.cache.release();
      prepared.delete(oldest);
    }
  }
  return chunkResultToJson(runSweepChunk(ctx, t.chunk, false));
}

export interface QueueSweepOptions extends QueueRunOptions {
  /** combinations per job */
  chunkSize: number;
  onProgress?: (done: number, total: number) => void;
}

/** What a queued sweep of one series did */
export interface QueuedSweepStats {
  run: string;
  chunks: number;
  /** chunks already stored before this call (a resumed run) */
  resumed: number;
  /** compressed bytes of the series blob, and raw */
  seriesBytes: number;
  seriesRawBytes: number;
  /** jobs Redis lost (a restart without persistence) and that were queued again */
  requeued: number;
}

/** A sweep of one series over the queue, returning the results array of the local run */
export type RemoteSweep = (
  series: CandleSeries,
  family: string,
  params: Record<string, number | boolean>[],
  sim: SimConfig,
) => Promise<Float64Array>;

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export function queueSweeper(o: QueueSweepOptions, stats: QueuedSweepStats[] = []): RemoteSweep {
  const now = o.now ?? (() => Date.now());
  return async (series, family, params, sim) => {
    const n = series.close.length;
    const job: SweepJob = {
      family,
      params,
      sim,
      series: {
        exchange: series.exchange,
        symbol: series.symbol,
        timeframe: series.timeframe,
        bars: n,
        lastTs: series.ts[n - 1]!,
      },
    };
    // mtime 0: the same bytes every time, so the hashes (and the run id) depend on the content alone
    const specBytes = gzipSync(strToU8(JSON.stringify(job)), { mtime: 0 });
    const seriesBytes = encodeSeries(series);
    const specHash = sha256(specBytes);
    const seriesHash = sha256(seriesBytes);
    const run = `sw${sha256(strToU8(`${specHash}:${seriesHash}:${o.chunkSize}`)).slice(0, 16)}`;
    const chunks = chunksOfSize(params.length, o.chunkSize);
    o.chunks.beginRun({
      id: run,
      kind: "sweep",
      input: JSON.stringify({
        family,
        symbol: series.symbol,
        timeframe: series.timeframe,
        combinations: params.length,
        chunkSize: o.chunkSize,
      }),
      chunks: chunks.length,
      createdAt: now(),
    });
    const st: QueuedSweepStats = {
      run,
      chunks: chunks.length,
      resumed: 0,
      seriesBytes: seriesBytes.length,
      seriesRawBytes: 48 * n,
      requeued: 0,
    };
    stats.push(st);
    let stored = 0;
    const bytes = await runQueuedPart(
      o,
      {
        run,
        part: 0,
        idOf: (i) => `${run}.c${i}`,
        jobs: chunks.map(
          (c): SweepChunkTask => ({
            kind: "sweep-chunk",
            run,
            spec: specHash,
            series: seriesHash,
            chunk: c,
            blobs: [specHash, seriesHash],
          }),
        ),
        accept: (i, result) => {
          const c = chunks[i]!;
          const r = chunkResultFromJson(result as SweepChunkResultJson);
          if (
            r.index !== c.index ||
            r.from !== c.from ||
            r.to !== c.to ||
            r.values.length !== (c.to - c.from) * RESULT_STRIDE
          )
            throw new AppError(
              "INTERNAL",
              `sweep run ${run}: job ${run}.c${i} returned chunk [${r.from}, ${r.to}) for [${c.from}, ${c.to})`,
            );
          return new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength);
        },
        publish: async () => {
          await o.queue.putBlob(specBytes);
          await o.queue.putBlob(seriesBytes);
        },
        onStored: () => {
          stored += 1;
          o.onProgress?.(stored, chunks.length);
        },
        label: `sweep run ${run}`,
        resume: "run the same command again",
      },
      st,
    );
    o.chunks.finishRun(run, "done", now());
    return mergeSweepChunks(
      params.length,
      chunks.map((c) => {
        // copy into an aligned buffer: stored bytes need not start at a multiple of 8
        const values = new Float64Array(bytes[c.index]!.byteLength / 8);
        new Uint8Array(values.buffer).set(bytes[c.index]!);
        return { index: c.index, from: c.from, to: c.to, values };
      }),
    );
  };
}

/** The queue flags of `kairos sweep` */
export const QueueSweepInput = z.object({
  queue: z.string().min(1),
  chunkSize: wholeNumberField({ min: 1, max: 1_000_000 }).default(500),
});
