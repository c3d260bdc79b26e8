import { z } from "zod";
import { invalidInput } from "../errors.ts";
import { type Evaluation, evaluateLabels, LABELS, majorityLabel } from "../sentiment/evaluate.ts";
import { detectLang, type Lang, type SentimentLabel } from "../sentiment/score.ts";
import { parseInput } from "./contract.ts";
import { csvColumn, scoreHeadline, scorePlainAfinn } from "./sentiment-score.ts";

/** A labelled CSV: columns text, label (positive, negative, neutral), optional lang */
export const SentimentEvaluateInput = z
  .object({
    csv: z.string(),
    /** the language of rows without a lang column (auto: detected per row) */
    lang: z.enum(["auto", "en", "de"]).default("auto"),
    resamples: z.number().int().min(100).max(100_000).default(1000),
  })
  .strict();
export type SentimentEvaluateInput = z.input<typeof SentimentEvaluateInput>;

export interface LanguageEvaluation {
  lang: Lang;
  n: number;
  kairos: Evaluation;
  majority: Evaluation & { label: SentimentLabel };
  afinn: Evaluation;
  /** the rows of this language (only when asked for, to score them another way) */
  rows?: { text: string; label: SentimentLabel }[];
  resamples: number;
}

/** `kairos sentiment evaluate`: per language, kairos beside the majority class and plain AFINN */
export function evaluateSentiment(
  raw: SentimentEvaluateInput,
  opts: { keepRows?: boolean } = {},
): LanguageEvaluation[] {
  const input = parseInput(SentimentEvaluateInput, raw);
  const { texts, header, rows } = csvColumn(input.csv, "text");
  const li = header.indexOf("label");
  if (li < 0)
    throw invalidInput(`sentiment evaluate: the CSV has no "label" column (columns: ${header.join(", ")})`);
  const gi = header.indexOf("lang");
  const groups = new Map<Lang, { text: string; label: SentimentLabel }[]>();
  rows.forEach((r, k) => {
    const label = (r[li] ?? "").trim().toLowerCase() as SentimentLabel;
    if (!LABELS.includes(label))
      throw invalidInput(
        `sentiment evaluate: row ${k + 2} has label "${r[li]}": use positive, negative or neutral`,
      );
    const text = texts[k]!;
    const given = gi >= 0 ? (r[gi] ?? "").trim() : "";
    const lang: Lang =
      given === "en" || given === "de" ? given : input.lang === "auto" ? detectLang(text) : input.lang;
    const g = groups.get(lang) ?? [];
    g.push({ text, label });
    groups.set(lang, g);
  });
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([lang, g]) => {
      const truth = g.map((x) => x.label);
      const maj = majorityLabel(truth);
      return {
        lang,
        n: g.length,
        resamples: input.resamples,
        ...(opts.keepRows === true ? { rows: g } : {}),
        kairos: evaluateLabels(
          truth,
          g.map((x) => scoreHeadline(x.text, lang).label),
          input.resamples,
        ),
        majority: {
          ...evaluateLabels(
            truth,
            truth.map(() => maj),
            input.resamples,
          ),
          label: maj,
        },
        afinn: evaluateLabels(
          truth,
          g.map((x) => scorePlainAfinn(x.text).label),
          input.resamples,
        ),
      };
    });
}
