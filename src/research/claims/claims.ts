import { AppError } from "../../errors.ts";
import type { ModelHorizonResult } from "../evaluation/evaluate.ts";

/** Where a claim is measured: a bundled series and a horizon it plausibly refers to */
export interface ClaimSetting {
  exchange: string;
  symbol: string;
  timeframe: "1m" | "5m" | "1h" | "1d";
  horizon: number;
  /** last N bars used (keeps the run in minutes) */
  maxBars: number;
}

export interface ClaimDefinition {
  id: "gru-mape" | "direction-52" | "ensemble-vs-arima";
  published: string;
  /** the model whose figure is measured */
  model: string;
  settings: ClaimSetting[];
}

const btc1h = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" } as const;

/** The published figures kairos checks, with the settings each plausibly refers to */
export const CLAIMS: readonly ClaimDefinition[] = [
  {
    id: "gru-mape",
    published: "A GRU reaches 0.09% MAPE on the Bitcoin price",
    model: "gru",
    settings: [
      { exchange: "bitstamp", symbol: "BTC/USD", timeframe: "1m", horizon: 1, maxBars: 12_000 },
      { exchange: "binance", symbol: "BTC/USDT", timeframe: "5m", horizon: 1, maxBars: 12_000 },
      { ...btc1h, horizon: 1, maxBars: 12_000 },
    ],
  },
  {
    id: "direction-52",
    published: "Ensembles reach 52% short-term directional accuracy on Bitcoin",
    model: "ensemble",
    settings: [
      { ...btc1h, horizon: 1, maxBars: 12_000 },
      { ...btc1h, horizon: 24, maxBars: 12_000 },
      { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d", horizon: 1, maxBars: 2_000 },
    ],
  },
  {
    id: "ensemble-vs-arima",
    published: "Ensembles beat ARIMA on Bitcoin",
    model: "ensemble",
    settings: [
      { ...btc1h, horizon: 1, maxBars: 12_000 },
      { ...btc1h, horizon: 24, maxBars: 12_000 },
      { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d", horizon: 1, maxBars: 2_000 },
    ],
  },
];

/** One measured claim in one setting */
export interface ClaimRow {
  claim: ClaimDefinition["id"];
  published: string;
  setting: ClaimSetting;
  testBars: number;
  metric: string;
  /** the figure the claim's model scores here */
  model: number;
  /** what the naive forecast scores on the same test set */
  naive: number;
  naiveName: string;
  /** a third figure where the claim names one (ARIMA) */
  other?: { name: string; value: number; pValue: number };
  /** one-sided p of the model against the naive forecast (Holm within the setting) */
  pVsNaive: number;
  beatsNaive: boolean;
  /** one sentence on what the figure does and does not show */
  verdict: string;
}

const find = (rs: readonly ModelHorizonResult[], m: string): ModelHorizonResult | undefined =>
  rs.find((r) => r.model === m);
const f3 = (x: number): string => x.toFixed(3);
const f1 = (x: number): string => x.toFixed(1);
const where = (s: ClaimSetting): string => `${s.symbol} ${s.timeframe} bars, ${s.horizon}-bar horizon`;

/**
 * Turns one setting's evaluation into the claim's row. `ensembleVsAr` is the one-sided DM p-value
 * of the ensemble against AR (our ARIMA: AR(p) on log returns is ARIMA(p,1,0) on log prices).
 */
export function judgeClaim(
  def: ClaimDefinition,
  setting: ClaimSetting,
  results: readonly ModelHorizonResult[],
  testBars: number,
  ensembleVsAr = Number.NaN,
): ClaimRow {
  const m = find(results, def.model);
  const rw = find(results, "random-walk");
  if (m === undefined || rw === undefined)
    throw new AppError("INTERNAL", `claim ${def.id}: the evaluation lacks ${def.model} or random-walk`);
  const base = { claim: def.id, published: def.published, setting, testBars };
  if (def.id === "gru-mape") {
    const p = m.valueTest?.pHolm ?? Number.NaN;
    const beats = m.beatsBaseline;
    const ratio = m.metrics.mapePrice / rw.metrics.mapePrice;
    return {
      ...base,
      metric: "MAPE on price, %",
      model: m.metrics.mapePrice,
      naive: rw.metrics.mapePrice,
      naiveName: "random-walk",
      pVsNaive: p,
      beatsNaive: beats,
      verdict:
        `On ${where(setting)} the GRU scores ${f3(m.metrics.mapePrice)}% and the random walk ${f3(rw.metrics.mapePrice)}% (ratio ${ratio.toFixed(3)}): ` +
        `a small price MAPE mostly measures how little the price moves in one bar, so 0.09% says nothing about skill unless it beats the random walk, which here it ${beats ? "does" : "does not"} (Holm p ${f3(p)}).`,
    };
  }
  const dirRefs = ["always-up", "last-sign"].map((n) => find(results, n)).filter((r) => r !== undefined);
  const best = dirRefs.reduce((a, b) =>
    b.metrics.directionalAccuracy > a.metrics.directionalAccuracy ? b : a,
  );
  if (def.id === "direction-52") {
    const acc = 100 * m.metrics.directionalAccuracy;
    const ci = m.metrics.directionalCi;
    const p = m.directionTest?.pValue ?? Number.NaN;
    const beats = m.directionTest !== null && p < 0.05;
    return {
      ...base,
      metric: "directional accuracy, %",
      model: acc,
      naive: 100 * best.metrics.directionalAccuracy,
      naiveName: best.model,
      pVsNaive: p,
      beatsNaive: beats,
      verdict:
        `On ${where(setting)} the ensemble calls ${f1(acc)}% of directions (95% CI ${f1(100 * ci.lo)}-${f1(100 * ci.hi)}) against ${f1(100 * best.metrics.directionalAccuracy)}% for ${best.model}: ` +
        `52% is only meaningful next to such a naive rate and its sample size, and the ensemble ${beats ? "does" : "does not"} beat it significantly (one-sided p ${f3(p)}).`,
    };
  }
  const ar = find(results, "ar");
  if (ar === undefined) throw new AppError("INTERNAL", "claim ensemble-vs-arima: the evaluation lacks ar");
  const beatsAr = ensembleVsAr < 0.05;
  const beats = m.beatsBaseline;
  return {
    ...base,
    metric: "RMSE of log return, bp",
    model: 10_000 * m.metrics.rmse,
    naive: 10_000 * rw.metrics.rmse,
    naiveName: "random-walk",
    other: { name: "ar (ARIMA(p,1,0))", value: 10_000 * ar.metrics.rmse, pValue: ensembleVsAr },
    pVsNaive: m.valueTest?.pHolm ?? Number.NaN,
    beatsNaive: beats,
    verdict:
      `On ${where(setting)} the ensemble's RMSE is ${f1(10_000 * m.metrics.rmse)} bp, ARIMA's ${f1(10_000 * ar.metrics.rmse)} and the random walk's ${f1(10_000 * rw.metrics.rmse)}: ` +
      `the ensemble ${beatsAr ? "does" : "does not"} beat ARIMA significantly (DM p ${f3(ensembleVsAr)}), and beating ARIMA matters only if it also beats the random walk, which it ${beats ? "does" : "does not"}.`,
  };
}
