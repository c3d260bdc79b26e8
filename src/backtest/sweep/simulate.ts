import { BLOCK_SHIFT, SUPER_SHIFT } from "../../indicators/cache/block-summary.ts";
import type { PreparedSeries } from "./prepared.ts";

// module-local copies: a transpiler may turn imported bindings into getter calls, too slow in hot loops
const BSHIFT = BLOCK_SHIFT;
const SSHIFT = SUPER_SHIFT;

const SUPER = 1 << (BSHIFT + SSHIFT);

/**
 * The execution model of the event engine, reduced to what a sweep needs: next-open fills, fee and
 * slippage as fractions, the spot cash cap on buys, close-marked equity. Fractions, not percent.
 */
export interface SimConfig {
  readonly fee: number;
  readonly slippage: number;
  readonly initialCash: number;
  /** fixed-fraction sizing: a target e buys e * fraction of equity (1 = all-in) */
  readonly fraction: number;
  /** annualisation factor of the Sharpe ratio (8,760 for 1h) */
  readonly barsPerYear: number;
  /** maker fee (take-profit fills), `fee` when absent */
  readonly makerFee?: number;
  /** stop levels as fractions of the entry price; any of them sends the sweep down the per-bar path */
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  readonly trailingStop?: number;
  /** bars without new entries after a stop-loss or trailing exit */
  readonly cooldownBars?: number;
}

/** True when stops are configured: the per-trade path does not model them, the per-bar one does */
export const hasExits = (cfg: SimConfig): boolean =>
  cfg.stopLoss !== undefined || cfg.takeProfit !== undefined || cfg.trailingStop !== undefined;

/** Layout of one combination's row in a results array */
export const RESULT_FIELDS = ["totalReturn", "sharpe", "maxDrawdown", "trades", "finalEquity"] as const;
export type ResultField = (typeof RESULT_FIELDS)[number];
export const RESULT_STRIDE = RESULT_FIELDS.length;
export const R_TOTAL_RETURN = 0;
export const R_SHARPE = 1;
export const R_MAX_DD = 2;
export const R_TRADES = 3;
export const R_FINAL_EQUITY = 4;

/** A fill price never lies outside its bar (execution model point 3) */
const clampToBar = (x: number, lo: number, hi: number): number => (x < lo ? lo : x < hi ? x : hi);

/** Above this cash/position ratio a segment's returns are not pure close ratios: sum them bar by bar */
const PURE_RATIO = 1e-14;

function writeResult(
  out: Float64Array,
  at: number,
  cfg: SimConfig,
  n: number,
  finalEquity: number,
  s1: number,
  s2: number,
  maxDD: number,
  trades: number,
): void {
  const m = n - 1;
  let sharpe = 0;
  if (m >= 2) {
    const mean = s1 / m;
    const v = (s2 - s1 * mean) / (m - 1);
    // a flat curve has zero variance: its Sharpe is 0, not NaN
    sharpe = v > 0 ? (mean / Math.sqrt(v)) * Math.sqrt(cfg.barsPerYear) : 0;
  }
  out[at + R_TOTAL_RETURN] = finalEquity / cfg.initialCash - 1;
  out[at + R_SHARPE] = sharpe;
  out[at + R_MAX_DD] = maxDD;
  out[at + R_TRADES] = trades;
  out[at + R_FINAL_EQUITY] = finalEquity;
}

/**
 * General path, the definition: one step per bar over a dense target-exposure array (exposure
 * decided at bar t's close, sized on equity marked at that close, filled at bar t+1's open).
 * Writes one RESULT_STRIDE row at `out[at]`.
 */
export function simulateExposures(
  p: PreparedSeries,
  exposure: Float64Array,
  cfg: SimConfig,
  out: Float64Array,
  at: number,
): void {
  const { n, open, high, low, close } = p;
  const fee = cfg.fee;
  const makerFee = cfg.makerFee ?? fee;
  const buyK = 1 + cfg.slippage;
  const sellK = 1 - cfg.slippage;
  const sl = cfg.stopLoss ?? Number.NaN;
  const tp = cfg.takeProfit ?? Number.NaN;
  const tr = cfg.trailingStop ?? Number.NaN;
  const exits = !(Number.isNaN(sl) && Number.isNaN(tp) && Number.isNaN(tr));
  const cooldown = cfg.cooldownBars ?? 0;
  let cash = cfg.initialCash;
  let q = 0;
  let prevE = cash;
  let peak = cash;
  let maxDD = 0;
  let s1 = 0;
  let s2 = 0;
  let target = 0;
  let pending = Number.NaN;
  let trades = 0;
  // the open position as the book keeps it, for stops: average entry, highest high since entry
  let avgEntry = 0;
  let high0 = 0;
  let cooldownUntil = -1;
  for (let t = 0; t < n; t++) {
    if (!Number.isNaN(pending)) {
      const delta = pending - q;
      pending = Number.NaN;
      // the fill rules of src/backtest (book.ts, engine.ts), in the same arithmetic order
      if (delta > 0) {
        const fp = clampToBar(open[t]! * buyK, low[t]!, high[t]!);
        const cap = cash / (fp * (1 + fee));
        const buy = cooldownUntil >= t ? 0 : delta < cap ? delta : cap;
        if (buy > 0) {
          if (q === 0) {
            trades++;
            avgEntry = fp;
            high0 = fp;
          } else avgEntry = (avgEntry * q + fp * buy) / (q + buy);
          cash -= buy * fp + fee * buy * fp;
          q += buy;
        }
      } else if (delta < 0 && q > 0) {
        const fp = clampToBar(open[t]! * sellK, low[t]!, high[t]!);
        const sell = -delta < q ? -delta : q;
        cash -= -sell * fp + fee * sell * fp;
        q = q - sell <= 1e-12 * (q > 1 ? q : 1) ? 0 : q - sell;
      }
    }
    if (exits && q > 0) {
      // inside the bar (execution model point 8): the adverse level nearest the open first
      let level = Number.NaN;
      if (!Number.isNaN(sl)) level = avgEntry * (1 - sl);
      if (!Number.isNaN(tr)) {
        const lv = high0 * (1 - tr);
        if (Number.isFinite(lv) && lv > 0 && (Number.isNaN(level) || lv > level)) level = lv;
      }
      if (!(level > 0)) level = Number.NaN;
      const o = open[t]!;
      const gap = o <= level;
      if (gap || low[t]! <= level) {
        const fp = clampToBar((gap ? o : level) * sellK, low[t]!, high[t]!);
        cash -= -q * fp + fee * q * fp;
        q = 0;
        cooldownUntil = t + cooldown;
      } else if (!Number.isNaN(tp)) {
        const tpl = avgEntry * (1 + tp);
        if (o >= tpl) {
          cash -= -q * o + fee * q * o;
          q = 0;
        } else if (high[t]! >= tpl) {
          cash -= -q * tpl + makerFee * q * tpl;
          q = 0;
        }
      }
      if (q > 0 && high[t]! > high0) high0 = high[t]!;
    }
    const c = close[t]!;
    const e = cash + q * c;
    if (t > 0) {
      const r = e / prevE - 1;
      s1 += r;
      s2 += r * r;
    }
    if (e > peak) peak = e;
    else {
      const dd = (peak - e) / peak;
      if (dd > maxDD) maxDD = dd;
    }
    const raw = exposure[t]!;
    // spot: targets clip to [0, 1] as the event engine clips them
    const x = raw < 0 ? 0 : raw > 1 ? 1 : raw;
    if (x !== target) {
      target = x;
      if (t + 1 < n) {
        const want = (x * cfg.fraction * e) / c;
        if (want !== q) pending = want;
      }
    }
    prevE = e;
  }
  writeResult(out, at, cfg, n, prevE, s1, s2, maxDD, trades);
}

/**
 * Equity at or above this cannot deepen the drawdown, even after the rounding of (peak - e) / peak:
 * the margin (4e-15 of the peak) exceeds the rounding of this sum and of that quotient
 */
const ddThreshold = (peak: number, maxDD: number): number => peak * (1 - maxDD) + 4e-15 * peak;

/** Layout of one combination's running state for the fast path (a row of SIM_STATE_STRIDE) */
const S_CASH = 0;
const S_Q = 1;
const S_LAST = 2;
const S_LAST_E = 3;
const S_PEAK = 4;
const S_MAX_DD = 5;
const S_S1 = 6;
const S_S2 = 7;
const S_TRADES = 8;
export const SIM_STATE_STRIDE = 9;

/** Starts a combination: all cash, no position, bar 0 marked */
export function initSimState(cfg: SimConfig, st: Float64Array, so: number): void {
  st[so + S_CASH] = cfg.initialCash;
  st[so + S_Q] = 0;
  st[so + S_LAST] = 0;
  st[so + S_LAST_E] = cfg.initialCash;
  st[so + S_PEAK] = cfg.initialCash;
  st[so + S_MAX_DD] = 0;
  st[so + S_S1] = 0;
  st[so + S_S2] = 0;
  st[so + S_TRADES] = 0;
}

/** Writes the metrics of a combination whose state has been advanced to the last bar */
export function finishSimState(
  p: PreparedSeries,
  cfg: SimConfig,
  st: Float64Array,
  so: number,
  out: Float64Array,
  at: number,
): void {
  writeResult(
    out,
    at,
    cfg,
    p.n,
    st[so + S_LAST_E]!,
    st[so + S_S1]!,
    st[so + S_S2]!,
    st[so + S_MAX_DD]!,
    st[so + S_TRADES]!,
  );
}

/**
 * Fast path, identical to `simulateExposures` to rounding (1e-12 relative): works per segment of
 * constant position instead of per bar. A segment whose cash is ~0 takes its Sharpe sums from the
 * prefix sums of close returns; drawdown is scanned in blocks that skip bars which can neither raise
 * the peak nor deepen the drawdown (exact, since marked equity is monotone in the close).
 * Consumes `count` transitions (`idx[k]`: a bar whose close sets the new target `val[k]`, strictly
 * increasing, after the bars already consumed), then marks every bar up to `upTo` inclusive.
 * Resumable: a sweep calls it once per tile of bars so the arrays it reads stay in cache.
 */
export function simulateRange(
  p: PreparedSeries,
  idx: Int32Array,
  val: Float64Array,
  count: number,
  upTo: number,
  cfg: SimConfig,
  st: Float64Array,
  so: number,
): void {
  const { n, open, high, low, close, p1, p2, closeMin, closeMax, closeMin64, closeMax64 } = p;
  const fee = cfg.fee;
  const fraction = cfg.fraction;
  const buyK = 1 + cfg.slippage;
  const sellK = 1 - cfg.slippage;
  let cash = st[so + S_CASH]!;
  let q = st[so + S_Q]!;
  let last = st[so + S_LAST]!;
  let lastE = st[so + S_LAST_E]!;
  let peak = st[so + S_PEAK]!;
  let maxDD = st[so + S_MAX_DD]!;
  let s1 = st[so + S_S1]!;
  let s2 = st[so + S_S2]!;
  let trades = st[so + S_TRADES]!;
  let thr = ddThreshold(peak, maxDD);
  for (let k = 0; k <= count; k++) {
    // mark the constant-position segment (last, to]
    const to = k < count ? idx[k]! : upTo;
    if (to > last && q !== 0) {
      if (Math.abs(cash) <= PURE_RATIO * Math.abs(q) * close[to]!) {
        s1 += p1[to]! - p1[last]!;
        s2 += p2[to]! - p2[last]!;
        // a block (a superset of the bars asked for) is scanned bar by bar only when its close range
        // could raise the peak or fall below the drawdown threshold: exact, equity being monotone in close
        const up = q > 0;
        let i = last + 1;
        while (i <= to) {
          if ((i & (SUPER - 1)) === 0 && i + SUPER - 1 <= to) {
            const sb = i >> (BSHIFT + SSHIFT);
            const sHi = cash + q * (up ? closeMax64[sb]! : closeMin64[sb]!);
            const sLo = cash + q * (up ? closeMin64[sb]! : closeMax64[sb]!);
            if (!(sHi > peak) && !(sLo < thr)) {
              i += SUPER;
              continue;
            }
          }
          const b = i >> BSHIFT;
          const bEnd = Math.min(to, ((b + 1) << BSHIFT) - 1);
          const eHi = cash + q * (up ? closeMax[b]! : closeMin[b]!);
          const eLo = cash + q * (up ? closeMin[b]! : closeMax[b]!);
          if (eHi > peak || eLo < thr) {
            for (let j = i; j <= bEnd; j++) {
              const e = cash + q * close[j]!;
              if (e > peak) {
                peak = e;
                thr = ddThreshold(peak, maxDD);
              } else if (e < thr) {
                const dd = (peak - e) / peak;
                if (dd > maxDD) {
                  maxDD = dd;
                  thr = ddThreshold(peak, maxDD);
                }
              }
            }
          }
          i = bEnd + 1;
        }
        lastE = cash + q * close[to]!;
      } else {
        let prevE = lastE;
        for (let i = last + 1; i <= to; i++) {
          const e = cash + q * close[i]!;
          const r = e / prevE - 1;
          s1 += r;
          s2 += r * r;
          if (e > peak) peak = e;
          else {
            const dd = (peak - e) / peak;
            if (dd > maxDD) maxDD = dd;
          }
          prevE = e;
        }
        lastE = prevE;
        thr = ddThreshold(peak, maxDD);
      }
    }
    if (to > last) last = to;
    if (k === count) break;
    const t = to;
    if (t + 1 >= n) break;
    // the decision at t's close, filled at t+1's open; bar t+1 is then marked like any bar
    const x = val[k]!;
    const delta = (x * fraction * lastE) / close[t]! - q;
    const f = t + 1;
    if (delta > 0) {
      const fp = clampToBar(open[f]! * buyK, low[f]!, high[f]!);
      const cap = cash / (fp * (1 + fee));
      const buy = delta < cap ? delta : cap;
      if (buy > 0) {
        if (q === 0) trades++;
        cash -= buy * fp + fee * buy * fp;
        q += buy;
      }
    } else if (delta < 0) {
      const fp = clampToBar(open[f]! * sellK, low[f]!, high[f]!);
      const sell = -delta < q ? -delta : q;
      cash -= -sell * fp + fee * sell * fp;
      q = q - sell <= 1e-12 * (q > 1 ? q : 1) ? 0 : q - sell;
    }
    const e = cash + q * close[t + 1]!;
    const r = e / lastE - 1;
    s1 += r;
    s2 += r * r;
    if (e > peak) {
      peak = e;
      thr = ddThreshold(peak, maxDD);
    } else if (e < thr) {
      const dd = (peak - e) / peak;
      if (dd > maxDD) {
        maxDD = dd;
        thr = ddThreshold(peak, maxDD);
      }
    }
    lastE = e;
    last = t + 1;
  }
  st[so + S_CASH] = cash;
  st[so + S_Q] = q;
  st[so + S_LAST] = last;
  st[so + S_LAST_E] = lastE;
  st[so + S_PEAK] = peak;
  st[so + S_MAX_DD] = maxDD;
  st[so + S_S1] = s1;
  st[so + S_S2] = s2;
  st[so + S_TRADES] = trades;
}

/** Fast path over a whole series in one call (transitions of every bar at once) */
export function simulateTransitions(
  p: PreparedSeries,
  idx: Int32Array,
  val: Float64Array,
  count: number,
  cfg: SimConfig,
  st: Float64Array,
  out: Float64Array,
  at: number,
): void {
  initSimState(cfg, st, 0);
  simulateRange(p, idx, val, count, p.n - 1, cfg, st, 0);
  finishSimState(p, cfg, st, 0, out, at);
}
