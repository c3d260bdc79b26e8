/**
 * A live session's bars in memory: one aligned column set per market that grows by appending
 * (capacity doubles, so an append costs O(1) amortised) and keeps at most `maxBars` bars (older ones
 * are dropped by one copy when the dead prefix is as long as the window). The session reads
 * zero-copy views, so each new bar costs the same however long the session has run.
 */
import type { CandleSeries } from "../domain/candle-series.ts";
import type { Timeframe } from "../domain/timeframe.ts";

const FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const;
type Field = (typeof FIELDS)[number];

/** One closed bar of one market */
export interface WindowBar {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export class BarWindow {
  private cols: Record<Field, Float64Array>[];
  private start = 0;
  private end = 0;

  constructor(
    private readonly exchange: string,
    readonly symbols: readonly string[],
    private readonly timeframe: Timeframe,
    readonly maxBars: number,
    capacity = 256,
  ) {
    this.cols = symbols.map(() => alloc(Math.max(16, capacity)));
  }

  /** A window holding the last `maxBars` bars of aligned series (same timestamps in each) */
  static of(series: readonly CandleSeries[], maxBars: number): BarWindow {
    const first = series[0]!;
    const n = first.ts.length;
    const keep = Math.min(n, maxBars);
    const w = new BarWindow(
      first.exchange,
      series.map((s) => s.symbol),
      first.timeframe,
      maxBars,
      keep * 2,
    );
    series.forEach((s, k) => {
      for (const f of FIELDS) w.cols[k]![f].set(s[f].subarray(n - keep, n));
    });
    w.end = keep;
    return w;
  }

  get length(): number {
    return this.end - this.start;
  }

  /** open time of the newest bar, or undefined when empty */
  get lastTs(): number | undefined {
    return this.length === 0 ? undefined : this.cols[0]!.ts[this.end - 1];
  }

  /** Appends one instant: a bar per market, in `symbols` order, newer than the last one */
  append(bars: readonly WindowBar[]): void {
    const last = this.lastTs;
    if (bars.length !== this.symbols.length)
      throw new RangeError(`bar window: ${bars.length} bars for ${this.symbols.length} markets`);
    if (last !== undefined && bars.some((b) => b.ts <= last))
      throw new RangeError(`bar window: a bar at or before ${last} appended`);
    if (this.end === this.cols[0]!.ts.length) this.makeRoom();
    bars.forEach((b, k) => {
      const c = this.cols[k]!;
      for (const f of FIELDS) c[f][this.end] = b[f];
    });
    this.end++;
    if (this.length > this.maxBars) this.start++;
  }

  /** Zero-copy series of the bars held, valid until the next append */
  views(): CandleSeries[] {
    return this.symbols.map((symbol, k) => {
      const c = this.cols[k]!;
      const v = (f: Field): Float64Array => c[f].subarray(this.start, this.end);
      return {
        exchange: this.exchange,
        symbol,
        timeframe: this.timeframe,
        ts: v("ts"),
        open: v("open"),
        high: v("high"),
        low: v("low"),
        close: v("close"),
        volume: v("volume"),
      };
    });
  }

  // drop the dead prefix when it is at least the live part, else grow: each bar is copied O(1) times on average
  private makeRoom(): void {
    const live = this.length;
    const cap = this.cols[0]!.ts.length;
    const next = this.start >= live ? cap : cap * 2;
    this.cols = this.cols.map((c) => {
      const out = next === cap ? c : alloc(next);
      for (const f of FIELDS) out[f].set(c[f].subarray(this.start, this.end));
      return out;
    });
    this.start = 0;
    this.end = live;
  }
}

function alloc(n: number): Record<Field, Float64Array> {
  return {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}
