import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { evaluateSentiment, type LanguageEvaluation } from "../../../app/sentiment-evaluate.ts";
import { scoreSentiment } from "../../../app/sentiment-score.ts";
import { invalidInput } from "../../../errors.ts";
import type { Metric } from "../../../sentiment/evaluate.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { table } from "./data-format.ts";

const readText = (file: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw invalidInput(`sentiment: cannot read ${file}: check the path`);
  }
};

const m = (x: Metric): string => `${x.value.toFixed(3)} [${x.low.toFixed(3)}, ${x.high.toFixed(3)}]`;

/** The evaluate table (also pasted into the README) */
export function evaluationTable(rows: readonly LanguageEvaluation[]): string {
  return table(
    ["lang", "n", "scorer", "accuracy [95%]", "macro-F1 [95%]"],
    rows.flatMap((r) => [
      [r.lang, String(r.n), "kairos lexicon", m(r.kairos.accuracy), m(r.kairos.macroF1)],
      [r.lang, String(r.n), `majority (${r.majority.label})`, m(r.majority.accuracy), m(r.majority.macroF1)],
      [r.lang, String(r.n), "plain AFINN-165", m(r.afinn.accuracy), m(r.afinn.macroF1)],
    ]),
  );
}

/** `kairos sentiment score|evaluate`: offline English and German headline sentiment */
export function registerSentimentCommand(program: Command): void {
  const cmd = program.command("sentiment").description("offline English and German headline sentiment");
  cmd
    .command("score")
    .description("label texts positive, negative or neutral with a score and the terms that counted")
    .option("--text <text>", "one text")
    .option("--file <csv>", "a CSV of texts")
    .option("--text-column <name>", "the CSV column holding the texts", "text")
    .option("--lang <lang>", "auto, en or de", "auto")
    .addHelpText(
      "after",
      '\nExamples:\n  kairos sentiment score --text "Exchange halts withdrawals after hack"\n  kairos sentiment score --text "Bitcoin-ETF-Zulassung beflügelt den Kurs" --lang de --json',
    )
    .action((opts: { text?: string; file?: string; textColumn: string; lang: string }, sub: Command) => {
      const out = scoreSentiment({
        ...(opts.text === undefined ? {} : { text: opts.text }),
        ...(opts.file === undefined ? {} : { csv: readText(opts.file) }),
        textColumn: opts.textColumn,
        lang: opts.lang as "auto",
      });
      if (globalsOf(sub).json) return printJson(out);
      printLine(
        table(
          ["label", "score", "lang", "terms", "text"],
          out.map((r) => [
            r.label,
            String(Math.round(r.score * 100) / 100),
            r.lang,
            r.hits.map((h) => `${h.term}(${Math.round(h.value * 10) / 10})`).join(" ") || "-",
            r.text.length > 80 ? `${r.text.slice(0, 77)}...` : r.text,
          ]),
        ),
      );
    });
  cmd
    .command("evaluate")
    .description(
      "accuracy and macro-F1 per language with 95% bootstrap intervals, beside majority-class and plain-AFINN baselines",
    )
    .requiredOption("--file <csv>", "labelled CSV: text, label (positive|negative|neutral), optional lang")
    .option("--lang <lang>", "language of rows without a lang column: auto, en or de", "auto")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos sentiment evaluate --file data/sentiment/gerntsa_de.csv --lang de",
    )
    .action((opts: { file: string; lang: string }, sub: Command) => {
      const out = evaluateSentiment({ csv: readText(opts.file), lang: opts.lang as "auto" });
      if (globalsOf(sub).json) return printJson(out);
      printLine(evaluationTable(out));
    });
}
