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
import type { ChunkResultStore, JobQueue, QueueJobState } from "../ports/job-queue.ts";
import { wholeNumberField } from "./contract.ts";

const COLS = ["ts", "open", "high", "low", "close", "volume"] as const;

/** A series as bytes: a JSON header line, then the six float64 columns (little-endian, as in memory) */
export function encodeSeries(s: CandleSeries): Uint8Array {
  const n = s.ts.length;
  const head = strToU8(
    `${JSON.stringify({ exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe, n })}\n`,
  );
  const out = new Uint8Array(head.length + 8 * 6 * n + ((8 - (head.length % 8)) % 8));
  out.set(head);
  const pad = out.length - 48 * n;
  for (const [i, c] of COLS.entries())
    out.set(new Uint8Array(s[c].buffer, s[c].byteOffset, n * 8), pad + i * 8 * n);
  // mtime 0: equal candles give equal bytes and hash. Level 6: the candles' float64s compress ~1.3-2x; higher levels cost more time than they save bytes
  return gzipSync(out, { level: 6, mtime: 0 });
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

export interface QueueSweepOptions {
  queue: JobQueue;
  chunks: ChunkResultStore;
  /** combinations per job */
  chunkSize: number;
  /** deliveries of a chunk before it fails for good */
  attempts?: number;
  pollMs?: number;
  /** stop when Redis has been unreachable this long */
  outageMs?: number;
  /** stop when chunks wait and no worker has been connected this long */
  idleMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  /** one line per notable event (a lost job queued again, Redis away and back) */
  log?: (line: string) => void;
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

export function queueSweeper(o: QueueSweepOptions, stats: QueuedSweepStats[] = []): RemoteSweep {
  const now = o.now ?? (() => Date.now());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = o.pollMs ?? 200;
  const outageMs = o.outageMs ?? 60_000;
  const idleMs = o.idleMs ?? 60_000;
  const attempts = o.attempts ?? 3;
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
    const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
    const specHash = sha(specBytes);
    const seriesHash = sha(seriesBytes);
    const run = `sw${sha(strToU8(`${specHash}:${seriesHash}:${o.chunkSize}`)).slice(0, 16)}`;
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
    const stored = new Set(o.chunks.chunks(run, 0).map((c) => c.chunk));
    const st: QueuedSweepStats = {
      run,
      chunks: chunks.length,
      resumed: stored.size,
      seriesBytes: seriesBytes.length,
      seriesRawBytes: 48 * n,
      requeued: 0,
    };
    stats.push(st);
    const idOf = (c: SweepChunk): string => `${run}.c${c.index}`;
    const taskOf = (c: SweepChunk): SweepChunkTask => ({
      kind: "sweep-chunk",
      run,
      spec: specHash,
      series: seriesHash,
      chunk: c,
      blobs: [specHash, seriesHash],
    });
    const pending = new Map<string, SweepChunk>();
    for (const c of chunks) if (!stored.has(c.index)) pending.set(idOf(c), c);
    const publish = async (): Promise<void> => {
      await o.queue.putBlob(specBytes);
      await o.queue.putBlob(seriesBytes);
    };
    if (pending.size > 0) {
      await publish();
      await o.queue.enqueue(
        [...pending.entries()].map(([id, c]) => ({ id, data: taskOf(c) })),
        { attempts },
      );
    }
    const failed = new Map<number, { reason: string; attempts: number }>();
    let outageSince: number | undefined;
    let workersSeen = now();
    o.onProgress?.(stored.size, chunks.length);
    while (pending.size > 0) {
      await sleep(pollMs);
      let states: Map<string, QueueJobState>;
      let workers: number;
      try {
        // at most 1,000 jobs per look: a huge run is polled in slices, oldest first
        states = await o.queue.states([...pending.keys()].slice(0, 1000));
        workers = (await o.queue.workers()).length;
        if (outageSince !== undefined) o.log?.(`queue ${o.queue.where} reachable again`);
        outageSince = undefined;
      } catch (err) {
        outageSince ??= now();
        if (now() - outageSince === 0)
          o.log?.(
            `queue ${o.queue.where} unreachable (${err instanceof Error ? err.message : String(err)}); waiting up to ${outageMs / 1000} s`,
          );
        if (now() - outageSince > outageMs)
          throw new AppError(
            "HALTED",
            `sweep run ${run}: Redis at ${o.queue.where} unreachable for ${Math.round(outageMs / 1000)} s; ${stored.size} of ${chunks.length} chunks are stored in the home; start Redis and run the same command again to finish the rest`,
            { retryable: true },
          );
        continue;
      }
      if (workers > 0) workersSeen = now();
      const lost: [string, SweepChunk][] = [];
      const done: string[] = [];
      for (const [id, s] of states) {
        const c = pending.get(id)!;
        if (s.state === "completed") {
          const r = chunkResultFromJson(s.result as SweepChunkResultJson);
          if (
            r.index !== c.index ||
            r.from !== c.from ||
            r.to !== c.to ||
            r.values.length !== (c.to - c.from) * RESULT_STRIDE
          )
            throw new AppError(
              "INTERNAL",
              `sweep run ${run}: job ${id} returned chunk [${r.from}, ${r.to}) for [${c.from}, ${c.to})`,
            );
          o.chunks.saveChunk(run, 0, c.index, r.values, s.worker ?? "?");
          stored.add(c.index);
          pending.delete(id);
          done.push(id);
        } else if (s.state === "failed") {
          o.chunks.saveFailure(run, 0, c.index, s.reason, s.attempts);
          failed.set(c.index, { reason: s.reason, attempts: s.attempts });
          pending.delete(id);
          done.push(id);
        } else if (s.state === "missing") lost.push([id, c]);
      }
      if (done.length > 0) {
        o.onProgress?.(stored.size, chunks.length);
        await o.queue.remove(done).catch(() => undefined);
      }
      if (lost.length > 0) {
        // Redis came back without the jobs (no persistence) or they were removed: the ids are
        // deterministic, so queuing them again is safe even if a copy still exists somewhere
        o.log?.(`${lost.length} queued chunks of run ${run} are gone from Redis; queuing them again`);
        st.requeued += lost.length;
        try {
          await publish();
          await o.queue.enqueue(
            lost.map(([id, c]) => ({ id, data: taskOf(c) })),
            { attempts },
          );
        } catch {
          // Redis went away again: the next poll handles it
        }
      }
      if (pending.size > 0 && now() - workersSeen > idleMs)
        throw new AppError(
          "HALTED",
          `sweep run ${run}: no kairos worker connected to ${o.queue.where} for ${Math.round(idleMs / 1000)} s with ${pending.size} chunks waiting${failed.size > 0 ? ` and chunks ${[...failed.keys()].join(", ")} failed for good` : ""}; start \`kairos worker --queue ${o.queue.where}\` and run the same command again (${stored.size} stored chunks are kept)`,
          { retryable: true, details: { run, failed: [...failed.keys()] } },
        );
    }
    if (failed.size > 0) {
      o.chunks.finishRun(run, "failed", now());
      const first = [...failed.entries()][0]!;
      throw new AppError(
        "HALTED",
        `sweep run ${run}: chunks ${[...failed.keys()].join(", ")} of ${chunks.length} failed for good (chunk ${first[0]}: ${first[1].reason}, after ${first[1].attempts} attempts); ${stored.size} stored chunks are kept: fix the workers and run the same command again to run only the failed ones`,
        { details: { run, failed: [...failed.keys()] } },
      );
    }
    o.chunks.finishRun(run, "done", now());
    return mergeSweepChunks(
      params.length,
      o.chunks.chunks(run, 0).map((r) => {
        const c = chunks[r.chunk]!;
        return { index: c.index, from: c.from, to: c.to, values: r.values };
      }),
    );
  };
}

/** The queue flags of `kairos sweep` */
export const QueueSweepInput = z.object({
  queue: z.string().min(1),
  chunkSize: wholeNumberField({ min: 1, max: 1_000_000 }).default(500),
});
