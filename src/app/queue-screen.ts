/**
 * Screens through a job queue (issue 21): the coordinator's hooks (queueScreener), the worker's
 * kernel (runScreenChunkTask) and `kairos screen resume` (resumeQueuedScreen).
 *
 * The screen's search calls its evaluation once per batch (once for a grid or random search, once
 * per generation for the evolutionary one) and its Monte Carlo once; each call is a part of the run,
 * numbered in call order, split into chunks of variants with job ids `<run>.p<part>.c<chunk>`. The
 * run id is the hash of what the screen computes (candles, settings, seed, search, chunk sizes), and
 * every part is a deterministic function of the parts before it, so a resumed run asks for the same
 * parts and finds its stored chunks. Workers return VariantStats and Monte Carlo results as exact
 * JSON (NaN, the infinities, -0 and float64 arrays tagged), so the judge sees the very numbers a
 * local run computes: the same leaderboard, verdicts, deflated Sharpe and PBO.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync, strFromU8, strToU8 } from "fflate";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { ChunkResultStore, QueuedRunInfo } from "../ports/job-queue.ts";
import type { MonteCarloResult } from "../research/monte-carlo.ts";
import type { ScreenRun } from "../research/screen.ts";
import { validationSeed } from "../research/screen.ts";
import { type VariantSpec, type VariantStats, variantId } from "../research/screen-evaluate.ts";
import { type ScreenShared, screenEvaluateKernel } from "../research/screen-kernel.ts";
import type { ValidationConfig } from "../research/validation-config.ts";
import { wholeNumberField } from "./contract.ts";
import { type QueuedPartStats, type QueueRunOptions, runQueuedPart } from "./queue-chunks.ts";
import { decodeSeries, encodeSeries } from "./queue-sweep.ts";
import {
  type RunScreenDeps,
  type RunScreenRequest,
  runScreenUseCase,
  type ScreenRemote,
} from "./run-screen.ts";

type Exact =
  | null
  | boolean
  | number
  | string
  | Exact[]
  | { [k: string]: Exact }
  | { $num: "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $f64: string }
  | { $undef: 1 };

/**
 * A value as JSON that decodes to the same value: finite numbers as JSON numbers (they round-trip
 * exactly), NaN, the infinities and -0 as tagged strings, Float64Arrays as their bytes in base64,
 * and properties holding undefined kept as such (a local run's objects have them too).
 */
export function toExactJson(v: unknown): Exact {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $num: "NaN" };
    if (v === Number.POSITIVE_INFINITY) return { $num: "Infinity" };
    if (v === Number.NEGATIVE_INFINITY) return { $num: "-Infinity" };
    if (Object.is(v, -0)) return { $num: "-0" };
    return v;
  }
  if (v === undefined) return { $undef: 1 };
  if (v instanceof Float64Array)
    return { $f64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(toExactJson);
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: { [k: string]: Exact } = {};
    for (const [k, x] of Object.entries(v)) out[k] = toExactJson(x);
    return out;
  }
  throw new AppError("INTERNAL", `exact JSON: cannot encode a ${Object.prototype.toString.call(v)}`);
}

export function fromExactJson(j: unknown): unknown {
  if (j === null || typeof j !== "object") return j;
  if (Array.isArray(j)) return j.map(fromExactJson);
  const o = j as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (typeof o.$num === "string") return o.$num === "-0" ? -0 : Number(o.$num);
    if (typeof o.$f64 === "string") {
      const b = Buffer.from(o.$f64, "base64");
      // copy into an aligned buffer: a Buffer's offset need not be a multiple of 8
      const a = new Float64Array(b.byteLength / 8);
      new Uint8Array(a.buffer).set(b);
      return a;
    }
    if (o.$undef === 1) return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = fromExactJson(o[k]);
  return out;
}

/** What a queued screen chunk carries: the variants, and the hashes of the run's data */
export interface ScreenChunkTask {
  kind: "screen-chunk";
  run: string;
  /** hash of the run's shared blob: series hashes, reference hash, validation config, seed */
  shared: string;
  mode: "evaluate" | "monte-carlo";
  specs: VariantSpec[];
  /** the blobs the worker must have */
  blobs: string[];
}

interface SharedBlob {
  series: string[];
  reference: string | null;
  config: ValidationConfig;
  /** validationSeed(run seed) */
  seed: number;
}

// a worker process keeps the last runs' decoded data; the screen kernel prepares each run once per
// shared object, so the same object is handed to it for every chunk of a run
const screens = new Map<string, ScreenShared>();

/** The worker's kernel: one chunk of a queued screen, its results as exact JSON */
export function runScreenChunkTask(data: unknown, blob: (hash: string) => Uint8Array): Exact {
  const t = data as ScreenChunkTask;
  if (t.kind !== "screen-chunk") throw new Error(`unknown queued task kind ${String(t.kind)}`);
  let shared = screens.get(t.shared);
  if (shared === undefined) {
    const h = JSON.parse(strFromU8(gunzipSync(blob(t.shared)))) as SharedBlob;
    shared = {
      series: h.series.map((s) => decodeSeries(blob(s))),
      ...(h.reference === null ? {} : { reference: decodeSeries(blob(h.reference)) }),
      config: h.config,
      seed: h.seed,
    };
    screens.set(t.shared, shared);
    if (screens.size > 2) screens.delete(screens.keys().next().value as string);
  }
  return toExactJson(screenEvaluateKernel({ specs: t.specs, kind: t.mode }, shared));
}

export interface QueueScreenOptions extends QueueRunOptions {
  /** variants per evaluation job */
  chunkSize: number;
  /** variants per Monte Carlo job (each runs the configured resamples) */
  monteCarloChunkSize?: number;
  /** told the run id before anything is queued; throwing here stops the run */
  onRun?: (run: string) => void;
}

/** What a queued screen did, summed over its parts */
export interface QueuedScreenStats {
  run: string;
  parts: number;
  chunks: number;
  /** chunks already stored before this call (a resumed run) */
  resumed: number;
  /** jobs Redis lost (a restart without persistence) and that were queued again */
  requeued: number;
  /** the published blobs: compressed bytes, and the candles' raw bytes */
  blobBytes: number;
  rawBytes: number;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The screen's evaluation hooks on a queue (pass as RunScreenDeps.remote) */
export function queueScreener(o: QueueScreenOptions, stats: QueuedScreenStats[] = []): ScreenRemote {
  const now = o.now ?? (() => Date.now());
  const mcSize = o.monteCarloChunkSize ?? 5;
  return async (r) => {
    const seriesBlobs = r.series.map((s) => encodeSeries(s));
    const refBlob = r.reference === undefined ? undefined : encodeSeries(r.reference);
    const shared: SharedBlob = {
      series: seriesBlobs.map(sha256),
      reference: refBlob === undefined ? null : sha256(refBlob),
      config: r.config,
      seed: validationSeed(r.seed),
    };
    // mtime 0: the same bytes every time, so the hashes (and the run id) depend on the content alone
    const sharedBlob = gzipSync(strToU8(JSON.stringify(shared)), { mtime: 0 });
    const sharedHash = sha256(sharedBlob);
    const q = r.request;
    const run = `sc${sha256(
      strToU8(
        JSON.stringify({
          shared: sharedHash,
          variants: q.variants,
          seed: r.seed,
          preset: q.preset ?? null,
          families: q.families ?? null,
          search: q.search ?? "auto",
          chunkSize: o.chunkSize,
          mcSize,
        }),
      ),
    ).slice(0, 16)}`;
    o.onRun?.(run);
    o.chunks.beginRun({
      id: run,
      kind: "screen",
      input: JSON.stringify({
        request: q,
        chunkSize: o.chunkSize,
        monteCarloChunkSize: mcSize,
        // where it began, for `screen resume` without --queue; an address with a password is not kept
        queue: o.queue.where.includes("***@") ? null : o.queue.where,
      }),
      chunks: Math.ceil(Number(q.variants) / o.chunkSize),
      createdAt: now(),
    });
    const blobs = [sharedBlob, ...seriesBlobs, ...(refBlob === undefined ? [] : [refBlob])];
    const hashes = [sharedHash, ...shared.series, ...(shared.reference === null ? [] : [shared.reference])];
    const st: QueuedScreenStats = {
      run,
      parts: 0,
      chunks: 0,
      resumed: 0,
      requeued: 0,
      blobBytes: blobs.reduce((a, b) => a + b.length, 0),
      rawBytes: [...r.series, ...(r.reference === undefined ? [] : [r.reference])].reduce(
        (a, s) => a + 48 * s.ts.length,
        0,
      ),
    };
    stats.push(st);
    let part = 0;
    const runPart = async (
      specs: readonly VariantSpec[],
      mode: ScreenChunkTask["mode"],
      done?: (count: number) => void,
    ): Promise<unknown[]> => {
      const p = part++;
      const size = mode === "evaluate" ? o.chunkSize : mcSize;
      const jobs: ScreenChunkTask[] = [];
      for (let i = 0; i < specs.length; i += size)
        jobs.push({
          kind: "screen-chunk",
          run,
          shared: sharedHash,
          mode,
          specs: specs.slice(i, i + size),
          blobs: hashes,
        });
      const ps: QueuedPartStats = { chunks: 0, resumed: 0, requeued: 0 };
      const bytes = await runQueuedPart(
        o,
        {
          run,
          part: p,
          idOf: (i) => `${run}.p${p}.c${i}`,
          jobs,
          accept: (i, result) => {
            const want = jobs[i]!.specs;
            const got = fromExactJson(result);
            const ok =
              Array.isArray(got) &&
              got.length === want.length &&
              (mode !== "evaluate" || got.every((v, k) => (v as VariantStats).id === variantId(want[k]!)));
            if (!ok)
              throw new AppError(
                "INTERNAL",
                `screen run ${run}: job ${run}.p${p}.c${i} returned results for other variants than it was given`,
              );
            return strToU8(JSON.stringify(result));
          },
          publish: async () => {
            for (const b of blobs) await o.queue.putBlob(b);
          },
          onStored: (i) => done?.(jobs[i]!.specs.length),
          label: `screen run ${run}`,
          resume: `run \`kairos screen resume ${run}\``,
        },
        ps,
      );
      st.parts += 1;
      st.chunks += ps.chunks;
      st.resumed += ps.resumed;
      st.requeued += ps.requeued;
      return bytes.flatMap((b) => fromExactJson(JSON.parse(strFromU8(b))) as unknown[]);
    };
    return {
      evaluate: async (specs, done) => (await runPart(specs, "evaluate", done)) as VariantStats[],
      monteCarlo: async (specs) => (await runPart(specs, "monte-carlo")) as MonteCarloResult[],
      stored: (id) => o.chunks.finishRun(run, "done", now(), id),
    };
  };
}

/** The queue flags of `kairos screen` */
export const QueueScreenInput = z.object({
  queue: z.string().min(1),
  // measured (bench/queue.ts): ~25 ms per job against ~1.9 ms per variant (9 symbols, 1h), so a job
  // stays under 5% overhead from ~260 variants; smaller jobs spread a small search wider
  chunkSize: wholeNumberField({ min: 1, max: 100_000 }).default(250),
});

/** What `kairos screen resume` got: the stored screen, and whether it was finished already */
export interface ResumedScreen {
  id: string;
  createdAt: number;
  run: ScreenRun;
  /** true when the queued run had finished before: nothing was computed, the stored run is shown */
  alreadyDone: boolean;
}

function queuedScreen(chunks: ChunkResultStore, id: string): QueuedRunInfo {
  const info = chunks.run(id);
  if (info === undefined || info.kind !== "screen")
    throw new AppError(
      "NOT_FOUND",
      `no queued screen run "${id}" in this home: \`kairos screen ... --queue redis://HOST:PORT\` prints the id (sc followed by 16 hex digits) when it starts`,
      { details: { field: "run" } },
    );
  return info;
}

/** The Redis a queued screen began on, for `screen resume` without --queue */
export function queuedScreenAddress(chunks: ChunkResultStore, id: string): string {
  const { queue } = JSON.parse(queuedScreen(chunks, id).input) as { queue?: string | null };
  if (typeof queue !== "string")
    throw new AppError(
      "INVALID_INPUT",
      `screen run ${id} began on a Redis with a password, which is never stored: pass --queue redis://USER:PASSWORD@HOST:PORT`,
      { details: { field: "queue" } },
    );
  return queue;
}

/**
 * Finishes a queued screen that stopped (failed chunks, no workers, Redis away, the coordinator
 * killed): the same request on the same bars, so the same parts and job ids; stored chunks are
 * taken as they are and only the rest is queued.
 */
export async function resumeQueuedScreen(
  deps: RunScreenDeps,
  chunks: ChunkResultStore,
  id: string,
  o: Omit<QueueScreenOptions, "chunkSize" | "monteCarloChunkSize" | "onRun" | "chunks">,
  stats: QueuedScreenStats[] = [],
): Promise<ResumedScreen> {
  const info = queuedScreen(chunks, id);
  if (info.status === "done" && info.result !== null) {
    const stored = deps.runs.load(info.result);
    return { id: stored.info.id, createdAt: stored.info.createdAt, run: stored.run, alreadyDone: true };
  }
  const saved = JSON.parse(info.input) as {
    request: RunScreenRequest;
    chunkSize: number;
    monteCarloChunkSize: number;
  };
  const remote = queueScreener(
    {
      ...o,
      chunks,
      chunkSize: saved.chunkSize,
      monteCarloChunkSize: saved.monteCarloChunkSize,
      onRun: (run) => {
        if (run !== id)
          throw new AppError(
            "INVALID_INPUT",
            `screen run ${id}: its candles or settings are no longer what they were when it began (they hash to run ${run} now: bars deleted or re-imported?); start a new screen with \`kairos screen ... --queue\``,
            { details: { field: "run" } },
          );
      },
    },
    stats,
  );
  const out = await runScreenUseCase({ ...deps, remote }, saved.request);
  return { ...out, alreadyDone: false };
}
