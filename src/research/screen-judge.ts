import type { MonteCarloResult } from "./monte-carlo.ts";
import { type PboResult, pboFromBlocks } from "./pbo.ts";
import type { ScreenData } from "./screen-data.ts";
import {
  oosMarketOf,
  randomEntryPercentile,
  type ScreenLayout,
  type SplitSharpe,
  type VariantStats,
} from "./screen-evaluate.ts";
import { deflatedSharpe } from "./sharpe-stats.ts";
import type { ValidationConfig } from "./validation-config.ts";

/** The gate's decision on one variant, with every reason it rests on */
export interface Verdict {
  passed: boolean;
  /** one line per criterion, "pass:" or "fail:" first */
  reasons: string[];
}

/** The judged figures of one variant (per-bar Sharpe ratios are annualised here) */
export interface JudgedVariant {
  id: string;
  family: string;
  symbol: string;
  params: Record<string, number | boolean>;
  oos: VariantStats["oos"] & { sharpeAnnual: number };
  dsr: { probability: number; sr0Annual: number };
  buyAndHold: { sharpeAnnual: number };
  randomEntry: { p95Annual: number; draws: number };
  familyPbo: number;
  verdict: Verdict;
  monteCarlo?: MonteCarloResult;
  /** walk-forward and CPCV per-split [train, test] Sharpe, annualised */
  walkForward: { anchored: SplitSharpe[]; rolling: SplitSharpe[] };
  cpcv: SplitSharpe[];
}

/** The screen's own honest record: pick the in-sample best on each split, judge it on the test bars */
export interface SelectionRecord {
  /** per split: chosen variant id and its test Sharpe (annualised) */
  splits: { chosen: string; trainSharpe: number; testSharpe: number }[];
  meanTestSharpe: number;
}

export interface Judgement {
  variants: JudgedVariant[];
  trials: number;
  /** variance of the OOS per-bar Sharpe estimates across trials (DSR's V), floored at 1/T */
  trialVariance: number;
  /** the same before the floor */
  observedTrialVariance: number;
  runPbo: PboResult | undefined;
  familyPbo: Record<string, { pbo: number; variants: number; flagged: boolean }>;
  selection: {
    walkForwardAnchored: SelectionRecord;
    walkForwardRolling: SelectionRecord;
    cpcv: SelectionRecord;
  };
}

const pass = (ok: boolean, text: string): string => `${ok ? "pass" : "fail"}: ${text}`;
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : String(x));

/** Judges every variant of a run with the gate of issue 6; `seed` drives the random-entry draws when the evaluation did not make them */
export function judge(
  data: ScreenData,
  layout: ScreenLayout,
  stats: readonly VariantStats[],
  c: ValidationConfig,
  seed: number,
  ann: number,
): Judgement {
  const n = stats.length;
  const srs = stats.map((s) => s.oos.sharpe);
  const mean = srs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const observedVariance = n > 1 ? srs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  // trials found by a search cluster together, which shrinks their spread and with it the deflation;
  // the spread is floored at the Sharpe estimator's own sampling variance (1/T), so N correlated
  // trials never deflate less than N independent null trials would
  const bars = stats.map((s) => s.oos.bars).sort((a, b) => a - b);
  const medianBars = bars.length > 0 ? bars[Math.floor(bars.length / 2)]! : 0;
  const trialVariance = Math.max(observedVariance, medianBars > 1 ? 1 / medianBars : 0);
  const counts = new Float64Array(layout.blocks.length - 1);
  for (let b = 0; b < counts.length; b++) counts[b] = layout.blocks[b + 1]! - layout.blocks[b]!;
  const pboOf = (vs: readonly VariantStats[]): PboResult | undefined =>
    vs.length >= 2
      ? pboFromBlocks(
          vs.map((v) => v.blockSum),
          vs.map((v) => v.blockSq),
          counts,
        )
      : undefined;
  const byFamily = new Map<string, VariantStats[]>();
  for (const s of stats) {
    const list = byFamily.get(s.spec.family);
    if (list === undefined) byFamily.set(s.spec.family, [s]);
    else list.push(s);
  }
  const familyPbo: Judgement["familyPbo"] = {};
  for (const [fam, vs] of byFamily) {
    const r = pboOf(vs);
    const pbo = r?.pbo ?? Number.NaN;
    familyPbo[fam] = { pbo, variants: vs.length, flagged: pbo > c.pboLimit };
  }
  const sqrtAnn = Math.sqrt(ann);
  const judged: JudgedVariant[] = stats.map((s) => {
    const dsr = deflatedSharpe({
      sr: s.oos.sharpe,
      n: Math.max(2, s.oos.bars),
      skew: s.oos.skew,
      kurtosis: s.oos.kurtosis,
      nTrials: Math.max(1, n),
      trialVariance,
    });
    const bh = oosMarketOf(data, layout, s.spec.symbol);
    const rp = s.randomPercentile ?? randomEntryPercentile(data, layout, s, c, seed);
    const fam = familyPbo[s.spec.family]!;
    const okDsr = dsr.probability >= c.dsrThreshold;
    const okBh = s.oos.sharpe > bh.sharpe;
    const okRandom = s.oos.sharpe > rp;
    const okPbo = !fam.flagged;
    const okTrades = s.oos.trades > 0;
    const reasons = [
      pass(
        okDsr,
        `deflated Sharpe probability ${dsr.probability.toFixed(3)} ${okDsr ? ">=" : "<"} ${c.dsrThreshold} (${n} trials)`,
      ),
      pass(
        okBh,
        `OOS Sharpe ${f2(s.oos.sharpe * sqrtAnn)} ${okBh ? ">" : "<="} buy-and-hold ${f2(bh.sharpe * sqrtAnn)} on the same bars`,
      ),
      pass(
        okRandom,
        `OOS Sharpe ${okRandom ? ">" : "<="} random-entry p${Math.round(c.randomPercentile * 100)} ${f2(rp * sqrtAnn)} (${c.randomDraws} draws)`,
      ),
      pass(
        okPbo,
        `family ${s.spec.family} PBO ${f2(fam.pbo)} ${okPbo ? "<=" : ">"} ${c.pboLimit}${okPbo ? "" : " (flagged)"}`,
      ),
      ...(okTrades ? [] : [pass(false, "no trade out of sample")]),
    ];
    const scale = (xs: SplitSharpe[]): SplitSharpe[] => xs.map(([a, b]) => [a * sqrtAnn, b * sqrtAnn]);
    return {
      id: s.id,
      family: s.spec.family,
      symbol: s.spec.symbol,
      params: s.spec.params,
      oos: { ...s.oos, sharpeAnnual: s.oos.sharpe * sqrtAnn },
      dsr: { probability: dsr.probability, sr0Annual: dsr.sr0 * sqrtAnn },
      buyAndHold: { sharpeAnnual: bh.sharpe * sqrtAnn },
      randomEntry: { p95Annual: rp * sqrtAnn, draws: c.randomDraws },
      familyPbo: fam.pbo,
      verdict: { passed: okDsr && okBh && okRandom && okPbo && okTrades, reasons },
      walkForward: { anchored: scale(s.wfAnchored), rolling: scale(s.wfRolling) },
      cpcv: scale(s.cpcv),
    };
  });
  const select = (pick: (s: VariantStats) => SplitSharpe[]): SelectionRecord => {
    const k = n > 0 ? pick(stats[0]!).length : 0;
    const splits: SelectionRecord["splits"] = [];
    for (let j = 0; j < k; j++) {
      let best = 0;
      for (let i = 1; i < n; i++) if (pick(stats[i]!)[j]![0] > pick(stats[best]!)[j]![0]) best = i;
      const [tr, te] = pick(stats[best]!)[j]!;
      splits.push({ chosen: stats[best]!.id, trainSharpe: tr * sqrtAnn, testSharpe: te * sqrtAnn });
    }
    const meanTest = splits.reduce((a, b) => a + b.testSharpe, 0) / Math.max(1, splits.length);
    return { splits, meanTestSharpe: meanTest };
  };
  return {
    variants: judged,
    trials: n,
    trialVariance,
    observedTrialVariance: observedVariance,
    runPbo: pboOf(stats),
    familyPbo,
    selection: {
      walkForwardAnchored: select((s) => s.wfAnchored),
      walkForwardRolling: select((s) => s.wfRolling),
      cpcv: select((s) => s.cpcv),
    },
  };
}
