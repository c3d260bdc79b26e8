import type { Command } from "commander";
import { type AskOutput, askModel, askRouter, type ReadTool } from "../../../app/ask.ts";
import { marketBrief } from "../../../app/brief.ts";
import { listSeries } from "../../../app/list-series.ts";
import { chatModelFromEnv } from "../../../composition-root.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { briefDeps } from "./brief.ts";

/** `kairos ask "QUESTION"`: answers from kairos's own numbers; with KAIROS_LLM_URL through a model whose numbers are checked */
export function registerAskCommand(program: Command): void {
  program
    .command("ask <question>")
    .description(
      "answer a market question from kairos's own numbers (brief, series); with KAIROS_LLM_URL a model with read tools only, every number checked",
    )
    .option("--timeframe <tf>", "bar length the brief reads", "1d")
    .addHelpText(
      "after",
      '\nExamples:\n  kairos ask "what matters today?"\n  kairos ask "how did TAO do against BTC this week?"\n  KAIROS_LLM_URL=http://127.0.0.1:11434/v1 KAIROS_LLM_MODEL=llama3.1 kairos ask "was ist heute wichtig?"',
    )
    .action(async (question: string, opts: { timeframe: string }, cmd: Command) => {
      const g = globalsOf(cmd);
      const out: AskOutput = await withContainer(cmd, async (c) => {
        // the brief is read, never stored, by a question
        const brief = () => marketBrief(briefDeps(c), { timeframe: opts.timeframe, save: false });
        const model = chatModelFromEnv();
        if (model === undefined) return askRouter(brief, { question });
        const tools: ReadTool[] = [
          {
            name: "market_brief",
            description: "today's market brief: every line with its numbers (series, bar time, value)",
            parameters: { type: "object", properties: {} },
            run: () => {
              const b = brief();
              return JSON.stringify({ text: b.text, lines: b.brief.lines, symbols: b.brief.symbols });
            },
          },
          {
            name: "list_series",
            description: "the stored candle series with their ranges",
            parameters: { type: "object", properties: {} },
            run: () => JSON.stringify(listSeries({ store: c.store }).series),
          },
        ];
        return askModel({ model, tools }, { question });
      });
      if (g.json) return printJson(out);
      printLine(out.answer);
    });
}
