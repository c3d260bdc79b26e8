import { z } from "zod";
import { AppError, invalidInput } from "../errors.ts";
import { link } from "../forecasting/gbdt/objective.ts";
import { predictMargin } from "../forecasting/gbdt/predict.ts";
import { shapValues } from "../forecasting/gbdt/shap.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { ModelStore } from "../ports/model-store.ts";
import type { NewsStore } from "../ports/news-store.ts";
import {
  exchangeField,
  isoTimeField,
  parseInput,
  symbolField,
  timeframeField,
  wholeNumberField,
} from "./contract.ts";
import { type FeatureSources, featuresFor } from "./model-data.ts";
import { resolveSeries } from "./resolve-series.ts";
import { loadGbdt } from "./show-model.ts";

export const PredictModelInput = z.object({
  id: z.string().min(1),
  symbol: symbolField().optional(),
  timeframe: timeframeField().optional(),
  exchange: exchangeField().optional(),
  /** forecast from the last closed bar at or before this time (default: the last stored bar) */
  at: isoTimeField().optional(),
  /** how many contributions to return, largest |value| first */
  top: wholeNumberField({ min: 1, max: 10_000 }).optional(),
});
export type PredictModelInput = z.input<typeof PredictModelInput>;

/** One feature's push on this forecast, on the margin scale (log-odds for sign models) */
export interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

export interface PredictModelOutput {
  model: string;
  target: { kind: string; horizon: number };
  series: { exchange: string; symbol: string; timeframe: string };
  /** open time of the bar the forecast is made at (its close) */
  barTs: number;
  /** P(up over the next h bars) for sign models, the forecast value otherwise */
  prediction: number;
  margin: number;
  /** expected margin over the training data: contributions add up from here to `margin` */
  base: number;
  contributions: Contribution[];
  /** reasons not to trust this forecast (another market than the model's, stale data) */
  warnings: string[];
}

/**
 * Forecasts with a stored model at one bar, with the TreeSHAP contributions that explain it
 * (base + sum of all contributions = margin exactly, up to rounding).
 */
export function predictModel(
  raw: PredictModelInput,
  deps: { store: CandleStore; models: ModelStore; news?: NewsStore },
): PredictModelOutput {
  const input = parseInput(PredictModelInput, raw);
  const { record, model } = loadGbdt(deps.models, input.id);
  const dr = record.dataRange;
  const key = resolveSeries(deps.store, {
    symbol: input.symbol ?? dr.symbol,
    timeframe: input.timeframe ?? dr.timeframe,
    ...(input.exchange !== undefined
      ? { exchange: input.exchange }
      : input.symbol === undefined
        ? { exchange: dr.exchange }
        : {}),
  });
  if (key.timeframe !== dr.timeframe)
    throw invalidInput(
      `model ${record.id} was trained on ${dr.timeframe} bars; predict on ${dr.timeframe}, not ${key.timeframe}`,
    );
  const at = input.at;
  const series = deps.store.read(key, at === undefined ? {} : { to: at + 1 });
  const n = series.close.length;
  if (n === 0)
    throw new AppError(
      "NOT_FOUND",
      `no ${key.symbol} ${key.timeframe} bars at or before ${input.at ?? "now"}`,
    );
  const sources = (record.params as { sources?: FeatureSources }).sources ?? {
    benchmark: null,
    universe: [],
  };
  const fs = featuresFor(deps.store, series, sources, at === undefined ? undefined : at + 1, deps.news);
  if (fs.names.join(",") !== model.featureNames.join(","))
    throw invalidInput(
      `model ${record.id} reads features this version does not build; retrain it with \`kairos model train\``,
    );
  const t = n - 1;
  const x = { rows: 1, cols: fs.cols.map((c) => c.subarray(t, t + 1)) };
  const margin = predictMargin(model, x)[0]!;
  const { base, values } = shapValues(model, x);
  const phi = values[0]!;
  const top = input.top ?? 8;
  const contributions = model.featureNames
    .map((feature, f) => ({ feature, value: fs.cols[f]![t]!, contribution: phi[f]! }))
    .filter((c) => c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, top);
  return {
    model: record.id,
    target: record.target,
    series: { exchange: key.exchange, symbol: key.symbol, timeframe: key.timeframe },
    barTs: series.ts[t]!,
    prediction: link(model.objective, margin),
    margin,
    base,
    contributions,
    warnings:
      key.symbol === dr.symbol && key.exchange === dr.exchange
        ? []
        : [
            `model ${record.id} was trained on ${dr.exchange} ${dr.symbol} ${dr.timeframe} and is applied to ${key.exchange} ${key.symbol}: its test figures were measured on the other market and do not carry over`,
          ],
  };
}
