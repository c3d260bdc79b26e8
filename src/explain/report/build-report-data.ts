import type { EnsembleInput, EnsembleResult, ReturnStats } from "../../research/ensemble/types.ts";
import { weightAt } from "../../research/ensemble/weights.ts";
import { explanationParagraph } from "../paragraph.ts";
import type { SignalExplanation } from "../types.ts";
import { ageText } from "./leaderboard.ts";
import type { CurveSet, Heatmap, LeaderboardRow, Range, ReportData, StatsRow } from "./types.ts";

/** What the strategist report is made from: the screen's figures plus the ensemble's record */
export interface StrategistReportInput {
  title?: string;
  runId: string;
  createdAt: string;
  exchange: string;
  timeframe: string;
  symbols: string[];
  variantsTried: number;
  settings: { name: string; value: string }[];
  leaderboard: LeaderboardRow[];
  heatmaps: Heatmap[];
  monteCarlo: { id: string; totalReturn: Range; maxDrawdown: Range }[];
  ensembleInput: EnsembleInput;
  ensemble: EnsembleResult;
  /** member ids whose equity curves are drawn beside the ensemble */
  plotIds: string[];
  /** curves of variants outside the ensemble's pool (e.g. the leaderboard's top), on the same clock */
  extraCurves?: { id: string; returns: Float64Array }[];
  explanations: SignalExplanation[];
  notes?: string[];
  /** other weighting schemes' records on the same pool, for comparison */
  alternatives?: { scheme: string; stats: ReturnStats; better: boolean }[];
  /** at most this many points per curve */
  maxPoints?: number;
  /** when the report is written (epoch ms), to say how old the latest bar is */
  now?: number;
  /** the bar length (ms), so the age counts from the latest bar's close (default: from its open) */
  barMs?: number;
}

/** Assembles the report's JSON: curves from the ensemble's record start, tables, paragraphs */
export function buildReportData(x: StrategistReportInput): ReportData {
  const { ensemble: e, ensembleInput: inp } = x;
  const n = inp.ts.length;
  const start = Math.min(e.recordStart, Math.max(0, n - 1));
  const step = Math.max(1, Math.ceil((n - start) / (x.maxPoints ?? 1500)));
  const idx: number[] = [];
  for (let t = start; t < n; t += step) idx.push(t);
  if (idx[idx.length - 1] !== n - 1 && n > 0) idx.push(n - 1);
  const time = idx.map((t) => Math.floor(inp.ts[t]! / 1000));
  const curve = (r: Float64Array): { eq: number[]; dd: number[] } => {
    const eqAll = new Float64Array(n);
    let v = 1;
    let peak = 1;
    const ddAll = new Float64Array(n);
    for (let t = start; t < n; t++) {
      if (t > start) v *= 1 + (Number.isFinite(r[t]!) ? r[t]! : 0);
      if (v > peak) peak = v;
      eqAll[t] = v;
      ddAll[t] = v / peak - 1;
    }
    return { eq: idx.map((t) => round6(eqAll[t]!)), dd: idx.map((t) => round6(ddAll[t]!)) };
  };
  const named: { name: string; kind: CurveSet["series"][number]["kind"]; r: Float64Array }[] = [
    { name: `ensemble (${e.config.scheme})`, kind: "ensemble", r: e.returns },
    { name: "buy-and-hold", kind: "buy-and-hold", r: inp.benchmark },
    ...x.plotIds.flatMap((id) => {
      const r =
        inp.members.find((m) => m.id === id)?.returns ?? x.extraCurves?.find((c) => c.id === id)?.returns;
      return r === undefined ? [] : [{ name: id, kind: "variant" as const, r }];
    }),
  ];
  const curves = named.map((c) => ({ ...c, ...curve(c.r) }));
  const m = inp.members.length;
  const weights = inp.members
    .map((mb, i) => ({ id: mb.id, weightPct: Math.round(weightAt(e.schedule, n, i) * 1000) / 10 }))
    .filter((w) => w.weightPct > 0)
    .sort((a, b) => b.weightPct - a.weightPct);
  const day = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
  const row = (name: string, s: ReturnStats): StatsRow => ({
    name,
    sharpe: s.sharpe,
    totalReturn: s.totalReturn,
    annualReturn: s.annualReturn,
    maxDrawdown: s.maxDrawdown,
  });
  const passed = x.leaderboard.filter((r) => r.passed).length;
  const headline =
    passed === 0
      ? `Nothing passed the gate out of ${x.variantsTried} variants: the baseline (buy-and-hold) is recommended.`
      : `${passed} of ${x.variantsTried} variants passed the gate; ${e.versusBuyAndHold.better ? "the ensemble beat buy-and-hold out of sample" : "the ensemble did not beat buy-and-hold out of sample, so buy-and-hold stays the baseline"}.`;
  return {
    title: x.title ?? "kairos strategist report",
    runId: x.runId,
    createdAt: x.createdAt,
    exchange: x.exchange,
    timeframe: x.timeframe,
    symbols: x.symbols,
    variantsTried: x.variantsTried,
    variantsPassed: passed,
    headline,
    settings: [
      ...x.settings,
      { name: "ensemble", value: ensembleSettings(e) },
      {
        name: "ensemble record",
        value: `${day(inp.ts[start] ?? 0)} to ${day(inp.ts[n - 1] ?? 0)}, ${n - start} bars`,
      },
    ],
    leaderboard: x.leaderboard,
    heatmaps: x.heatmaps,
    equity: { time, series: curves.map((c) => ({ name: c.name, kind: c.kind, values: c.eq })) },
    drawdown: { time, series: curves.slice(0, 2).map((c) => ({ name: c.name, kind: c.kind, values: c.dd })) },
    monteCarlo: x.monteCarlo,
    ensemble: {
      scheme: e.config.scheme,
      verdict: e.versusBuyAndHold.reason,
      better: e.versusBuyAndHold.better,
      rows: [
        row(`ensemble (${e.config.scheme})`, e.stats),
        row("buy-and-hold", e.buyAndHold),
        row(`best single in hindsight: ${e.bestSingle.id}`, e.bestSingle),
        row("walk-forward single pick", e.walkForwardSingle),
      ],
      folds: e.folds.map((f) => ({
        from: day(f.fromTs),
        to: day(f.toTs),
        ensemble: f.ensemble.sharpe,
        buyAndHold: f.buyAndHold.sharpe,
        bestSingle: f.bestSingle.sharpe,
        walkForwardPick: f.walkForwardPick.sharpe,
      })),
      members: m > 0 ? weights : [],
      demotions: e.demotions.length,
      alternatives: (x.alternatives ?? []).map((a) => ({
        scheme: a.scheme,
        sharpe: a.stats.sharpe,
        totalReturn: a.stats.totalReturn,
        maxDrawdown: a.stats.maxDrawdown,
        better: a.better,
      })),
    },
    explanations: x.explanations.map((record) => ({ record, paragraph: explanationParagraph(record) })),
    dataAge:
      x.now === undefined || n === 0
        ? null
        : {
            latestBar: `${new Date(inp.ts[n - 1]!).toISOString().slice(0, 16).replace("T", " ")} UTC`,
            ageMs: x.now - inp.ts[n - 1]! - (x.barMs ?? 0),
            ageText: ageText(x.now - inp.ts[n - 1]! - (x.barMs ?? 0)),
            // older than two bars: the data stopped, the signals are not today's
            stale: x.now - inp.ts[n - 1]! - (x.barMs ?? 0) > 2 * (x.barMs ?? 0),
          },
    notes: x.notes ?? [],
  };
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

function ensembleSettings(e: EnsembleResult): string {
  const c = e.config;
  return `${c.scheme}, window ${c.window} bars, re-estimated every ${c.rebalanceEvery}, half-life ${c.halfLife}, at most ${c.maxMembers} members, caps member ${c.maxMemberWeight} / family ${c.familyCap} / symbol ${c.symbolCap}, correlation penalty ${c.correlationPenalty}, demotion below Sharpe ${c.demoteBelow} over ${c.demoteWindow} bars, rebalance fee ${c.rebalanceFee}`;
}
