import type { CandleSeries } from "../domain/candle-series.ts";
import { invalidInput } from "../errors.ts";
import { type ExplainMember, explainSignal } from "../explain/explain-signal.ts";
import type { SignalExplanation } from "../explain/types.ts";
import { buildEnsemble } from "../research/ensemble/ensemble.ts";
import { ensemblePreset } from "../research/ensemble/presets.ts";
import type {
  EnsembleConfigInput,
  EnsembleInput,
  EnsembleMember,
  EnsembleResult,
} from "../research/ensemble/types.ts";
import { weightAt } from "../research/ensemble/weights.ts";
import { simulateExposure } from "../research/simulate.ts";
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

  const explanations = x.series.map((s) => {
    const mine: ExplainMember[] = [];
    members.forEach((mb, i) => {
      if (mb.symbol !== s.symbol) return;
      const v = x.variants[i]!;
      const fam = getFamily(v.family)!;
      const p = fam.params.parse(v.params);
      mine.push({
        id: mb.id,
        family: mb.family,
        params: v.params,
        weight: weightAt(ensemble.schedule, n, i),
        exposure: ownExposure.get(mb.id)!,
        exposures: (ser: CandleSeries) => fam.exposures(ser, p),
      });
    });
    const dd = ensemble.drawdown;
    let maxDd = 0;
    for (let t = ensemble.recordStart; t < n; t++) if (dd[t]! > maxDd) maxDd = dd[t]!;
    return explainSignal({
      series: s,
      ...(x.btc === undefined ? {} : { btc: x.btc }),
      members: mine,
      exposure: ensemble.nextExposure[s.symbol] ?? 0,
      ensembleDrawdown: n > 0 ? dd[n - 1]! : 0,
      ensembleMaxDrawdown: maxDd,
    });
  });
  return { input, ensemble, explanations };
}

function unionClock(series: readonly CandleSeries[]): number[] {
  const set = new Set<number>();
  for (const s of series) for (const t of s.ts) set.add(t);
  return [...set].sort((a, b) => a - b);
}

const numeric = (p: Record<string, number | boolean>): Record<string, number> =>
  Object.fromEntries(Object.entries(p).filter((e): e is [string, number] => typeof e[1] === "number"));
