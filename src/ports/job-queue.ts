/**
 * A distributed job queue (issue 21): a coordinator enqueues JSON jobs with deterministic ids and
 * polls their states; workers on any machine run them. Delivery is at least once (a job whose
 * worker dies runs again elsewhere), so everything built on it must be idempotent: results are
 * keyed by (run, chunk) and a second delivery of the same chunk changes nothing.
 *
 * Inputs too large to repeat in every job (candles, the grid) travel as content-addressed blobs:
 * published once per run, fetched once per worker, cached by hash.
 */

/** A job: `id` is deterministic (run and chunk), so adding it twice adds it once */
export interface QueueJob {
  id: string;
  /** plain JSON */
  data: unknown;
}

/** Where a job stands; "missing" = the queue does not know it (never added, or Redis lost it) */
export type QueueJobState =
  | { state: "waiting" | "active" | "delayed"; attempts: number }
  | { state: "completed"; attempts: number; result: unknown; worker?: string }
  | { state: "failed"; attempts: number; reason: string; final: boolean }
  | { state: "missing" };

export interface QueueWorkerInfo {
  /** the name the worker gave itself (host:pid) */
  name: string;
  addr: string;
  /** seconds connected */
  age: number;
}

export interface QueueActiveJob {
  id: string;
  worker: string;
  startedAt: number;
  attempts: number;
}

export interface EnqueueOptions {
  /** deliveries of a job before it counts as failed for good (crashes and timeouts included) */
  attempts: number;
}

/** The coordinator's side of the queue */
export interface JobQueue {
  /** e.g. redis://127.0.0.1:6379 (credentials masked) */
  readonly where: string;
  /** stores bytes under their SHA-256 (hex); storing the same bytes again is one existence check */
  putBlob(bytes: Uint8Array): Promise<string>;
  getBlob(hash: string): Promise<Uint8Array | undefined>;
  deleteBlobs(hashes: readonly string[]): Promise<void>;
  /** adds jobs that are not already there (by id) */
  enqueue(jobs: readonly QueueJob[], opts: EnqueueOptions): Promise<void>;
  states(ids: readonly string[]): Promise<Map<string, QueueJobState>>;
  /** removes finished jobs (their results are stored elsewhere) */
  remove(ids: readonly string[]): Promise<void>;
  workers(): Promise<QueueWorkerInfo[]>;
  active(): Promise<QueueActiveJob[]>;
  close(): Promise<void>;
}

/** A queued run as recorded in the home */
export interface QueuedRunInfo {
  id: string;
  /** "sweep" or "screen" */
  kind: string;
  /** what the run computes, as JSON: enough to run it again (`kairos screen resume`) */
  input: string;
  /** chunks known when it began (a screen's later search generations add parts as it goes) */
  chunks: number;
  createdAt: number;
  status: "running" | "done" | "failed";
  finishedAt: number | null;
  /** what the finished run produced (a screen's stored run id), if anything */
  result: string | null;
}

/**
 * Where a queued run keeps what its chunks returned: one row per (run, part, chunk). The bytes are
 * stored as the worker's result encoded them, so a stored chunk is bit for bit what was computed.
 */
export interface ChunkResultStore {
  /** records a run (idempotent: a resumed run keeps its row, and its failed chunks are tried again) */
  beginRun(run: { id: string; kind: string; input: string; chunks: number; createdAt: number }): void;
  /** undefined when the home has no run of that id */
  run(id: string): QueuedRunInfo | undefined;
  /** true when this call stored the chunk, false when it was already there (a redelivery) */
  saveChunk(run: string, part: number, chunk: number, bytes: Uint8Array, worker: string): boolean;
  saveFailure(run: string, part: number, chunk: number, reason: string, attempts: number): void;
  chunks(run: string, part: number): { chunk: number; bytes: Uint8Array }[];
  /** how many chunks of the run are stored */
  count(run: string): number;
  failures(run: string): { part: number; chunk: number; reason: string; attempts: number }[];
  finishRun(run: string, status: "done" | "failed", at: number, result?: string): void;
}
