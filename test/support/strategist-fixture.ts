// A strategist report built end to end from the bundled BTC and ETH daily data, for the golden and e2e tests
import { buildStrategistEnsemble, type VariantSpec } from "../../src/app/build-ensemble.ts";
import { createRng } from "../../src/domain/random.ts";
import { buildReportData } from "../../src/explain/report/build-report-data.ts";
import type { Heatmap, LeaderboardRow, ReportData } from "../../src/explain/report/types.ts";
import { returnStats } from "../../src/research/ensemble/stats.ts";
import { monteCarlo } from "../../src/research/monte-carlo.ts";
import { deflatedSharpe } from "../../src/research/sharpe-stats.ts";
import { moments } from "../../src/research/stats.ts";
import { loadBundledSeries } from "./bundled-data.ts";

const FAST = [5, 10, 20, 30];
const SLOW = [40, 60, 100, 150];

function stretches(r: Float64Array, from: number, to: number): number {
  let k = 0;
  for (let t = from; t < to; t++)
    if (r[t] !== 0 && Number.isFinite(r[t]!) && (t === from || r[t - 1] === 0)) k++;
  return k;
}

export function strategistFixture(): ReportData {
  const btc = loadBundledSeries("binance", "BTC/USDT", "1d");
  const eth = loadBundledSeries("binance", "ETH/USDT", "1d");
  const variants: VariantSpec[] = [];
  for (const s of [btc, eth]) {
    for (const fast of FAST)
      for (const slow of SLOW)
        variants.push({
          id: `sma-cross(${fast},${slow})@${s.symbol}`,
          family: "sma-cross",
          symbol: s.symbol,
          params: { fast, slow },
        });
    for (const period of [7, 14])
      variants.push({
        id: `rsi-reversion(${period})@${s.symbol}`,
        family: "rsi-reversion",
        symbol: s.symbol,
        params: { period, lower: 30, upper: 70 },
      });
    variants.push({
      id: `donchian-breakout(20,10)@${s.symbol}`,
      family: "donchian-breakout",
      symbol: s.symbol,
      params: { entry: 20, exit: 10 },
    });
  }
  const built = buildStrategistEnsemble({ series: [btc, eth], variants, fee: 0.001, slippage: 0.0005, btc });
  const { input, ensemble } = built;
  const n = input.ts.length;
  const start = ensemble.recordStart;
  const perBar = input.members.map((m) => moments(m.returns, start, n));
  const stats = input.members.map((m) => returnStats(m.returns, start, n, 365));
  const srs = perBar.map((mo) => mo.mean / mo.sd);
  const meanSr = srs.reduce((p, v) => p + v, 0) / srs.length;
  const varSr = srs.reduce((p, v) => p + (v - meanSr) ** 2, 0) / (srs.length - 1);
  const bh = returnStats(input.benchmark, start, n, 365);
  const rows: LeaderboardRow[] = input.members
    .map((m, i) => {
      const mo = perBar[i]!;
      const dsr = deflatedSharpe({
        sr: srs[i]!,
        n: n - start,
        skew: mo.skew,
        kurtosis: mo.kurtosis,
        nTrials: variants.length,
        trialVariance: varSr,
      });
      const passed = dsr.probability >= 0.95 && stats[i]!.sharpe > bh.sharpe;
      return {
        rank: 0,
        id: m.id,
        family: m.family,
        symbol: m.symbol,
        params: Object.entries(m.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(" "),
        oosSharpe: stats[i]!.sharpe,
        deflatedSharpe: dsr.probability,
        maxDrawdown: stats[i]!.maxDrawdown,
        vsBuyAndHold: stats[i]!.sharpe - bh.sharpe,
        familyPbo: null,
        // stretches of non-zero returns stand in for trades here (the fixture has no trade list)
        trades: stretches(m.returns, start, n),
        oosBars: n - start,
        sampleNote: null,
        passed,
        reasons: passed
          ? ["deflated Sharpe >= 0.95", "beats buy-and-hold"]
          : [dsr.probability < 0.95 ? "deflated Sharpe < 0.95" : "does not beat buy-and-hold"],
      };
    })
    .sort((a, b) => b.oosSharpe - a.oosSharpe)
    .map((r, k) => ({ ...r, rank: k + 1 }));
  const heatmaps: Heatmap[] = [btc, eth].map((s) => ({
    family: "sma-cross",
    symbol: s.symbol,
    metric: "OOS Sharpe",
    xName: "fast",
    yName: "slow",
    xs: FAST,
    ys: SLOW,
    z: SLOW.map((slow) =>
      FAST.map(
        (fast) => rows.find((r) => r.id === `sma-cross(${fast},${slow})@${s.symbol}`)?.oosSharpe ?? null,
      ),
    ),
  }));
  const rng = createRng(7);
  const top = rows.slice(0, 5);
  const mc = top.map((r) => {
    const m = input.members.find((x) => x.id === r.id)!;
    const res = monteCarlo(
      [],
      m.returns.subarray(start).map((v) => (Number.isFinite(v) ? v : 0)),
      200,
      0,
      rng,
    );
    return { id: r.id, totalReturn: res.blocks.totalReturn, maxDrawdown: res.blocks.maxDrawdown };
  });
  return buildReportData({
    runId: "fixture-1d",
    createdAt: "2025-09-19 00:00 UTC",
    exchange: "binance",
    timeframe: "1d",
    symbols: ["BTC/USDT", "ETH/USDT"],
    variantsTried: variants.length,
    settings: [{ name: "costs", value: "fee 0.001, slippage 0.0005" }],
    leaderboard: rows,
    heatmaps,
    monteCarlo: mc,
    ensembleInput: input,
    ensemble,
    plotIds: top.slice(0, 3).map((r) => r.id),
    explanations: built.explanations,
    notes: ["fixture built from the bundled BTC/USDT and ETH/USDT daily data"],
    now: Date.UTC(2025, 8, 21, 12),
    barMs: 86_400_000,
  });
}
