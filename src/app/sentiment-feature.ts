import { z } from "zod";
import { timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import type { CandleStore } from "../ports/candle-store.ts";
import type { NewsStore } from "../ports/news-store.ts";
import {
  evaluateSentimentFeature,
  type SentimentFeatureEvaluation,
  sentimentFeature,
} from "../sentiment/feature.ts";
import { exchangeField, parseInput, symbolField, timeframeField, wholeNumberField } from "./contract.ts";
import { resolveSeries } from "./resolve-series.ts";

export const SentimentFeatureInput = z
  .object({
    symbol: symbolField(),
    timeframe: timeframeField().default("1d"),
    exchange: exchangeField().optional(),
    /** bars ahead the forecast return covers (default: one day of bars) */
    horizon: wholeNumberField({ min: 1, max: 1000 }).optional(),
  })
  .strict();
export type SentimentFeatureInput = z.input<typeof SentimentFeatureInput>;

export interface SentimentFeatureOutput extends SentimentFeatureEvaluation {
  symbol: string;
  timeframe: string;
  headlines: number;
  /** the plain verdict */
  verdict: string;
}

/**
 * `kairos sentiment feature`: the daily headline-sentiment feature of one symbol (stored news against
 * stored candles), judged out of sample like any feature: AR + sentiment against AR and the random walk.
 */
export function evaluateSentimentFeatureUseCase(
  deps: { store: CandleStore; news: NewsStore },
  raw: SentimentFeatureInput,
): SentimentFeatureOutput {
  const x = parseInput(SentimentFeatureInput, raw);
  const key = resolveSeries(deps.store, {
    symbol: x.symbol,
    timeframe: x.timeframe,
    ...(x.exchange === undefined ? {} : { exchange: x.exchange }),
  });
  const s = deps.store.read(key);
  const barMs = timeframeMs(s.timeframe);
  const items = deps.news.listItems({ symbol: x.symbol });
  if (items.length === 0)
    throw invalidInput(
      `sentiment feature: no stored headlines name ${x.symbol}: \`kairos news fetch\` or \`kairos news import FILE\` first`,
    );
  const horizon = x.horizon ?? Math.max(1, Math.round(86_400_000 / barMs));
  const f = sentimentFeature(items, s.ts, barMs);
  const e = evaluateSentimentFeature({ close: s.close, mean: f.mean, count: f.count, horizon });
  if (e.n === 0)
    throw invalidInput(
      `sentiment feature: ${x.symbol} ${x.timeframe} has ${s.ts.length} bars: too few to train on 60 and test out of sample`,
    );
  const verdict =
    e.withHeadlines < 30
      ? `not judged: only ${e.withHeadlines} of ${e.n} out-of-sample bars have a headline in their last 24 h; the feature adds nothing that can be measured yet`
      : e.adds
        ? `the sentiment feature lowers the forecast error against AR at the 5% level (Diebold-Mariano p = ${e.dm.pValue.toFixed(3)})`
        : `the sentiment feature adds nothing measurable over AR (Diebold-Mariano p = ${e.dm.pValue.toFixed(3)})`;
  return { symbol: x.symbol, timeframe: s.timeframe, headlines: items.length, ...e, verdict };
}
