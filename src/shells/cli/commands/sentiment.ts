import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { evaluateSentiment, type LanguageEvaluation } from "../../../app/sentiment-evaluate.ts";
import { evaluateSentimentFeatureUseCase } from "../../../app/sentiment-feature.ts";
import { evaluateSentimentWithLlm, type LlmLanguageEvaluation } from "../../../app/sentiment-llm.ts";
import { scoreSentiment } from "../../../app/sentiment-score.ts";
import { chatModelFromEnv } from "../../../composition-root.ts";
import { invalidInput } from "../../../errors.ts";
import type { Metric } from "../../../sentiment/evaluate.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

const readText = (file: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw invalidInput(`sentiment: cannot read ${file}: check the path`);
  }
};

const m = (x: Metric): string => `${x.value.toFixed(3)} [${x.low.toFixed(3)}, ${x.high.toFixed(3)}]`;

/** The evaluate table (also pasted into the README); with --llm a row for the model */
export function evaluationTable(
  rows: readonly (LanguageEvaluation & { llm?: LlmLanguageEvaluation["llm"] })[],
  model = "LLM",
): string {
  return table(
    ["lang", "n", "scorer", "accuracy [95%]", "macro-F1 [95%]"],
    rows.flatMap((r) => [
      [r.lang, String(r.n), "kairos lexicon", m(r.kairos.accuracy), m(r.kairos.macroF1)],
      [r.lang, String(r.n), `majority (${r.majority.label})`, m(r.majority.accuracy), m(r.majority.macroF1)],
      [r.lang, String(r.n), "plain AFINN-165", m(r.afinn.accuracy), m(r.afinn.macroF1)],
      ...(r.llm === undefined
        ? []
        : [
            [
              r.lang,
              String(r.n),
              `${model}${r.llm.unparsed > 0 ? ` (${r.llm.unparsed} unlabelled)` : ""}`,
              m(r.llm.accuracy),
              m(r.llm.macroF1),
            ],
          ]),
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
    .option("--llm", "also score every row with the chat model at KAIROS_LLM_URL (+ KAIROS_LLM_MODEL)")
    .option("--batch <n>", "headlines per model request with --llm", "20")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos sentiment evaluate --file data/sentiment/gerntsa_de.csv --lang de\n  KAIROS_LLM_URL=http://127.0.0.1:11434/v1 KAIROS_LLM_MODEL=llama3.1 kairos sentiment evaluate --file data/sentiment/gerntsa_de.csv --llm",
    )
    .action(async (opts: { file: string; lang: string; llm?: boolean; batch: string }, sub: Command) => {
      const input = { csv: readText(opts.file), lang: opts.lang as "auto" };
      if (opts.llm !== true) {
        const out = evaluateSentiment(input);
        if (globalsOf(sub).json) return printJson(out);
        return printLine(evaluationTable(out));
      }
      const model = chatModelFromEnv();
      if (model === undefined)
        throw invalidInput(
          "sentiment evaluate --llm: no model endpoint: set KAIROS_LLM_URL (e.g. http://127.0.0.1:11434/v1) and KAIROS_LLM_MODEL",
        );
      const batch = Number(opts.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 200)
        throw invalidInput(`--batch ${opts.batch}: a whole number from 1 to 200`);
      // a terminal gets one updating line; a log gets a line per tenth of the rows
      let shown = -1;
      const onBatch = (d: number, t: number): void => {
        if (process.stderr.isTTY) process.stderr.write(`\rmodel: ${d}/${t}`);
        else if (Math.floor((10 * d) / t) > shown) {
          shown = Math.floor((10 * d) / t);
          process.stderr.write(`model: ${d}/${t}\n`);
        }
      };
      const out = await evaluateSentimentWithLlm({ model, batch, onBatch }, input);
      if (process.stderr.isTTY) process.stderr.write("\n");
      if (globalsOf(sub).json) return printJson(out);
      printLine(evaluationTable(out, `LLM ${process.env.KAIROS_LLM_MODEL ?? "kairos"}`));
    });
  cmd
    .command("feature")
    .description(
      "the daily headline-sentiment feature of a symbol judged out of sample: AR + sentiment against AR and the random walk",
    )
    .requiredOption("--symbol <symbol>", "e.g. TAO/USDT (needs stored headlines naming it)")
    .option("--timeframe <tf>", "bar length of the candles", "1d")
    .option("--exchange <name>", "the exchange holding the series")
    .option("--horizon <bars>", "bars ahead the forecast covers (default one day)")
    .addHelpText("after", "\nExamples:\n  kairos sentiment feature --symbol TAO/USDT --timeframe 1d")
    .action(
      async (
        opts: { symbol: string; timeframe: string; exchange?: string; horizon?: string },
        sub: Command,
      ) => {
        const out = await withContainer(sub, (c) =>
          evaluateSentimentFeatureUseCase(
            { store: c.store, news: c.news },
            {
              symbol: opts.symbol,
              timeframe: opts.timeframe,
              ...(opts.exchange === undefined ? {} : { exchange: opts.exchange }),
              ...(opts.horizon === undefined ? {} : { horizon: opts.horizon }),
            },
          ),
        );
        if (globalsOf(sub).json) return printJson(out);
        const f = (x: number, d = 6): string => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
        printLine(
          `${out.symbol} ${out.timeframe}: ${out.headlines} headlines; ${out.n} out-of-sample bars, ${out.withHeadlines} with a headline in their last 24 h; horizon ${out.horizonBars} bar(s)`,
        );
        printLine(
          table(
            ["model", "MSE", "direction right"],
            [
              ["random walk (direction: always up)", f(out.zero.mse, 8), f(out.zero.directional, 3)],
              ["AR (last return)", f(out.ar.mse, 8), f(out.ar.directional, 3)],
              ["AR + sentiment", f(out.arSentiment.mse, 8), f(out.arSentiment.directional, 3)],
            ],
          ),
        );
        printLine(out.verdict);
      },
    );
}
