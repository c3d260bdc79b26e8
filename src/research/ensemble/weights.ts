import { applyCaps, type CapGroup } from "./caps.ts";
import type { DemotionEvent, EnsembleConfig, EnsembleMember, WeightSchedule } from "./types.ts";

/** Member i's weight over bar t (t may be n, the next bar) */
export function weightAt(s: WeightSchedule, t: number, i: number): number {
  const k = rowIndexAt(s, t);
  return k < 0 ? 0 : s.rows[k * s.m + i]!;
}

/** Index of the schedule row in force at bar t, -1 before the first */
export function rowIndexAt(s: WeightSchedule, t: number): number {
  let lo = 0;
  let hi = s.rebalanceBars.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.rebalanceBars[mid]! <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * Re-estimates weights every `rebalanceEvery` bars from bar 0 through bar n (the next, unseen bar).
 * The row for bar t reads returns of bars before t only, and every running sum is updated in bar
 * order, so appending bars can never change a past row.
 */
export function estimateWeights(
  members: readonly EnsembleMember[],
  n: number,
  ts: Float64Array,
  cfg: EnsembleConfig,
  barsPerYear: number,
): WeightSchedule {
  const m = members.length;
  const win = new RunningWindow(m);
  const recent = new RunningWindow(m);
  const round = new RunningWindow(m);
  const decay = 0.5 ** (1 / cfg.halfLife);
  const ewW = new Float64Array(m);
  const ewS = new Float64Array(m);
  const ewQ = new Float64Array(m);
  const stake = new Float64Array(m).fill(1);
  const demoted = new Uint8Array(m);
  const groups = capGroups(members, cfg);
  const rebalanceBars: number[] = [];
  const rowList: Float64Array[] = [];
  const demotions: DemotionEvent[] = [];
  let prev = 0;
  for (let t = 0; t <= n; t += cfg.rebalanceEvery) {
    // member by member, bars in order: each member's sums see exactly the same sequence of updates
    for (let i = 0; i < m; i++) {
      const r = members[i]!.returns;
      let wc = win.count[i]!;
      let ws = win.sum[i]!;
      let wq = win.sq[i]!;
      let rc = recent.count[i]!;
      let rs = recent.sum[i]!;
      let rq = recent.sq[i]!;
      let oc = 0;
      let os = 0;
      let oq = 0;
      let ew = ewW[i]!;
      let es = ewS[i]!;
      let eq = ewQ[i]!;
      for (let s = prev; s < t; s++) {
        const x = r[s]!;
        // x - x is 0 only for finite x (NaN and infinities give NaN)
        if (x - x === 0) {
          const x2 = x * x;
          wc++;
          ws += x;
          wq += x2;
          rc++;
          rs += x;
          rq += x2;
          oc++;
          os += x;
          oq += x2;
          ew = ew * decay + 1;
          es = es * decay + x;
          eq = eq * decay + x2;
        }
        const d1 = s - cfg.window;
        if (d1 >= 0) {
          const y = r[d1]!;
          if (y - y === 0) {
            wc--;
            ws -= y;
            wq -= y * y;
          }
        }
        const d2 = s - cfg.demoteWindow;
        if (d2 >= 0) {
          const y = r[d2]!;
          if (y - y === 0) {
            rc--;
            rs -= y;
            rq -= y * y;
          }
        }
      }
      win.set(i, wc, ws, wq);
      recent.set(i, rc, rs, rq);
      round.set(i, oc, os, oq);
      ewW[i] = ew;
      ewS[i] = es;
      ewQ[i] = eq;
    }
    prev = t;
    if (cfg.scheme === "stake") {
      for (let i = 0; i < m; i++) {
        if (round.count[i]! < 2) continue;
        const sd = round.sd(i);
        const tstat = sd > 0 ? (round.mean(i) / sd) * Math.sqrt(round.count[i]!) : 0;
        const payout = Math.max(-cfg.maxPayout, Math.min(cfg.maxPayout, cfg.stakeRate * tstat));
        stake[i] = stake[i]! * (1 + payout);
      }
    }
    const row = new Float64Array(m);
    const score = new Float64Array(m);
    const candidates: number[] = [];
    for (let i = 0; i < m; i++) {
      if (win.count[i]! < cfg.minHistory || t === 0) continue;
      if (!Number.isFinite(members[i]!.returns[t - 1]!)) continue;
      const recentSharpe = recent.count[i]! >= 2 ? recent.sharpe(i) * Math.sqrt(barsPerYear) : 0;
      const isDemoted = recentSharpe < cfg.demoteBelow;
      if (isDemoted && demoted[i] === 0)
        demotions.push({
          bar: t,
          ts: ts[Math.min(t, ts.length - 1)]!,
          memberId: members[i]!.id,
          recentSharpe,
        });
      demoted[i] = isDemoted ? 1 : 0;
      let raw = 0;
      if (cfg.scheme === "decay") {
        const mean = ewS[i]! / ewW[i]!;
        const sd = Math.sqrt(Math.max(0, ewQ[i]! / ewW[i]! - mean * mean));
        if (mean > 0 && sd > 0) raw = score[i] = mean / sd;
      } else if (cfg.scheme === "inverse-variance") {
        const sd = win.sd(i);
        if (win.mean(i) > 0 && sd > 0) {
          score[i] = win.mean(i) / sd;
          raw = 1 / (sd * sd);
        }
      } else if (win.mean(i) > 0) {
        raw = score[i] = stake[i]!;
      }
      if (isDemoted) raw *= cfg.demoteFactor;
      if (raw > 0) {
        row[i] = raw;
        candidates.push(i);
      }
    }
    candidates.sort((a, b) => score[b]! - score[a]! || a - b);
    for (const i of candidates.slice(cfg.maxMembers)) row[i] = 0;
    const chosen = candidates.slice(0, cfg.maxMembers);
    penaliseCorrelation(row, chosen, members, Math.max(0, t - cfg.window), t, cfg.correlationPenalty);
    let sum = 0;
    for (const i of chosen) sum += row[i]!;
    if (sum > 0) for (const i of chosen) row[i] = row[i]! / sum;
    applyCaps(row, groups);
    rebalanceBars.push(t);
    rowList.push(row);
  }
  const rows = new Float64Array(rowList.length * m);
  for (let k = 0; k < rowList.length; k++) rows.set(rowList[k]!, k * m);
  return { rebalanceBars, rows, m, demotions };
}

/** Divides each chosen weight by 1 + lambda * (weight-averaged positive correlation with the others) */
function penaliseCorrelation(
  row: Float64Array,
  chosen: readonly number[],
  members: readonly EnsembleMember[],
  from: number,
  to: number,
  lambda: number,
): void {
  if (lambda === 0 || chosen.length < 2) return;
  const base = Float64Array.from(chosen, (i) => row[i]!);
  const k = chosen.length;
  const len = to - from;
  // each member centred once on its window mean; a missing bar counts as no deviation
  const centred = chosen.map((i) => {
    const r = members[i]!.returns;
    let sum = 0;
    let cnt = 0;
    for (let t = from; t < to; t++) {
      const x = r[t]!;
      if (x - x === 0) {
        sum += x;
        cnt++;
      }
    }
    const mu = cnt > 0 ? sum / cnt : 0;
    const c = new Float64Array(len);
    for (let t = from; t < to; t++) {
      const x = r[t]!;
      c[t - from] = x - x === 0 ? x - mu : 0;
    }
    return c;
  });
  const norm = centred.map((c) => Math.sqrt(c.reduce((p, v) => p + v * v, 0)));
  const rho: number[][] = chosen.map(() => new Array<number>(k).fill(1));
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const ca = centred[a]!;
      const cb = centred[b]!;
      let dot = 0;
      for (let t = 0; t < len; t++) dot += ca[t]! * cb[t]!;
      const v = norm[a]! > 0 && norm[b]! > 0 ? dot / (norm[a]! * norm[b]!) : 0;
      rho[a]![b] = v;
      rho[b]![a] = v;
    }
  chosen.forEach((i, a) => {
    let num = 0;
    let den = 0;
    chosen.forEach((_, b) => {
      if (a === b) return;
      num += base[b]! * Math.max(0, rho[a]![b]!);
      den += base[b]!;
    });
    row[i] = base[a]! / (1 + (lambda * num) / den);
  });
}

function capGroups(members: readonly EnsembleMember[], cfg: EnsembleConfig): CapGroup[] {
  const byFamily = new Map<string, number[]>();
  const bySymbol = new Map<string, number[]>();
  members.forEach((mb, i) => {
    byFamily.set(mb.family, [...(byFamily.get(mb.family) ?? []), i]);
    bySymbol.set(mb.symbol, [...(bySymbol.get(mb.symbol) ?? []), i]);
  });
  return [
    ...members.map((_, i) => ({ members: [i], cap: cfg.maxMemberWeight })),
    ...[...byFamily.values()].map((g) => ({ members: g, cap: cfg.familyCap })),
    ...[...bySymbol.values()].map((g) => ({ members: g, cap: cfg.symbolCap })),
  ];
}

/** Count, sum and sum of squares per member over a sliding window, updated in bar order */
class RunningWindow {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  constructor(m: number) {
    this.count = new Float64Array(m);
    this.sum = new Float64Array(m);
    this.sq = new Float64Array(m);
  }
  set(i: number, count: number, sum: number, sq: number): void {
    this.count[i] = count;
    this.sum[i] = sum;
    this.sq[i] = sq;
  }

  mean(i: number): number {
    return this.count[i]! > 0 ? this.sum[i]! / this.count[i]! : 0;
  }
  sd(i: number): number {
    const n = this.count[i]!;
    if (n < 2) return 0;
    const mu = this.sum[i]! / n;
    return Math.sqrt(Math.max(0, (this.sq[i]! - n * mu * mu) / (n - 1)));
  }
  sharpe(i: number): number {
    const sd = this.sd(i);
    return sd > 0 ? this.mean(i) / sd : 0;
  }
}
