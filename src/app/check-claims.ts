import { sliceSeries } from "../domain/candle-series.ts";
import { AppError } from "../errors.ts";
import { arForecaster } from "../forecasting/baselines/ar.ts";
import { ridgeForecaster } from "../forecasting/baselines/linear.ts";
import { alwaysUp, lastSign, randomWalk } from "../forecasting/baselines/naive.ts";
import { ensembleForecaster } from "../forecasting/ensemble-forecaster.ts";
import type { Forecaster } from "../forecasting/forecaster.ts";
import { gbdtForecaster } from "../forecasting/gbdt-forecaster.ts";
import { gruForecaster } from "../forecasting/gru/gru-forecaster.ts";
import { sharedFit } from "../forecasting/shared-fit.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { TensorBackend } from "../ports/tensor-backend.ts";
import { CLAIMS, type ClaimRow, type ClaimSetting, judgeClaim } from "../research/claims/claims.ts";
import { dieboldMariano } from "../research/evaluation/diebold-mariano.ts";
import {
  defaultEvaluationConfig,
  type EvaluationResult,
  evaluateForecasters,
} from "../research/evaluation/evaluate.ts";
import { evaluationData, evaluationGruParams } from "./evaluate-models.ts";

export interface CheckClaimsDeps {
  store: CandleStore;
  tensors: TensorBackend;
  clock: Clock;
}

export interface CheckClaimsOutput {
  rows: ClaimRow[];
  /** settings whose data is not in the store (import the bundled data to measure them) */
  skipped: { setting: ClaimSetting; reason: string }[];
  elapsedMs: number;
}

interface Group {
  exchange: string;
  symbol: string;
  timeframe: ClaimSetting["timeframe"];
  maxBars: number;
  horizons: number[];
  needEnsemble: boolean;
}

/**
 * `kairos model claims`: measures each published forecasting figure on the bundled BTC data at the
 * horizons it plausibly refers to, beside the random walk (and the naive sign forecasts) on the
 * same walk-forward test set, with one sentence on what it shows and does not.
 */
export async function checkClaims(
  deps: CheckClaimsDeps,
  progress: (msg: string) => void = () => {},
): Promise<CheckClaimsOutput> {
  const started = deps.clock.now();
  const groups = new Map<string, Group>();
  for (const c of CLAIMS) {
    for (const s of c.settings) {
      const key = `${s.exchange}|${s.symbol}|${s.timeframe}|${s.maxBars}`;
      const g = groups.get(key) ?? {
        exchange: s.exchange,
        symbol: s.symbol,
        timeframe: s.timeframe,
        maxBars: s.maxBars,
        horizons: [],
        needEnsemble: false,
      };
      if (!g.horizons.includes(s.horizon)) g.horizons.push(s.horizon);
      g.needEnsemble ||= c.model === "ensemble";
      groups.set(key, g);
    }
  }
  await deps.tensors.ready();
  const rows: ClaimRow[] = [];
  const skipped: CheckClaimsOutput["skipped"] = [];
  for (const g of groups.values()) {
    const settingsHere = CLAIMS.flatMap((c) =>
      c.settings
        .filter(
          (s) =>
            s.exchange === g.exchange &&
            s.symbol === g.symbol &&
            s.timeframe === g.timeframe &&
            s.maxBars === g.maxBars,
        )
        .map((s) => ({ c, s })),
    );
    const key = { exchange: g.exchange, symbol: g.symbol, timeframe: g.timeframe };
    if (deps.store.info(key) === undefined) {
      for (const { s } of settingsHere)
        skipped.push({
          setting: s,
          reason: `no ${g.exchange} ${g.symbol} ${g.timeframe} candles stored: run \`kairos data import data/\``,
        });
      continue;
    }
    let series = deps.store.read(key);
    if (series.close.length > g.maxBars) series = sliceSeries(series, series.close.length - g.maxBars);
    progress(
      `${g.exchange} ${g.symbol} ${g.timeframe}: ${series.close.length} bars, horizons ${g.horizons.join(",")}`,
    );
    const gru = sharedFit(gruForecaster(evaluationGruParams));
    const forecasters: Forecaster[] = [randomWalk, lastSign, alwaysUp, gru.forecaster];
    if (g.needEnsemble) {
      const gbdt = sharedFit(gbdtForecaster("squared"));
      const ridge = sharedFit(ridgeForecaster());
      forecasters.push(
        arForecaster(),
        ridge.forecaster,
        gbdt.forecaster,
        ensembleForecaster("ensemble", [gbdt.forecaster, ridge.forecaster, gru.forecaster]),
      );
    }
    const { data } = evaluationData(series);
    let ev: EvaluationResult;
    try {
      ev = await evaluateForecasters(
        data,
        forecasters,
        { ...defaultEvaluationConfig, horizons: g.horizons, folds: 3, keepForecasts: true },
        () => deps.clock.now(),
        progress,
      );
    } finally {
      gru.release();
    }
    for (const { c, s } of settingsHere) {
      const rs = ev.results.filter((r) => r.horizon === s.horizon);
      let pEnsVsAr = Number.NaN;
      const fc = ev.forecasts?.[s.horizon];
      if (c.id === "ensemble-vs-arima" && fc !== undefined) {
        const e = fc.byModel.ensemble;
        const a = fc.byModel.ar;
        if (e === undefined || a === undefined)
          throw new AppError("INTERNAL", "claims: ensemble or ar forecasts missing");
        const d = Float64Array.from(fc.actual, (y, i) => (y - a.ret[i]!) ** 2 - (y - e.ret[i]!) ** 2);
        pEnsVsAr = dieboldMariano(d, s.horizon).pValue;
      }
      rows.push(judgeClaim(c, s, rs, ev.testSamples[s.horizon] ?? 0, pEnsVsAr));
    }
  }
  rows.sort((a, b) => CLAIMS.findIndex((c) => c.id === a.claim) - CLAIMS.findIndex((c) => c.id === b.claim));
  return { rows, skipped, elapsedMs: deps.clock.now() - started };
}
