/**
 * The look-ahead check: re-run the strategy on data truncated at up to `points` cut bars spread over
 * the run and compare every target and reported value with the full run. A causal strategy gives
 * identical numbers; one that peeks at later bars changes when they are cut away.
 */
import { type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import type { Decision } from "../domain/decision.ts";
import type { Strategy } from "../strategies/types.ts";
import { runEngine } from "./engine.ts";
import type { ExecutionConfig } from "./types.ts";

export interface LookaheadChange {
  /** bar index and open time of the decision that changed */
  bar: number;
  ts: number;
  /** "target:SYM", "value:NAME" or "exposures:SYM" (the vectorised form) */
  key: string;
  full: number;
  truncated: number;
  /** the last bar of the truncated data */
  cut: number;
}

export interface LookaheadReport {
  ok: boolean;
  points: number;
  barsChecked: number;
  valuesChecked: number;
  changes: number;
  /** the first changes found (at most 20) */
  examples: LookaheadChange[];
}

export interface LookaheadInput {
  series: readonly CandleSeries[];
  start: number;
  config: ExecutionConfig;
  /** a fresh strategy per run */
  create: () => Strategy;
  /** the family's vectorised form, checked the same way when given */
  exposures?: (s: CandleSeries) => Float64Array;
  points?: number;
}

const same = (a: number, b: number): boolean =>
  a === b ||
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));

function flatten(d: Decision, into: Map<string, number>): void {
  for (const [k, v] of Object.entries(d.targets ?? {})) into.set(`target:${k}`, v);
  for (const [k, v] of Object.entries(d.values ?? {})) into.set(`value:${k}`, v);
}

/** Runs the check; cost is about `points` runs over half the data on average */
export function checkLookahead(input: LookaheadInput): LookaheadReport {
  const { series, start, config } = input;
  const n = series[0]!.ts.length;
  const ts = series[0]!.ts;
  const full = new Map<number, Map<string, number>>();
  runEngine({
    series,
    strategy: input.create(),
    config,
    start,
    onDecision: (bar, d) => {
      const m = new Map<string, number>();
      flatten(d, m);
      full.set(bar, m);
    },
  });
  const fullExp = input.exposures === undefined ? [] : series.map((s) => input.exposures!(s));
  const want = Math.max(1, input.points ?? 200);
  const cuts: number[] = [];
  for (let k = 1; k <= want; k++) {
    const c = start + Math.round((k * (n - 1 - start)) / (want + 1));
    if (c > start && c < n - 1 && c !== cuts[cuts.length - 1]) cuts.push(c);
  }
  const examples: LookaheadChange[] = [];
  let changes = 0;
  let valuesChecked = 0;
  let barsChecked = 0;
  const note = (c: LookaheadChange): void => {
    changes++;
    if (examples.length < 20) examples.push(c);
  };
  let prev = start - 1;
  for (const cut of cuts) {
    const cutSeries = series.map((s) => sliceSeries(s, 0, cut + 1));
    runEngine({
      series: cutSeries,
      strategy: input.create(),
      config,
      start,
      onDecision: (bar, d) => {
        if (bar <= prev) return;
        barsChecked++;
        const got = new Map<string, number>();
        flatten(d, got);
        const ref = full.get(bar) ?? new Map<string, number>();
        for (const [key, v] of ref) {
          valuesChecked++;
          const w = got.get(key) ?? Number.NaN;
          if (!same(v, w)) note({ bar, ts: ts[bar]!, key, full: v, truncated: w, cut });
        }
        for (const [key, w] of got)
          if (!ref.has(key)) note({ bar, ts: ts[bar]!, key, full: Number.NaN, truncated: w, cut });
      },
    });
    cutSeries.forEach((s, i) => {
      if (input.exposures === undefined) return;
      const e = input.exposures(s);
      for (let b = Math.max(prev + 1, 0); b <= cut; b++) {
        valuesChecked++;
        if (!same(fullExp[i]![b]!, e[b]!))
          note({
            bar: b,
            ts: ts[b]!,
            key: `exposures:${s.symbol}`,
            full: fullExp[i]![b]!,
            truncated: e[b]!,
            cut,
          });
      }
    });
    prev = cut;
  }
  return { ok: changes === 0, points: cuts.length, barsChecked, valuesChecked, changes, examples };
}
