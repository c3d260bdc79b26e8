/**
 * Why here (src/indicators/cache) and not in backtest/sweep: the cache holds indicator arrays keyed by
 * indicator and parameters, and both the strategies (their sweep forms ask it for arrays) and the sweep
 * engine (plans, worker threads) use it. Strategies sit below backtest, so the cache must sit below
 * both; it needs nothing but arrays and their block summaries, which makes it an indicators module.
 */
import {
  blockCount,
  blockMinMax,
  type CachedArray,
  type F64Alloc,
  heapAlloc,
  superCount,
  superMinMax,
} from "./block-summary.ts";
import { BufferPool } from "./buffer-pool.ts";

/**
 * A cache's entries as one array per entry (an entry's values and block summaries share one
 * buffer): what a parallel sweep sends to its threads, a fifth of the views to structured-clone
 */
export interface PackedCache {
  keys: string[];
  blocks: Float64Array[];
}

/** Numbers per entry: values, then block min/max, then super-block min/max */
const entryLength = (n: number): number => n + 2 * blockCount(n) + 2 * superCount(n);

/** The views of one entry over its buffer (the layout `entryLength` describes) */
function viewsOf(all: Float64Array, n: number): CachedArray {
  const nb = blockCount(n);
  const ns = superCount(n);
  return {
    values: all.subarray(0, n),
    min: all.subarray(n, n + nb),
    max: all.subarray(n + nb, n + 2 * nb),
    min64: all.subarray(n + 2 * nb, n + 2 * nb + ns),
    max64: all.subarray(n + 2 * nb + ns, n + 2 * nb + 2 * ns),
  };
}

/** Released heap buffers of every cache in the process (see BufferPool) */
const HEAP_POOL = new BufferPool((n) => new Float64Array(n));

/**
 * Indicator arrays of one series keyed by indicator and parameters (e.g. "sma(20)"): each is
 * computed once, with its per-block min/max, and shared by every combination that asks for it.
 */
export class IndicatorCache {
  private readonly entries = new Map<string, CachedArray>();
  private readonly order: string[] = [];
  /** buffers taken from the heap pool, given back by `release` */
  private readonly pooled = HEAP_POOL.lease();
  /** deferred mode: how to compute each entry, filled by `get`, run by `computeAt` */
  private readonly computeOf = new Map<string, (out: Float64Array) => void>();

  constructor(
    /** bars in the series */
    readonly n: number,
    private readonly alloc: F64Alloc = heapAlloc,
    /** allocate on `get` but compute later with `computeAt` (threads split the computing) */
    private deferred = false,
  ) {}

  /**
   * Ends deferred mode: entries seen so far keep their compute functions for `computeAt`, and a key
   * asked for from now on is computed at once (a dense plan's exposures ask while the grid runs)
   */
  computeMissesNow(): void {
    this.deferred = false;
  }

  /**
   * The array for `key`, computing it with `compute(out)` on first use. `compute` must write every
   * element of `out` (NaN during warm-up, as the batch indicator kernels do): `out` may be a reused
   * buffer holding an earlier sweep's numbers (pool.test.ts checks every built-in sweep form)
   */
  get(key: string, compute: (out: Float64Array) => void): CachedArray {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (this.deferred && !this.computeOf.has(key)) this.computeOf.set(key, compute);
      return hit;
    }
    if (this.deferred) {
      const entry = this.allocEntry();
      this.computeOf.set(key, compute);
      this.entries.set(key, entry);
      this.order.push(key);
      return entry;
    }
    const entry = this.allocEntry();
    compute(entry.values);
    blockMinMax(entry.values, entry.min, entry.max);
    superMinMax(entry.min, entry.max, entry.min64, entry.max64);
    this.entries.set(key, entry);
    this.order.push(key);
    return entry;
  }

  private allocAll(len: number): Float64Array {
    if (this.alloc !== heapAlloc) return this.alloc(len);
    return this.pooled.alloc(len);
  }

  /**
   * Gives this cache's heap buffers back for the next sweep in the process. Only when nothing reads
   * the cache or a plan built from it any more; the cache is empty afterwards.
   */
  release(): void {
    this.pooled.release();
    this.entries.clear();
    this.order.length = 0;
    this.computeOf.clear();
  }

  /** One allocation per entry: the values and their block summaries share a buffer */
  private allocEntry(): CachedArray {
    return viewsOf(this.allocAll(entryLength(this.n)), this.n);
  }

  /** Deferred mode: computes entry `i` (insertion order) and its block summaries in place */
  computeAt(i: number): void {
    const key = this.order[i];
    const compute = key === undefined ? undefined : this.computeOf.get(key);
    if (key === undefined || compute === undefined) return;
    const e = this.entries.get(key)!;
    compute(e.values);
    blockMinMax(e.values, e.min, e.max);
    superMinMax(e.min, e.max, e.min64, e.max64);
  }

  /** A constant line (a threshold), cached like any indicator */
  constant(value: number): CachedArray {
    return this.get(`const(${value})`, (out) => out.fill(value));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every entry in insertion order as one array each (see PackedCache), for workers */
  packed(): PackedCache {
    const len = entryLength(this.n);
    const blocks = this.order.map((key) => {
      const e = this.entries.get(key)!;
      const all = new Float64Array(e.values.buffer, e.values.byteOffset, len);
      // entries made here (get, allocEntry) lie in one buffer in that layout; check, never assume
      const end = e.max64.byteOffset + e.max64.byteLength;
      if (e.max64.buffer !== e.values.buffer || end !== e.values.byteOffset + len * 8) {
        throw new Error(`indicator cache: entry ${key} is not laid out in one buffer`);
      }
      return all;
    });
    return { keys: [...this.order], blocks };
  }

  /** A cache pre-filled from `packed()` output (shared arrays are used as they are, not copied) */
  static fromPacked(
    n: number,
    p: PackedCache,
    alloc: F64Alloc = heapAlloc,
    deferred = false,
  ): IndicatorCache {
    const c = new IndicatorCache(n, alloc, deferred);
    p.keys.forEach((key, i) => {
      c.entries.set(key, viewsOf(p.blocks[i]!, n));
      c.order.push(key);
    });
    return c;
  }
}
