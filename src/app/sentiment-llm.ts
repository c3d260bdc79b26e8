import type { Evaluation } from "../sentiment/evaluate.ts";
import { evaluateLabels, LABELS } from "../sentiment/evaluate.ts";
import type { SentimentLabel } from "../sentiment/score.ts";
import type { ChatModel } from "./ask.ts";
import {
  evaluateSentiment,
  type LanguageEvaluation,
  type SentimentEvaluateInput,
} from "./sentiment-evaluate.ts";

const SYSTEM =
  "You label the sentiment of financial and crypto-market headlines (English or German) for a trader: " +
  "positive (good news for the price of what it names), negative (bad news), or neutral. " +
  "Reply with exactly one line per headline: its number, a space, and one word: positive, negative or neutral. No other text.";

const LINE = /^\s*(\d+)\s*[.):-]?\s*(positive|negative|neutral)\b/i;

/**
 * Labels texts with a chat model through any OpenAI-compatible endpoint, `batch` numbered
 * headlines per request. A headline the reply does not label counts as neutral and as unparsed,
 * so a model that answers badly is scored as it answered.
 */
export async function llmSentimentLabels(
  model: ChatModel,
  texts: readonly string[],
  opts: { batch?: number; onBatch?: (done: number, total: number) => void } = {},
): Promise<{ labels: SentimentLabel[]; unparsed: number }> {
  const batch = opts.batch ?? 20;
  const labels: SentimentLabel[] = [];
  let unparsed = 0;
  for (let i = 0; i < texts.length; i += batch) {
    const part = texts.slice(i, i + batch);
    const reply = await model.complete(
      [
        { role: "system", content: SYSTEM },
        // one line per headline: line breaks inside a text would shift the numbering
        { role: "user", content: part.map((t, k) => `${k + 1}. ${t.replace(/\s+/g, " ")}`).join("\n") },
      ],
      [],
    );
    const got = new Map<number, SentimentLabel>();
    for (const line of reply.content.split(/\r?\n/)) {
      const m = LINE.exec(line);
      if (m !== null && !got.has(Number(m[1]))) got.set(Number(m[1]), m[2]!.toLowerCase() as SentimentLabel);
    }
    part.forEach((_, k) => {
      const l = got.get(k + 1);
      if (l === undefined || !LABELS.includes(l)) unparsed++;
      labels.push(l ?? "neutral");
    });
    opts.onBatch?.(Math.min(i + batch, texts.length), texts.length);
  }
  return { labels, unparsed };
}

export interface LlmLanguageEvaluation extends LanguageEvaluation {
  llm: Evaluation & { unparsed: number };
}

/** `kairos sentiment evaluate --llm`: the lexicon and both baselines, and the model on the same rows */
export async function evaluateSentimentWithLlm(
  deps: { model: ChatModel; batch?: number; onBatch?: (done: number, total: number) => void },
  raw: SentimentEvaluateInput,
): Promise<LlmLanguageEvaluation[]> {
  const rows = evaluateSentiment(raw, { keepRows: true });
  const out: LlmLanguageEvaluation[] = [];
  for (const r of rows) {
    const { labels, unparsed } = await llmSentimentLabels(
      deps.model,
      r.rows!.map((x) => x.text),
      {
        ...(deps.batch === undefined ? {} : { batch: deps.batch }),
        ...(deps.onBatch === undefined ? {} : { onBatch: deps.onBatch }),
      },
    );
    const { rows: _drop, ...rest } = r;
    out.push({
      ...rest,
      llm: {
        ...evaluateLabels(
          r.rows!.map((x) => x.label),
          labels,
          r.resamples,
        ),
        unparsed,
      },
    });
  }
  return out;
}
