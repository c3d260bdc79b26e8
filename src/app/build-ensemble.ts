import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import { type ExplainMember, explainSignal } from "../explain/explain-signal.ts";
import type { SignalExplanation } from "../explain/types.ts";
import { buildEnsemble } from "../research/ensemble/ensemble.ts";
import { ensemblePreset } from "../research/ensemble/presets.ts";
import {
  type EnsembleConfigInput,
  type EnsembleInput,
  type EnsembleMember,
  type EnsembleResult,
  type ReturnStats,
  WEIGHTING_SCHEMES,
  type WeightingScheme,
} from "../research/ensemble/types.ts";
import { weightAt } from "../research/ensemble/weights.ts";
import { replayVariant, type ScreenRun } from "../research/screen.ts";
import { screenFamily } from "../research/screen-catalog.ts";
import { prepareScreenData } from "../research/screen-data.ts";
import { screenLayout } from "../research/screen-evaluate.ts";
import type { JudgedVariant } from "../research/screen-judge.ts";
import { simulateExposure } from "../research/simulate.ts";
import { type AnySingleFamily, isBasket } from "../strategies/catalog.ts";
import { getFamily } from "../strategies/registry.ts";

/** One screened variant to consider for the ensemble */
export interface VariantSpec {
  id: string;
  family: string;
  symbol: string;
  params: Record<string, number | boolean>;
}

export interface BuildEnsembleInput {
  /** every symbol's bars, up to the latest closed bar */
  series: readonly CandleSeries[];
  variants: readonly VariantSpec[];
  fee: number;
  slippage: number;
  /** BTC bars for the correlation in explanations (optional) */
  btc?: CandleSeries;
  config?: EnsembleConfigInput;
  /** walk-forward test segments in bar indices of the common clock */
  folds?: readonly (readonly [number, number])[];
}

export interface BuildEnsembleResult {
  input: EnsembleInput;
  ensemble: EnsembleResult;
  explanations: SignalExplanation[];
}

/**
 * Builds the ensemble from screened variants: each variant's per-bar returns under the execution
 * model on its own symbol, placed on the union clock of all symbols; the equal-weight basket of the
 * symbols present at each bar is the buy-and-hold benchmark. Then explains each symbol's latest bar.
 */
export function buildStrategistEnsemble(x: BuildEnsembleInput): BuildEnsembleResult {
  if (x.series.length === 0)
    throw invalidInput("build ensemble: no series given: import data first (kairos data import data/)");
  const tf = x.series[0]!.timeframe;
  const clock = unionClock(x.series);
  const n = clock.length;
  const pos = new Map<number, number>();
  for (let i = 0; i < n; i++) pos.set(clock[i]!, i);
  const bySymbol = new Map(x.series.map((s) => [s.symbol, s]));
  const benchmark = new Float64Array(n);
  const present = new Float64Array(n);
  for (const s of x.series)
    for (let j = 1; j < s.close.length; j++) {
      const i = pos.get(s.ts[j]!)!;
      benchmark[i] = benchmark[i]! + s.close[j]! / s.close[j - 1]! - 1;
      present[i] = present[i]! + 1;
    }
  for (let i = 0; i < n; i++) benchmark[i] = present[i]! > 0 ? benchmark[i]! / present[i]! : 0;

  const ownExposure = new Map<string, Float64Array>();
  const members: EnsembleMember[] = x.variants.map((v) => {
    const s = bySymbol.get(v.symbol);
    if (s === undefined)
      throw invalidInput(`build ensemble: variant ${v.id} trades ${v.symbol}, which has no series`);
    const fam = getFamily(v.family);
    if (fam === undefined)
      throw invalidInput(`build ensemble: unknown family "${v.family}" in variant ${v.id}`);
    const e = fam.exposures(s, fam.params.parse(v.params));
    ownExposure.set(v.id, e);
    const sim = simulateExposure(s.open, s.close, e, { fee: x.fee, slippage: x.slippage });
    const returns = new Float64Array(n).fill(Number.NaN);
    const exposure = new Float64Array(n).fill(Number.NaN);
    for (let j = 0; j < s.close.length; j++) {
      const i = pos.get(s.ts[j]!)!;
      returns[i] = j === 0 ? Number.NaN : sim.returns[j]!;
      exposure[i] = e[j]!;
    }
    return { id: v.id, family: v.family, symbol: v.symbol, params: numeric(v.params), returns, exposure };
  });

  const input: EnsembleInput = {
    timeframe: tf,
    ts: Float64Array.from(clock),
    members,
    benchmark,
    ...(x.folds === undefined ? {} : { folds: x.folds }),
  };
  const ensemble = buildEnsemble(input, { ...ensemblePreset(tf), ...x.config });

  const explanations = explainAll(x.series, input, ensemble, x.btc, (i) => {
    const v = x.variants[i]!;
    const fam = getFamily(v.family)!;
    return {
      params: v.params,
      own: ownExposure.get(v.id)!,
      fn: (ser) => fam.exposures(ser, fam.params.parse(v.params)),
    };
  });
  return { input, ensemble, explanations };
}

/** What the explainer needs of member i: its params, its exposure on its own bars, its family's form */
type MemberView = (
  i: number,
) =>
  | { params: Record<string, number | boolean>; own: Float64Array; fn: (s: CandleSeries) => Float64Array }
  | undefined;

/** Explains every symbol's latest closed bar from the ensemble's weights for the next bar */
export function explainAll(
  series: readonly CandleSeries[],
  input: EnsembleInput,
  ensemble: EnsembleResult,
  btc: CandleSeries | undefined,
  view: MemberView,
): SignalExplanation[] {
  const n = input.ts.length;
  let maxDd = 0;
  for (let t = ensemble.recordStart; t < n; t++)
    if (ensemble.drawdown[t]! > maxDd) maxDd = ensemble.drawdown[t]!;
  return series.map((s) => {
    const mine: ExplainMember[] = [];
    input.members.forEach((mb, i) => {
      const v = mb.symbol === s.symbol ? view(i) : undefined;
      if (v === undefined) return;
      mine.push({
        id: mb.id,
        family: mb.family,
        params: v.params,
        weight: weightAt(ensemble.schedule, n, i),
        exposure: v.own,
        exposures: v.fn,
      });
    });
    return explainSignal({
      series: s,
      ...(btc === undefined ? {} : { btc }),
      members: mine,
      exposure: ensemble.nextExposure[s.symbol] ?? 0,
      ensembleDrawdown: n > 0 ? ensemble.drawdown[n - 1]! : 0,
      ensembleMaxDrawdown: maxDd,
    });
  });
}

function unionClock(series: readonly CandleSeries[]): number[] {
  const set = new Set<number>();
  for (const s of series) for (const t of s.ts) set.add(t);
  return [...set].sort((a, b) => a - b);
}

const numeric = (p: Record<string, number | boolean>): Record<string, number> =>
  Object.fromEntries(Object.entries(p).filter((e): e is [string, number] => typeof e[1] === "number"));

/** One weighting scheme's out-of-sample record */
export interface SchemeRecord {
  scheme: WeightingScheme;
  stats: ReturnStats;
  better: boolean;
}

export interface EnsembleFromRunInput {
  run: ScreenRun;
  /** the series the run screened, up to the latest closed bar */
  series: readonly CandleSeries[];
  /** BTC on the run's timeframe: relative-strength families and the correlation in explanations */
  reference?: CandleSeries;
  /** in-sample candidates added beside the variants that passed the gate */
  poolSize?: number;
  config?: EnsembleConfigInput;
}

export interface EnsembleFromRunResult extends BuildEnsembleResult {
  pool: JudgedVariant[];
  /** the other weighting schemes on the same pool and folds, for comparison (never picked from) */
  alternatives: SchemeRecord[];
  /** the run's three top-ranked variants replayed on its clock, for the report's equity chart */
  topCurves: { id: string; returns: Float64Array }[];
  notes: string[];
}

/**
 * The ensemble of a screen run. Its pool is every variant that passed the gate plus the best
 * `poolSize` by in-sample Sharpe (bars before the first test fold, so the pick never saw the
 * record it is judged on); each member's curve is replayed exactly on the run's clock. Weights are
 * then re-estimated on rolling windows, and the record starts at the run's first out-of-sample bar,
 * on the run's own walk-forward test folds.
 */
export function buildEnsembleFromRun(x: EnsembleFromRunInput): EnsembleFromRunResult {
  const { run } = x;
  const data = prepareScreenData(x.series, x.reference);
  const n = data.clock.length;
  if (n !== run.clock.bars)
    throw invalidInput(
      `ensemble: the run has ${run.clock.bars} bars but the store gives ${n}: screen again on the current data`,
    );
  const flagged = new Set(
    Object.entries(run.familyPbo)
      .filter(([, p]) => p.flagged)
      .map(([f]) => f),
  );
  const single = run.variants.filter((v) => !isBasket(screenFamily(v.family)) && !flagged.has(v.family));
  const trainSharpe = (v: JudgedVariant): number =>
    v.walkForward.anchored[0]?.[0] ?? Number.NEGATIVE_INFINITY;
  const inSample = single.slice().sort((a, b) => trainSharpe(b) - trainSharpe(a) || (a.id < b.id ? -1 : 1));
  const passed = single.filter((v) => v.verdict.passed);
  const pool = [
    ...new Map([...passed, ...inSample.slice(0, x.poolSize ?? 40)].map((v) => [v.id, v])).values(),
  ];
  const notes: string[] = [];
  if (flagged.size > 0)
    notes.push(
      `families flagged for overfitting (PBO above the limit) are left out: ${[...flagged].sort().join(", ")}.`,
    );
  const baskets = run.variants.filter((v) => isBasket(screenFamily(v.family))).length;
  if (baskets > 0)
    notes.push(
      `${baskets} basket variants (rotation across symbols) are left out of the per-symbol ensemble.`,
    );
  if (passed.length > 0)
    notes.push(
      `${passed.length} members were admitted by the gate, which saw the whole out-of-sample period: their share of the ensemble's record is optimistic; the walk-forward single pick is the honest comparator.`,
    );

  const own = new Map<
    string,
    { params: Record<string, number | boolean>; own: Float64Array; fn: (s: CandleSeries) => Float64Array }
  >();
  const members: EnsembleMember[] = pool.map((v) => {
    const fam = screenFamily(v.family) as AnySingleFamily;
    const params = fam.params.parse(v.params) as Record<string, number | boolean>;
    const market = data.markets.find((m) => m.symbol === v.symbol);
    if (market === undefined)
      throw invalidInput(`ensemble: variant ${v.id} trades ${v.symbol}, which the run's data lacks`);
    const r = replayVariant(data, { family: v.family, params: v.params, symbol: v.symbol }, run.config);
    const returns = Float64Array.from(r, (val, t) => (market.present[t] === 1 ? val : Number.NaN));
    const e = fam.exposures(market.series, params);
    const exposure = new Float64Array(n).fill(Number.NaN);
    for (let j = 0; j < market.at.length; j++) exposure[market.at[j]!] = e[j]!;
    own.set(v.id, { params, own: e, fn: (s) => fam.exposures(s, params) });
    return { id: v.id, family: v.family, symbol: v.symbol, params: numeric(params), returns, exposure };
  });
  const layout = screenLayout(n, run.config);
  const input: EnsembleInput = {
    timeframe: data.timeframe,
    ts: data.clock,
    members,
    benchmark: data.basketReturns,
    recordFrom: run.clock.oosStart,
    folds: layout.walkForward.anchored.map((s): [number, number] => [
      s.test[0]!.start,
      s.test[s.test.length - 1]!.end,
    ]),
  };
  const ensemble = buildEnsemble(input, { ...ensemblePreset(data.timeframe), ...x.config });
  const btc = x.reference ?? x.series.find((s) => s.symbol.startsWith("BTC/"));
  const explanations = explainAll(x.series, input, ensemble, btc, (i) => own.get(members[i]!.id));
  const alternatives = WEIGHTING_SCHEMES.filter((k) => k !== ensemble.config.scheme).map((scheme) => {
    const alt = buildEnsemble(input, { ...ensemblePreset(data.timeframe), ...x.config, scheme });
    return { scheme, stats: alt.stats, better: alt.versusBuyAndHold.better };
  });
  const topCurves = run.variants.slice(0, 3).map((v) => ({
    id: v.id,
    returns: replayVariant(data, { family: v.family, params: v.params, symbol: v.symbol }, run.config),
  }));
  return { input, ensemble, explanations, pool, notes, alternatives, topCurves };
}
