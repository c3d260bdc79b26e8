/**
 * One combination in full, on request: the vectorised engine's per-bar path with its equity curve,
 * its trade records (the fields and rules of src/backtest/book.ts) and the full Metrics of
 * src/backtest/metrics.ts. Used to inspect a sweep's winners and to check the engines agree.
 */
import type { CandleSeries } from "../../domain/candle-series.ts";
import type { Trade } from "../../domain/trade.ts";
import { IndicatorCache } from "../../indicators/cache/indicator-cache.ts";
import type { StrategyFamily } from "../../strategies/family.ts";
import { buyAndHoldCurve, computeMetrics } from "../metrics.ts";
import type { Metrics } from "../types.ts";
import { buildPlan } from "./plan.ts";
import { hasExits, type SimConfig } from "./simulate.ts";

export interface SweepDetail {
  params: Record<string, number | boolean>;
  equity: Float64Array;
  cash: Float64Array;
  position: Float64Array;
  trades: Trade[];
  metrics: Metrics;
}

/** The trade-closing tolerance of the book: a remainder this small is no position */
const EPS = 1e-12;

/** Runs one combination bar by bar and records everything (allocates: not for the hot path) */
export function sweepDetail(
  series: CandleSeries,
  // biome-ignore lint/suspicious/noExplicitAny: any family
  family: StrategyFamily<any>,
  params: Record<string, number | boolean>,
  sim: SimConfig,
): SweepDetail {
  const n = series.close.length;
  const plan = buildPlan(family, series, [params], new IndicatorCache(n), { dense: true });
  const exposure = new Float64Array(n);
  if (plan.kind === "dense") plan.exposures(0, exposure);
  const { ts, open, high, low, close } = series;
  const reason = family.name;
  const equity = new Float64Array(n);
  const cashArr = new Float64Array(n);
  const position = new Float64Array(n);
  const trades: Trade[] = [];
  let cash = sim.initialCash;
  let q = 0;
  let target = 0;
  let pending = Number.NaN;
  let fees = 0;
  let traded = 0;
  let exposed = 0;
  // the open position, as the book keeps it
  let avgEntry = 0;
  let entryTs = 0;
  let entryBar = 0;
  let pFees = 0;
  let realized = 0;
  let exitQty = 0;
  let exitNotional = 0;
  let maxQty = 0;
  let mae = 0;
  let mfe = 0;
  let high0 = 0;
  let cooldownUntil = -1;
  const excursion = (price: number): void => {
    if (q === 0 || avgEntry <= 0) return;
    const r = price / avgEntry - 1;
    if (r < mae) mae = r;
    if (r > mfe) mfe = r;
  };
  // a sale of `qty` at `price` paying fee `rate`: cash, fees and the open trade's exit side (q is
  // left to the caller: a partial sale keeps the position open)
  const bookSale = (qty: number, price: number, rate: number): void => {
    const fee = rate * qty * price;
    cash -= -qty * price + fee;
    fees += fee;
    traded += qty * price;
    realized += qty * (price - avgEntry);
    exitQty += qty;
    exitNotional += qty * price;
    pFees += fee;
    excursion(price);
  };
  const tradeOf = (exitTs: number, bar: number, why: string, exitPrice: number, real: number): Trade => {
    const pnl = real - pFees;
    return {
      symbol: series.symbol,
      side: "long",
      entryTs,
      entryPrice: avgEntry,
      exitTs,
      exitPrice,
      qty: maxQty,
      fees: pFees,
      funding: 0,
      pnl,
      returnPct: pnl / (avgEntry * maxQty),
      bars: bar - entryBar,
      entryReason: reason,
      exitReason: why,
      mae,
      mfe,
    };
  };
  for (let t = 0; t < n; t++) {
    if (!Number.isNaN(pending)) {
      const delta = pending - q;
      pending = Number.NaN;
      const clamp = (x: number): number => (x < low[t]! ? low[t]! : Math.min(x, high[t]!));
      if (delta > 0) {
        const fp = clamp(open[t]! * (1 + sim.slippage));
        const buy = cooldownUntil >= t ? 0 : Math.min(delta, Math.max(0, cash / (fp * (1 + sim.fee))));
        if (buy > 0) {
          const fee = sim.fee * buy * fp;
          cash -= buy * fp + fee;
          fees += fee;
          traded += buy * fp;
          if (q === 0) {
            avgEntry = fp;
            entryTs = ts[t]!;
            entryBar = t;
            pFees = fee;
            realized = 0;
            exitQty = 0;
            exitNotional = 0;
            maxQty = buy;
            mae = 0;
            mfe = 0;
            high0 = fp;
            q = buy;
          } else {
            avgEntry = (avgEntry * q + fp * buy) / (q + buy);
            q += buy;
            pFees += fee;
            maxQty = Math.max(maxQty, q);
          }
        }
      } else if (delta < 0 && q > 0) {
        const fp = clamp(open[t]! * (1 - sim.slippage));
        const sell = Math.min(-delta, q);
        bookSale(sell, fp, sim.fee);
        const left = q - sell;
        if (left <= EPS * Math.max(1, q)) {
          q = 0;
          trades.push(tradeOf(ts[t]!, t, reason, exitNotional / exitQty, realized));
        } else q = left;
      }
    }
    if (q !== 0 && hasExits(sim)) {
      // inside the bar (execution model point 8): the adverse level nearest the open first
      let level = Number.NaN;
      if (sim.stopLoss !== undefined) level = avgEntry * (1 - sim.stopLoss);
      let kind = "stop-loss";
      if (sim.trailingStop !== undefined) {
        const lv = high0 * (1 - sim.trailingStop);
        if (Number.isFinite(lv) && lv > 0 && (Number.isNaN(level) || lv > level)) {
          level = lv;
          kind = "trailing-stop";
        }
      }
      if (!(level > 0)) level = Number.NaN;
      const o = open[t]!;
      const gap = o <= level;
      let exitAt = Number.NaN;
      let rate = sim.fee;
      let why = "";
      if (gap || low[t]! <= level) {
        const ref = (gap ? o : level) * (1 - sim.slippage);
        exitAt = ref < low[t]! ? low[t]! : Math.min(ref, high[t]!);
        why = kind;
        cooldownUntil = t + (sim.cooldownBars ?? 0);
      } else if (sim.takeProfit !== undefined) {
        const tpl = avgEntry * (1 + sim.takeProfit);
        if (o >= tpl) exitAt = o;
        else if (high[t]! >= tpl) {
          exitAt = tpl;
          rate = sim.makerFee ?? sim.fee;
        }
        why = "take-profit";
      }
      if (!Number.isNaN(exitAt)) {
        bookSale(q, exitAt, rate);
        q = 0;
        trades.push(tradeOf(ts[t]!, t, why, exitNotional / exitQty, realized));
      } else if (high[t]! > high0) high0 = high[t]!;
    }
    if (q !== 0) {
      excursion(low[t]!);
      excursion(high[t]!);
      exposed++;
    }
    const e = cash + q * close[t]!;
    equity[t] = e;
    cashArr[t] = cash;
    position[t] = q;
    const raw = exposure[t]!;
    const x = raw < 0 ? 0 : raw > 1 ? 1 : raw;
    if (x !== target) {
      target = x;
      if (t + 1 < n) {
        const want = (x * sim.fraction * e) / close[t]!;
        if (want !== q) pending = want;
      }
    }
  }
  if (q !== 0) {
    const m = close[n - 1]!;
    trades.push(
      tradeOf(
        ts[n - 1]!,
        n - 1,
        "end-of-data",
        (exitNotional + q * m) / (exitQty + q),
        realized + q * (m - avgEntry),
      ),
    );
  }
  const metrics = computeMetrics({
    timeframe: series.timeframe,
    ts,
    equity,
    trades,
    fees,
    funding: 0,
    tradedNotional: traded,
    exposedBars: exposed,
    buyAndHoldEquity: buyAndHoldCurve([close], sim.initialCash),
  });
  return { params, equity, cash: cashArr, position, trades, metrics };
}
