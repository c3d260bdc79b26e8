import { type Timeframe, timeframeMs } from "../../domain/timeframe.ts";
import type { EnsembleInput, EnsembleResult, ReturnStats } from "../../research/ensemble/types.ts";
import type { ScreenRun } from "../../research/screen.ts";
import type { JudgedVariant } from "../../research/screen-judge.ts";
import type { SignalExplanation } from "../types.ts";
import { buildReportData } from "./build-report-data.ts";
import { paramsText, sampleNotes } from "./leaderboard.ts";
import type { Heatmap, LeaderboardRow, ReportData } from "./types.ts";

export interface RunReportInput {
  runId: string;
  createdAt: string;
  exchange: string;
  run: ScreenRun;
  ensembleInput: EnsembleInput;
  ensemble: EnsembleResult;
  explanations: SignalExplanation[];
  notes?: string[];
  alternatives?: { scheme: string; stats: ReturnStats; better: boolean }[];
  /** the leaderboard's top variants, replayed on the run's clock, drawn beside the ensemble */
  topCurves?: { id: string; returns: Float64Array }[];
  /** leaderboard rows shown (the JSON output of the screen holds them all) */
  top?: number;
  /** when the report is written (epoch ms): the signals say how old their bar is then */
  now?: number;
}

/** The report of a screen run and its ensemble */
export function reportDataFromRun(x: RunReportInput): ReportData {
  const { run } = x;
  const notes = sampleNotes(run.variants, timeframeMs(run.timeframe as Timeframe));
  const rows: LeaderboardRow[] = run.variants.slice(0, x.top ?? 50).map((v, k) => ({
    rank: k + 1,
    id: v.id,
    family: v.family,
    symbol: v.symbol,
    params: paramsText(v.family, v.params),
    trades: v.oos.trades,
    oosBars: v.oos.bars,
    sampleNote: notes.get(v.symbol) ?? null,
    oosSharpe: v.oos.sharpeAnnual,
    deflatedSharpe: v.dsr.probability,
    maxDrawdown: v.oos.maxDrawdown,
    vsBuyAndHold: v.oos.sharpeAnnual - v.buyAndHold.sharpeAnnual,
    familyPbo: Number.isFinite(v.familyPbo) ? v.familyPbo : null,
    passed: v.verdict.passed,
    reasons: v.verdict.reasons,
  }));
  const mc = run.variants
    .filter((v) => v.monteCarlo !== undefined)
    .slice(0, 12)
    .map((v) => ({
      id: v.id,
      totalReturn: v.monteCarlo!.blocks.totalReturn,
      maxDrawdown: v.monteCarlo!.blocks.maxDrawdown,
    }));
  const plotIds = (x.topCurves ?? []).map((c) => c.id);
  const day = (ts: number): string => new Date(ts).toISOString().slice(0, 16).replace("T", " ");
  return {
    ...buildReportData({
      runId: x.runId,
      createdAt: x.createdAt,
      exchange: x.exchange,
      timeframe: run.timeframe,
      symbols: run.symbols,
      variantsTried: run.trials,
      settings: [
        { name: "validation", value: run.configText },
        {
          name: "search",
          value: `${run.search.method}, ${run.search.tried} of ${run.search.spaceSize} variants, seed ${run.seed}${run.preset === null ? "" : `, preset ${run.preset}`}`,
        },
        {
          name: "clock",
          value: `${day(run.clock.from)} to ${day(run.clock.to)} UTC, ${run.clock.bars} bars; out of sample from ${day(run.clock.oosStartTs)}`,
        },
        { name: "run PBO", value: run.runPbo === null ? "n/a" : run.runPbo.toFixed(3) },
      ],
      leaderboard: rows,
      heatmaps: heatmapsOf(run.variants),
      monteCarlo: mc,
      ensembleInput: x.ensembleInput,
      ensemble: x.ensemble,
      plotIds,
      extraCurves: x.topCurves ?? [],
      explanations: x.explanations,
      notes: x.notes ?? [],
      ...(x.now === undefined ? {} : { now: x.now, barMs: timeframeMs(run.timeframe as Timeframe) }),
      ...(x.alternatives === undefined ? {} : { alternatives: x.alternatives }),
    }),
    headline: run.headline,
  };
}

/** One OOS-Sharpe heatmap per (family, symbol) whose variants vary in exactly two numeric parameters */
export function heatmapsOf(variants: readonly JudgedVariant[], max = 6): Heatmap[] {
  const groups = new Map<string, JudgedVariant[]>();
  for (const v of variants) {
    const key = `${v.family}\u0000${v.symbol}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const out: { h: Heatmap; count: number }[] = [];
  for (const vs of groups.values()) {
    const names = [
      ...new Set(vs.flatMap((v) => Object.keys(v.params).filter((k) => typeof v.params[k] === "number"))),
    ].sort();
    const varying = names.filter((k) => new Set(vs.map((v) => v.params[k])).size > 1);
    if (varying.length !== 2 || vs.length < 6) continue;
    const [xName, yName] = varying as [string, string];
    const xv = vs.map((v) => v.params[xName] as number);
    const yv = vs.map((v) => v.params[yName] as number);
    let xb = bins(xv, 12);
    let yb = bins(yv, 12);
    // a random search leaves most cells of a fine grid empty: coarser bins make neighbours comparable
    if (filledCells(vs, xb, yb, xName, yName) < 0.4 * xb.centres.length * yb.centres.length) {
      xb = bins(xv, 5);
      yb = bins(yv, 5);
    }
    const sum = yb.centres.map(() => xb.centres.map(() => 0));
    const cnt = yb.centres.map(() => xb.centres.map(() => 0));
    for (const v of vs) {
      const i = xb.index(v.params[xName] as number);
      const j = yb.index(v.params[yName] as number);
      sum[j]![i]! += v.oos.sharpeAnnual;
      cnt[j]![i]! += 1;
    }
    const z = sum.map((row, j) => row.map((s, i) => (cnt[j]![i]! > 0 ? s / cnt[j]![i]! : null)));
    out.push({
      h: {
        family: vs[0]!.family,
        symbol: vs[0]!.symbol,
        metric: "OOS Sharpe",
        xName,
        yName,
        xs: xb.centres,
        ys: yb.centres,
        z,
        ...(xb.labels === undefined ? {} : { xLabels: xb.labels }),
        ...(yb.labels === undefined ? {} : { yLabels: yb.labels }),
      },
      count: vs.length,
    });
  }
  return out
    .sort((a, b) => b.count - a.count)
    .slice(0, max)
    .map((o) => o.h);
}

type Bins = { centres: number[]; index: (v: number) => number; labels?: string[] };

function filledCells(vs: readonly JudgedVariant[], xb: Bins, yb: Bins, xName: string, yName: string): number {
  return new Set(
    vs.map((v) => `${xb.index(v.params[xName] as number)},${yb.index(v.params[yName] as number)}`),
  ).size;
}

/**
 * The distinct values when there are at most `k`, else k equal-width bins labelled by their centres;
 * integer parameters get integer bins (whole-number edges, centres and "lo-hi" labels)
 */
function bins(values: readonly number[], k: number): Bins {
  const uniq = [...new Set(values)].sort((a, b) => a - b);
  if (uniq.length <= k) return { centres: uniq, index: (v) => uniq.indexOf(v) };
  const lo = uniq[0]!;
  const hi = uniq[uniq.length - 1]!;
  if (uniq.every(Number.isInteger)) {
    // k bins of whole numbers: bin i holds lo + floor(i * span / k) .. lo + floor((i + 1) * span / k) - 1
    const span = hi - lo + 1;
    const edge = (i: number): number => lo + Math.floor((i * span) / k);
    const ks = Array.from({ length: k }, (_, i) => i);
    return {
      centres: ks.map((i) => Math.round((edge(i) + edge(i + 1) - 1) / 2)),
      labels: ks.map((i) =>
        edge(i + 1) - 1 === edge(i) ? String(edge(i)) : `${edge(i)}-${edge(i + 1) - 1}`,
      ),
      index: (v) => {
        let i = Math.min(k - 1, Math.floor(((v - lo) * k) / span));
        while (i > 0 && v < edge(i)) i--;
        while (i < k - 1 && v >= edge(i + 1)) i++;
        return i;
      },
    };
  }
  const w = (hi - lo) / k;
  const digits = w >= 10 ? 0 : w >= 1 ? 1 : 3;
  return {
    centres: Array.from({ length: k }, (_, i) => Number((lo + (i + 0.5) * w).toFixed(digits))),
    index: (v) => Math.min(k - 1, Math.floor((v - lo) / w)),
  };
}
