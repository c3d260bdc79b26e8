import { type CandleSeries, sliceSeriesByTime } from "../domain/candle-series.ts";
import { timeframeMs } from "../domain/timeframe.ts";
import { AppError } from "../errors.ts";
import type { SignalState } from "../explain/brief/brief.ts";
import { type HitRate, signalHitRates } from "../explain/brief/hit-rates.ts";
import type { SignalExplanation } from "../explain/types.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { ScreenRunStore } from "../research/screen-run-store.ts";
import { buildEnsembleFromRun } from "./build-ensemble.ts";
import { loadScreenSeries } from "./run-screen.ts";

export type BriefEnsemble =
  | { run: string; signals: SignalState[]; hitRates: HitRate[]; explanations: SignalExplanation[] }
  | { missing: string };

const DAY = 86_400_000;

/**
 * The ensemble's signals for the brief: the newest stored screen run on `timeframe` that screened any
 * of the brief's `symbols` is rebuilt as in
 * `kairos report` (its series cut to the run's own clock), each symbol's latest signal read from the
 * explanations, and each kind of signal (family and direction) scored on the run's out-of-sample
 * bars: was the price one day later on the signal's side (signalHitRates).
 */
export function briefEnsemble(
  deps: { store: CandleStore; runs: ScreenRunStore },
  timeframe: string,
  symbols: readonly string[],
): BriefEnsemble {
  const info = deps.runs
    .list()
    .filter((r) => r.timeframe === timeframe && r.symbols.some((s) => symbols.includes(s)))
    .sort((a, b) => a.createdAt - b.createdAt)
    .at(-1);
  if (info === undefined)
    return {
      missing: `no stored screen run on ${timeframe} covers ${symbols.join(", ")}: run \`kairos screen --timeframe ${timeframe}\``,
    };
  const { run } = deps.runs.load(info.id);
  try {
    const loaded = loadScreenSeries(deps.store, { symbols: run.symbols, timeframe: run.timeframe });
    const cut = (s: CandleSeries): CandleSeries => sliceSeriesByTime(s, run.clock.from, run.clock.to);
    const series = loaded.series.map(cut);
    const built = buildEnsembleFromRun({
      run,
      series,
      ...(loaded.reference === undefined ? {} : { reference: cut(loaded.reference) }),
    });
    const clock = built.input.ts;
    const signals: SignalState[] = built.explanations
      .filter((e) => symbols.includes(e.symbol))
      .map((e) => ({
        symbol: e.symbol,
        barTime: Date.parse(`${e.barTime.replace(" UTC", "").replace(" ", "T")}:00Z`),
        action: e.action,
        exposurePct: e.exposurePct,
        confidencePct: e.confidence.pct,
      }));
    // closes on the run's clock (NaN where a symbol has no bar), for the hit rates
    const pos = new Map<number, number>();
    for (let i = 0; i < clock.length; i++) pos.set(clock[i]!, i);
    const closes = new Map<string, Float64Array>();
    for (const s of series) {
      const c = new Float64Array(clock.length).fill(Number.NaN);
      for (let j = 0; j < s.ts.length; j++) {
        const i = pos.get(s.ts[j]!);
        if (i !== undefined) c[i] = s.close[j]!;
      }
      closes.set(s.symbol, c);
    }
    const horizon = Math.max(1, Math.round(DAY / timeframeMs(built.input.timeframe)));
    const sources = built.input.members.flatMap((m) =>
      m.exposure === undefined ? [] : [{ family: m.family, symbol: m.symbol, exposure: m.exposure }],
    );
    const hitRates = signalHitRates(sources, closes, run.clock.oosStart, horizon);
    return { run: info.id, signals, hitRates, explanations: built.explanations };
  } catch (e) {
    // a run the current data no longer fits (or any failure rebuilding it) costs the brief its signals, not the brief
    const why =
      e instanceof AppError ? e.message : `could not be rebuilt (${(e as Error).message ?? String(e)})`;
    return { missing: `screen run ${info.id}: ${why}` };
  }
}
