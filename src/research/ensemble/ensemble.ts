import { barsPerYear } from "../../domain/timeframe.ts";
import { invalidInput } from "../../errors.ts";
import { segments } from "../splits.ts";
import { drawdownOf, returnStats } from "./stats.ts";
import {
  type EnsembleConfigInput,
  type EnsembleInput,
  type EnsembleResult,
  ensembleConfigSchema,
  type FoldRecord,
} from "./types.ts";
import { estimateWeights, rowIndexAt } from "./weights.ts";

/**
 * Combines screened variants into one meta-strategy whose weights are re-estimated on rolling
 * windows of returns before each bar, and records it out of sample beside buy-and-hold, the best
 * single variant in hindsight and the honest walk-forward single pick.
 */
export function buildEnsemble(input: EnsembleInput, config: EnsembleConfigInput = {}): EnsembleResult {
  const parsed = ensembleConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidInput(`ensemble config: ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
  }
  const cfg = parsed.data;
  const n = input.ts.length;
  const m = input.members.length;
  if (input.benchmark.length !== n)
    throw invalidInput(`ensemble: benchmark has ${input.benchmark.length} bars, the clock ${n}`);
  for (const mb of input.members)
    if (mb.returns.length !== n || (mb.exposure !== undefined && mb.exposure.length !== n))
      throw invalidInput(
        `ensemble: member ${mb.id} has ${mb.returns.length} bars, the clock ${n}: align members first`,
      );
  const bpy = barsPerYear(input.timeframe);
  const schedule = estimateWeights(input.members, n, input.ts, cfg, bpy);
  const firstEligible = Math.ceil(cfg.minHistory / cfg.rebalanceEvery) * cfg.rebalanceEvery;
  const recordStart = Math.min(n, Math.max(firstEligible, input.recordFrom ?? 0));

  const returns = new Float64Array(n);
  const equity = new Float64Array(n).fill(1);
  let eq = 1;
  for (let t = recordStart; t < n; t++) {
    const k = rowIndexAt(schedule, t);
    const base = k * m;
    let r = 0;
    for (let i = 0; i < m; i++) {
      const w = schedule.rows[base + i]!;
      if (w !== 0) {
        const x = input.members[i]!.returns[t]!;
        if (Number.isFinite(x)) r += w * x;
      }
    }
    if (k > 0 && schedule.rebalanceBars[k] === t && cfg.rebalanceFee > 0) {
      let moved = 0;
      for (let i = 0; i < m; i++) {
        const d = Math.abs(schedule.rows[base + i]! - schedule.rows[base - m + i]!);
        if (d === 0) continue;
        const e = input.members[i]!.exposure?.[t - 1];
        moved += d * (e !== undefined && Number.isFinite(e) ? Math.abs(e) : 1);
      }
      r -= cfg.rebalanceFee * moved;
    }
    returns[t] = r;
    eq *= 1 + r;
    equity[t] = eq;
  }

  const stats = returnStats(returns, recordStart, n, bpy);
  const bh = returnStats(input.benchmark, recordStart, n, bpy);
  const foldRanges = foldsOf(input, recordStart, n);
  const sums = new CutSums(input, [0, recordStart, n, ...foldRanges.map(([a]) => a)]);
  const best = sums.best(recordStart, n, bpy);
  const wfReturns = new Float64Array(n);
  const folds: FoldRecord[] = foldRanges.map(([a, b]) => {
    const pick = sums.best(0, a, bpy, cfg.minHistory);
    const pr = pick ? input.members[pick.index]!.returns : undefined;
    if (pr) for (let t = a; t < b; t++) wfReturns[t] = pr[t]!;
    const zero = returnStats(new Float64Array(0), 0, 0, bpy);
    return {
      from: a,
      to: b,
      fromTs: input.ts[a]!,
      toTs: input.ts[b - 1]!,
      ensemble: returnStats(returns, a, b, bpy),
      buyAndHold: returnStats(input.benchmark, a, b, bpy),
      bestSingle: best ? returnStats(input.members[best.index]!.returns, a, b, bpy) : zero,
      walkForwardPick: { ...(pr ? returnStats(pr, a, b, bpy) : zero), id: pick?.id ?? "none" },
    };
  });
  const span =
    foldRanges.length > 0 ? [foldRanges[0]![0], foldRanges[foldRanges.length - 1]![1]] : [recordStart, n];

  const nextExposure: Record<string, number> = {};
  const lastRow = rowIndexAt(schedule, n) * m;
  input.members.forEach((mb, i) => {
    const w = schedule.rows[lastRow + i]!;
    const e = n > 0 ? (mb.exposure?.[n - 1] ?? Number.NaN) : Number.NaN;
    nextExposure[mb.symbol] = (nextExposure[mb.symbol] ?? 0) + (w !== 0 && Number.isFinite(e) ? w * e : 0);
  });

  return {
    config: cfg,
    memberIds: input.members.map((mb) => mb.id),
    schedule,
    recordStart,
    returns,
    equity,
    drawdown: drawdownOf(equity),
    stats,
    buyAndHold: bh,
    bestSingle: best
      ? { ...returnStats(input.members[best.index]!.returns, recordStart, n, bpy), id: best.id }
      : { ...returnStats(new Float64Array(0), 0, 0, bpy), id: "none" },
    walkForwardSingle: returnStats(wfReturns, span[0]!, span[1]!, bpy),
    folds,
    versusBuyAndHold: pairedTest(returns, input.benchmark, recordStart, n, cfg.significance),
    demotions: schedule.demotions,
    nextExposure,
  };
}

/** Per-member running count of finite bars, sum and sum of squares at chosen cut bars, from one pass */
class CutSums {
  readonly cuts: number[];
  private readonly data: Float64Array;
  constructor(
    private readonly input: EnsembleInput,
    cuts: number[],
  ) {
    this.cuts = [...new Set(cuts)].sort((x, y) => x - y);
    const m = input.members.length;
    const k = this.cuts.length;
    this.data = new Float64Array(m * k * 3);
    input.members.forEach((mb, i) => {
      let c = 0;
      let s = 0;
      let q = 0;
      let t = 0;
      this.cuts.forEach((cut, j) => {
        for (; t < cut; t++) {
          const x = mb.returns[t]!;
          if (x - x === 0) {
            c++;
            s += x;
            q += x * x;
          }
        }
        const o = (i * k + j) * 3;
        this.data[o] = c;
        this.data[o + 1] = s;
        this.data[o + 2] = q;
      });
    });
  }
  /** The member with the best Sharpe over [from, to) (both cuts), among those with minBars finite bars */
  best(from: number, to: number, bpy: number, minBars = 2): { index: number; id: string } | undefined {
    const k = this.cuts.length;
    const a = this.cuts.indexOf(from);
    const b = this.cuts.indexOf(to);
    const n = to - from;
    let best: { index: number; id: string; sharpe: number } | undefined;
    this.input.members.forEach((mb, i) => {
      const oa = (i * k + a) * 3;
      const ob = (i * k + b) * 3;
      if (this.data[ob]! - this.data[oa]! < minBars || n < 2) return;
      const mean = (this.data[ob + 1]! - this.data[oa + 1]!) / n;
      const sq = this.data[ob + 2]! - this.data[oa + 2]!;
      const sd = Math.sqrt(Math.max(0, (sq - n * mean * mean) / (n - 1)));
      const sharpe = sd > 0 ? (mean / sd) * Math.sqrt(bpy) : 0;
      if (best === undefined || sharpe > best.sharpe) best = { index: i, id: mb.id, sharpe };
    });
    return best;
  }
}

function foldsOf(input: EnsembleInput, start: number, n: number): [number, number][] {
  if (input.folds !== undefined) {
    return input.folds
      .map(([a, b]): [number, number] => [Math.max(a, start), Math.min(b, n)])
      .filter(([a, b]) => b - a >= 2);
  }
  const k = 5;
  const len = n - start;
  if (len < 2 * k) return len >= 2 ? [[start, n]] : [];
  return segments(start, n, k).map((r): [number, number] => [r.start, r.end]);
}

/**
 * One-sided tests against buy-and-hold: the mean per-bar return difference, and the alpha of an OLS
 * regression of ensemble on benchmark returns. "Better" only when both are significant.
 */
function pairedTest(
  a: Float64Array,
  b: Float64Array,
  from: number,
  to: number,
  threshold: number,
): EnsembleResult["versusBuyAndHold"] {
  const n = to - from;
  let s = 0;
  let q = 0;
  let sx = 0;
  let sy = 0;
  for (let t = from; t < to; t++) {
    const x = Number.isFinite(b[t]!) ? b[t]! : 0;
    const d = a[t]! - x;
    s += d;
    q += d * d;
    sx += x;
    sy += a[t]!;
  }
  const mean = n > 0 ? s / n : 0;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (q - n * mean * mean) / (n - 1))) : 0;
  const tStat = sd > 0 ? (mean / sd) * Math.sqrt(n) : 0;
  const mx = n > 0 ? sx / n : 0;
  const my = n > 0 ? sy / n : 0;
  let sxx = 0;
  let sxy = 0;
  for (let t = from; t < to; t++) {
    const x = (Number.isFinite(b[t]!) ? b[t]! : 0) - mx;
    sxx += x * x;
    sxy += x * (a[t]! - my);
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  const alpha = my - beta * mx;
  let sse = 0;
  for (let t = from; t < to; t++) {
    const e = a[t]! - alpha - beta * (Number.isFinite(b[t]!) ? b[t]! : 0);
    sse += e * e;
  }
  const se = n > 2 && sxx > 0 ? Math.sqrt((sse / (n - 2)) * (1 / n + (mx * mx) / sxx)) : 0;
  const alphaT = se > 0 ? alpha / se : 0;
  const better = tStat > threshold && alphaT > threshold;
  const figures = `mean difference ${fmtBps(mean)} per bar (t = ${tStat.toFixed(2)}), alpha ${fmtBps(alpha)} per bar at beta ${beta.toFixed(2)} (t = ${alphaT.toFixed(2)})`;
  const reason = better
    ? `ensemble beat buy-and-hold: ${figures}, both above ${threshold}`
    : `no significant edge over buy-and-hold: ${figures}; "better" needs both t above ${threshold}`;
  return { meanDiff: mean, tStat, alpha, alphaT, beta, better, reason };
}

const fmtBps = (x: number): string => `${(x * 1e4).toFixed(2)} bp`;
