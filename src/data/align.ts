import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";

export type AlignMode = "intersection" | "union";

export interface AlignedSeries {
  /** the shared clock */
  ts: Float64Array;
  /** each input re-indexed on `ts`; in union mode a missing candle is NaN in every column */
  series: CandleSeries[];
  /** per input, 1 where it has a candle at ts[i], 0 where it has a gap (all 1 in intersection mode) */
  present: Uint8Array[];
}

/**
 * Puts several series of one timeframe on one clock: the timestamps all of them share
 * (intersection, the default) or every timestamp any of them has (union, gaps marked).
 */
export function alignSeries(
  inputs: readonly CandleSeries[],
  mode: AlignMode = "intersection",
): AlignedSeries {
  if (inputs.length === 0) throw invalidInput("align: give at least one series");
  const tf = inputs[0]!.timeframe;
  const other = inputs.find((s) => s.timeframe !== tf);
  if (other !== undefined) {
    throw invalidInput(`align: all series need one timeframe (${tf} vs ${other.timeframe}); resample first`);
  }
  const m = inputs.length;
  const pos = new Int32Array(m);
  const clock: number[] = [];
  // k-way merge of sorted timestamp columns
  for (;;) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let live = 0;
    for (let s = 0; s < m; s++) {
      const ts = inputs[s]!.ts;
      if (pos[s]! < ts.length) {
        live++;
        const t = ts[pos[s]!]!;
        if (t < min) min = t;
        if (t > max) max = t;
      }
    }
    if (mode === "intersection" ? live < m : live === 0) break;
    const target = mode === "intersection" ? max : min;
    let all = true;
    for (let s = 0; s < m; s++) {
      const ts = inputs[s]!.ts;
      while (pos[s]! < ts.length && ts[pos[s]!]! < target) pos[s]!++;
      if (!(pos[s]! < ts.length && ts[pos[s]!] === target)) all = false;
    }
    if (mode === "union" || all) {
      clock.push(target);
      for (let s = 0; s < m; s++) {
        const ts = inputs[s]!.ts;
        if (pos[s]! < ts.length && ts[pos[s]!] === target) pos[s]!++;
      }
    }
  }
  const ts = Float64Array.from(clock);
  const present: Uint8Array[] = [];
  const series = inputs.map((src) => {
    const n = ts.length;
    const cols = [
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
    ];
    const mask = new Uint8Array(n);
    const from = [src.open, src.high, src.low, src.close, src.volume];
    let j = 0;
    for (let i = 0; i < n; i++) {
      while (j < src.ts.length && src.ts[j]! < ts[i]!) j++;
      const hit = j < src.ts.length && src.ts[j] === ts[i];
      mask[i] = hit ? 1 : 0;
      for (let c = 0; c < 5; c++) cols[c]![i] = hit ? from[c]![j]! : Number.NaN;
    }
    present.push(mask);
    const [open, high, low, close, volume] = cols as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    return {
      exchange: src.exchange,
      symbol: src.symbol,
      timeframe: src.timeframe,
      ts,
      open,
      high,
      low,
      close,
      volume,
    };
  });
  return { ts, series, present };
}
